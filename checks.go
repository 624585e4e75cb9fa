package golink

import (
	"debug/elf"
	"fmt"
	"strings"
	"syscall"

	"github.com/golink/golink/modversions"
)

// Taint is a set of the kernel's taint flags (include/linux/panic.h), as
// loading a module sets them on it.
type Taint uint32

// The taints a module load can set; the values are the kernel's bit numbers.
const (
	TaintProprietary Taint = 1 << 0  // P: a license that is not GPL-compatible
	TaintForced      Taint = 1 << 1  // F: loaded by force (versions or vermagic missing or ignored)
	TaintCrap        Taint = 1 << 10 // C: from the staging directory
	TaintOOT         Taint = 1 << 12 // O: out of tree (no intree=Y)
	TaintUnsigned    Taint = 1 << 13 // E: no signature
	TaintLivepatch   Taint = 1 << 15 // K: a livepatch module
	TaintTest        Taint = 1 << 18 // N: a test module
)

// taintLetters are the kernel's letters (kernel/panic.c taint_flags) for the
// taints a module shows, in bit order.
var taintLetters = []struct {
	t Taint
	c byte
}{{TaintProprietary, 'P'}, {TaintForced, 'F'}, {TaintCrap, 'C'}, {TaintOOT, 'O'}, {TaintUnsigned, 'E'},
	{TaintLivepatch, 'K'}, {TaintTest, 'N'}}

// String returns the letters the kernel shows for a module's taints
// (/proc/modules' "(PO)" without the parentheses), "" for none.
func (t Taint) String() string {
	var b strings.Builder
	for _, l := range taintLetters {
		if t&l.t != 0 {
			b.WriteByte(l.c)
		}
	}
	return b.String()
}

// gplCompatible are the license strings the kernel's license_is_gpl_compatible
// accepts (include/linux/license.h), compared exactly.
var gplCompatible = map[string]bool{
	"GPL":                       true,
	"GPL v2":                    true,
	"GPL and additional rights": true,
	"Dual BSD/GPL":              true,
	"Dual MIT/GPL":              true,
	"Dual MPL/GPL":              true,
}

// LicenseIsGPLCompatible reports whether the kernel treats a MODULE_LICENSE
// string as GPL-compatible.
func LicenseIsGPLCompatible(license string) bool { return gplCompatible[license] }

// LogLine is one line the kernel would print loading a module. Lines with
// Once set are printed only while the kernel is not yet tainted with it (the
// kernel's "taints kernel" messages), so that across several loads each
// appears once; see KernelLog.
type LogLine struct {
	Text string
	Once Taint
}

// warnedOnce stands, in LogLine.Once, for the kernel's pr_warn_once: the
// line is printed at most once per boot.
const warnedOnce Taint = 1 << 31

// loadState is what one load of a module accumulates: taints, what the
// kernel would log, and whether GPL-only exports are visible to it.
type loadState struct {
	m       *Module
	taints  Taint
	log     []LogLine
	license string
}

func (st *loadState) logf(once Taint, format string, args ...any) {
	st.log = append(st.log, LogLine{fmt.Sprintf(format, args...), once})
}

// gplok is find_symbol's gplok: GPL-only exports are invisible to a module
// already tainted P.
func (st *loadState) gplok() bool { return st.taints&TaintProprietary == 0 }

// forceLoad is try_to_force_load: taint F (and say so the first time) when
// the kernel allows forcing, refuse otherwise.
func (st *loadState) forceLoad(reason string) error {
	line, err := modversions.TryForceLoad(st.m.Name, reason, !st.m.cfg.NoForceLoad, st.taints&TaintForced != 0)
	if err != nil {
		return &KernelError{Module: st.m.Name, Msg: err.Error(), Errno: syscall.ENOEXEC,
			Detail: "the kernel is built without CONFIG_MODULE_FORCE_LOAD"}
	}
	if line != "" {
		st.log = append(st.log, LogLine{line, TaintForced})
	}
	st.taints |= TaintForced
	return nil
}

// checkModstructVersion is the kernel's check_modstruct_version: the
// module's CRC for module_layout against the kernel's, before anything else.
func (st *loadState) checkModstructVersion(syms Resolver) error {
	k, ok := syms.Lookup(modversions.ModuleLayout)
	if !ok || k.Owner != "" {
		// The kernel BUG()s without it; a kernel given without
		// Module.symvers has no CRCs to compare anyway.
		return nil
	}
	v, err := st.m.versions.CheckModuleLayout(st.m.Name, k.CRC, k.HasCRC)
	switch v {
	case modversions.Disagrees:
		return err
	case modversions.Forced:
		return st.forceLoad(modversions.ModuleLayout)
	}
	return nil
}

