package modversions

import (
	"fmt"
	"strings"
)

// Verdict is check_version's answer for one imported symbol.
type Verdict int

const (
	// OK: the CRCs agree, or the exporter has no CRCs (built without
	// modversions) and nothing is checked.
	OK Verdict = iota
	// NoSymbolVersion: the module has versions but none for this symbol.
	// The kernel accepts it and warns, once per boot,
	// "<mod>: no symbol version for <sym>".
	NoSymbolVersion
	// Forced: the module has no versions at all. The kernel accepts it only
	// through try_to_force_load (see TryForceLoad): taint F with
	// CONFIG_MODULE_FORCE_LOAD, -ENOEXEC without.
	Forced
	// Disagrees: the CRCs differ; the symbol is refused
	// ("<mod>: disagrees about version of symbol <sym>").
	Disagrees
)

var verdictNames = [...]string{"OK", "NoSymbolVersion", "Forced", "Disagrees"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Errno values the kernel's loader returns for these checks.
const (
	ENOEXEC = 8
	EINVAL  = 22
)

// DisagreeError is a CRC mismatch between a module's __versions entry and
// the exporter's CRC. Its message is the kernel's.
type DisagreeError struct {
	Module    string // the module's name (.modinfo name=)
	Symbol    string
	ModuleCRC uint64 // what the module was built against
	ExportCRC uint32 // what the exporter carries
	// Errno is what the load fails with: -EINVAL for an ordinary symbol
	// (reported as "Unknown symbol <sym> (err -22)"), -ENOEXEC for
	// module_layout.
	Errno int
}

func (e *DisagreeError) Error() string {
	return fmt.Sprintf("%s: disagrees about version of symbol %s", e.Module, e.Symbol)
}

// Check is the kernel's check_version(info, symbol, mod, crc): the verdict
// for one symbol that module imports, given the exporter's CRC (hasCRC
// false when the exporter has no CRC table). A Disagrees verdict comes with
// a *DisagreeError; every other verdict with a nil error. For
// ModuleLayout the error's Errno is -ENOEXEC (check_modstruct_version),
// else -EINVAL.
func (v *Versions) Check(module, symbol string, crc uint32, hasCRC bool) (Verdict, error) {
	if !hasCRC {
		return OK, nil
	}
	if !v.present() {
		return Forced, nil
	}
	e, ok := v.Find(symbol)
	if !ok {
		return NoSymbolVersion, nil
	}
	if e.CRC == uint64(crc) {
		return OK, nil
	}
	errno := -EINVAL
	if symbol == ModuleLayout {
		errno = -ENOEXEC
	}
	return Disagrees, &DisagreeError{Module: module, Symbol: symbol, ModuleCRC: e.CRC, ExportCRC: crc, Errno: errno}
}

// CheckModuleLayout is the kernel's check_modstruct_version: Check of
// ModuleLayout against the kernel's CRC for it, done before anything else
// of the module is looked at. A Disagrees verdict refuses the module with
// -ENOEXEC (the *DisagreeError's Errno) after the kernel's "disagrees"
// line; Forced means try_to_force_load(mod, "module_layout").
func (v *Versions) CheckModuleLayout(module string, crc uint32, hasCRC bool) (Verdict, error) {
	return v.Check(module, ModuleLayout, crc, hasCRC)
}

// Message returns the line the kernel logs for a verdict of Check (without
// the trailing newline), or "" when it logs nothing. The Forced line is
// try_to_force_load's, printed only while the kernel is not yet tainted F.
func (v *Versions) Message(verdict Verdict, module, symbol string) string {
	switch verdict {
	case NoSymbolVersion:
		if v != nil && v.HasExt {
			return fmt.Sprintf("%s: no extended symbol version for %s", module, symbol)
		}
		return fmt.Sprintf("%s: no symbol version for %s", module, symbol)
	case Forced:
		return fmt.Sprintf("%s: %s: kernel tainted.", module, symbol)
	case Disagrees:
		return fmt.Sprintf("%s: disagrees about version of symbol %s", module, symbol)
	}
	return ""
}

// ForceLoadError is try_to_force_load's refusal: the kernel was built
// without CONFIG_MODULE_FORCE_LOAD, so a module that needs forcing fails
// with -ENOEXEC and nothing is printed.
type ForceLoadError struct {
	Module string
	Reason string // the symbol name, "module_layout", "bad vermagic" or "no versions for exported symbols"
}

func (e *ForceLoadError) Error() string {
	return fmt.Sprintf("%s: %s: refused (kernel built without CONFIG_MODULE_FORCE_LOAD)", e.Module, e.Reason)
}

// TryForceLoad is the kernel's try_to_force_load(mod, reason). With
// allowed (CONFIG_MODULE_FORCE_LOAD=y, as on Debian) the load goes on and
// the module and the kernel are tainted F; the returned line
// "<mod>: <reason>: kernel tainted." is what the kernel prints when it was
// not tainted F before (tainted reports whether it already was), else "".
// Without allowed it returns a *ForceLoadError.
func TryForceLoad(module, reason string, allowed, tainted bool) (string, error) {
	if !allowed {
		return "", &ForceLoadError{Module: module, Reason: reason}
	}
	if tainted {
		return "", nil
	}
	return fmt.Sprintf("%s: %s: kernel tainted.", module, reason), nil
}

// SameMagic is the kernel's same_magic: with hasCRCs (the module has
// __versions) both strings are compared from their first space on, so the
// kernel release is ignored but the flags and the trailing space must
// match; without, the whole strings must be equal.
func SameMagic(modMagic, kernelMagic string, hasCRCs bool) bool {
	if hasCRCs {
		if i := strings.IndexByte(modMagic, ' '); i >= 0 {
			modMagic = modMagic[i:]
		} else {
			modMagic = ""
		}
		if i := strings.IndexByte(kernelMagic, ' '); i >= 0 {
			kernelMagic = kernelMagic[i:]
		} else {
			kernelMagic = ""
		}
	}
	return modMagic == kernelMagic
}

// VermagicError is check_modinfo's refusal of a module built for another
// kernel configuration (-ENOEXEC). Its message is the kernel's.
type VermagicError struct {
	Module string
	Have   string // the module's vermagic
	Want   string // the kernel's
}

func (e *VermagicError) Error() string {
	return fmt.Sprintf("%s: version magic '%s' should be '%s'", e.Module, e.Have, e.Want)
}

// CheckVermagic is the vermagic part of check_modinfo. modMagic is the
// module's vermagic= value and present whether it has one (false as well
// under MODULE_INIT_IGNORE_VERMAGIC, kmod's --force-vermagic). A missing
// vermagic gives Forced (the caller then calls TryForceLoad with reason
// "bad vermagic"); a mismatch gives Disagrees and a *VermagicError.
func CheckVermagic(module, modMagic string, present bool, kernelMagic string, hasCRCs bool) (Verdict, error) {
	if !present {
		return Forced, nil
	}
	if !SameMagic(modMagic, kernelMagic, hasCRCs) {
		return Disagrees, &VermagicError{Module: module, Have: modMagic, Want: kernelMagic}
	}
	return OK, nil
}
