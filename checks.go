package golink

import (
	"debug/elf"
	"fmt"
	"syscall"

	"github.com/golink/golink/image"
	"github.com/golink/golink/modversions"
)

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

// loadState is what one load of a module accumulates: taints, what the
// kernel would log, and whether GPL-only exports are visible to it.
type loadState struct {
	m       *Module
	taints  image.Taint
	log     []image.LogLine
	license string
}

func (st *loadState) logf(once image.Taint, format string, args ...any) {
	st.log = append(st.log, image.LogLine{Text: fmt.Sprintf(format, args...), Once: once})
}

// gplok is find_symbol's gplok: GPL-only exports are invisible to a module
// already tainted P.
func (st *loadState) gplok() bool { return st.taints&image.TaintProprietary == 0 }

// forceLoad is try_to_force_load: taint F (and say so the first time) when
// the kernel allows forcing, refuse otherwise.
func (st *loadState) forceLoad(reason string) error {
	line, err := modversions.TryForceLoad(st.m.Name, reason, !st.m.cfg.NoForceLoad, st.taints&image.TaintForced != 0)
	if err != nil {
		return &KernelError{Module: st.m.Name, Msg: err.Error(), Errno: syscall.ENOEXEC,
			Detail: "the kernel is built without CONFIG_MODULE_FORCE_LOAD"}
	}
	if line != "" {
		st.log = append(st.log, image.LogLine{Text: line, Once: image.TaintForced})
	}
	st.taints |= image.TaintForced
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
		st.taints |= image.TaintOOT
		st.logf(image.TaintOOT, "%s: loading out-of-tree module taints kernel.", m.Name)
	}
	if _, ok := m.Modinfo.Get("staging"); ok {
		st.taints |= image.TaintCrap
		st.logf(0, "%s: module is from the staging directory, the quality is unknown, you have been warned.", m.Name)
	}
	if v, ok := m.Modinfo.Get("livepatch"); ok && v == "Y" {
		st.taints |= image.TaintLivepatch
		st.logf(image.TaintLivepatch, "%s: tainting kernel with TAINT_LIVEPATCH", m.Name)
	}
	lic, ok := m.Modinfo.Get("license")
	if !ok {
		lic = "unspecified"
	}
	st.license = lic
	if !gplCompatible[lic] {
		st.taints |= image.TaintProprietary
		st.logf(image.TaintProprietary, "%s: module license '%s' taints kernel.", m.Name, lic)
	}
	if _, ok := m.Modinfo.Get("test"); ok {
		st.taints |= image.TaintTest
		st.logf(0, "%s: loading test module taints kernel.", m.Name)
	}
	if m.File.Signature == nil {
		// module_sig_check: unsigned (golink cannot verify a signature
		// against the kernel's keys, so a signed module is taken as good).
		st.taints |= image.TaintUnsigned
		st.logf(image.TaintUnsigned, "%s: module verification failed: signature and/or required key missing - tainting kernel", m.Name)
	}
	return nil
}

// checkLicenseAndVersions is the kernel's check_module_license_and_versions:
// the modules whose names taint, and exports without CRCs.
func (st *loadState) checkLicenseAndVersions() error {
	m := st.m
	switch m.Name {
	case "ndiswrapper":
		st.logf(image.TaintProprietary, "%s: module license taints kernel.", m.Name)
	case "driverloader", "lve":
		st.logf(image.TaintProprietary, "%s: module license taints kernel.", m.Name)
		st.taints |= image.TaintProprietary
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
		st.log = append(st.log, image.LogLine{Text: st.m.versions.Message(v, st.m.Name, name), Once: image.WarnedOnce})
	case modversions.Forced:
		if err := st.forceLoad(name); err != nil {
			return &UnknownSymbolError{Module: st.m.Name, Symbol: name, Errno: syscall.EINVAL,
				Hint: "no __versions, and the kernel cannot load by force"}
		}
	}
	return nil
}