// checkModinfo is the kernel's check_modinfo: vermagic, then the taints the
// module's .modinfo asks for, then its license (set_license).
func (st *loadState) checkModinfo() error {
	m, cfg := st.m, &st.m.cfg
	magic, present := m.Modinfo.Get("vermagic")
	if cfg.IgnoreVermagic {
		present = false
	}
	if cfg.KernelVermagic != "" || !present {
		v, err := modversions.CheckVermagic(m.Name, magic, present, cfg.KernelVermagic, m.versions.HasCRCs())
		switch v {
		case modversions.Forced:
			if err := st.forceLoad("bad vermagic"); err != nil {
				return err
			}
		case modversions.Disagrees:
			return err
		}
	}
	if _, ok := m.Modinfo.Get("intree"); !ok {
		st.taints |= TaintOOT
		st.logf(TaintOOT, "%s: loading out-of-tree module taints kernel.", m.Name)
	}
	if _, ok := m.Modinfo.Get("staging"); ok {
		st.taints |= TaintCrap
		st.logf(0, "%s: module is from the staging directory, the quality is unknown, you have been warned.", m.Name)
	}
	if v, ok := m.Modinfo.Get("livepatch"); ok && v == "Y" {
		st.taints |= TaintLivepatch
		st.logf(TaintLivepatch, "%s: tainting kernel with TAINT_LIVEPATCH", m.Name)
	}
	lic, ok := m.Modinfo.Get("license")
	if !ok {
		lic = "unspecified"
	}
	st.license = lic
	if !gplCompatible[lic] {
		st.taints |= TaintProprietary
		st.logf(TaintProprietary, "%s: module license '%s' taints kernel.", m.Name, lic)
	}
	if _, ok := m.Modinfo.Get("test"); ok {
		st.taints |= TaintTest
		st.logf(0, "%s: loading test module taints kernel.", m.Name)
	}
	if m.File.Signature == nil {
		// module_sig_check: unsigned (golink cannot verify a signature
		// against the kernel's keys, so a signed module is taken as good).
		st.taints |= TaintUnsigned
		st.logf(TaintUnsigned, "%s: module verification failed: signature and/or required key missing - tainting kernel", m.Name)
	}
	return nil
}

// checkLicenseAndVersions is the kernel's check_module_license_and_versions:
// the modules whose names taint, and exports without CRCs.
func (st *loadState) checkLicenseAndVersions() error {
	m := st.m
	switch m.Name {
	case "ndiswrapper":
		st.logf(TaintProprietary, "%s: module license taints kernel.", m.Name)
	case "driverloader", "lve":
		st.logf(TaintProprietary, "%s: module license taints kernel.", m.Name)
		st.taints |= TaintProprietary
	}
	if m.cfg.NoModversions {
		return nil
	}
	for _, t := range [][2]string{{"__ksymtab", "__kcrctab"}, {"__ksymtab_gpl", "__kcrctab_gpl"}} {
		tab := m.File.SectionByName(t[0], elf.SHF_ALLOC)
		if tab != 0 && m.File.Sections[tab].Size > 0 && m.File.SectionByName(t[1], elf.SHF_ALLOC) == 0 {
			return st.forceLoad("no versions for exported symbols")
		}
	}
	return nil
}

// checkVersion is resolve_symbol's check_version for one import that
// resolved to exp's CRC.
func (st *loadState) checkVersion(name string, crc uint32, hasCRC bool) error {
	if st.m.cfg.NoModversions {
		return nil
	}
	v, err := st.m.versions.Check(st.m.Name, name, crc, hasCRC)
	switch v {
	case modversions.Disagrees:
		return err
	case modversions.NoSymbolVersion:
		st.log = append(st.log, LogLine{st.m.versions.Message(v, st.m.Name, name), warnedOnce})
	case modversions.Forced:
		if err := st.forceLoad(name); err != nil {
			return &UnknownSymbolError{Module: st.m.Name, Symbol: name, Errno: syscall.EINVAL,
				Hint: "no __versions, and the kernel cannot load by force"}
		}
	}
	return nil
}

// KernelLog returns what a kernel would have printed loading these modules
// one after another, in order: a "taints kernel" line only while the kernel
// is not yet tainted with that flag, a warn-once line only the first time.
func KernelLog(loads [][]LogLine, taints []Taint) []string {
	var kernel Taint
	var out []string
	for i, lines := range loads {
		for _, l := range lines {
			if l.Once != 0 && kernel&l.Once != 0 {
				continue
			}
			out = append(out, l.Text)
			if l.Once == warnedOnce {
				kernel |= warnedOnce
			}
		}
		if i < len(taints) {
			kernel |= taints[i]
		}
	}
	return out
}
