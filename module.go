package golink

import (
	"debug/elf"
	"fmt"
	"strings"
	"syscall"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/modinfo"
	"github.com/golink/golink/modversions"
	"github.com/golink/golink/reloc"
)

// Config describes the kernel a module is linked for. The zero value, with
// Arch set, is Debian's 6.1 configuration.
type Config struct {
	// Arch is the relocation backend; it must match the objects' e_machine.
	Arch reloc.Arch
	// PageSize is what strict_align rounds the class boundaries of a region
	// to: 0 means 4096 (CONFIG_STRICT_MODULE_RWX=y); 1 models a kernel
	// without it.
	PageSize uint64
	// NoModuleUnload models CONFIG_MODULE_UNLOAD=n: .exit* sections then go
	// to the init region.
	NoModuleUnload bool
	// KallsymsTextOnly models CONFIG_KALLSYMS_ALL=n: only text symbols are
	// kept for the core kallsyms table.
	KallsymsTextOnly bool

	// KernelVermagic is the kernel's VERMAGIC_STRING, e.g.
	// "6.1.0-47-amd64 SMP preempt mod_unload modversions " (the trailing
	// space is part of it). Empty: a vermagic present in the module is not
	// compared (a module without one is still loaded by force).
	KernelVermagic string
	// IgnoreModversions and IgnoreVermagic are finit_module's
	// MODULE_INIT_IGNORE_MODVERSIONS and MODULE_INIT_IGNORE_VERMAGIC: kmod's
	// --force-modversion and --force-vermagic.
	IgnoreModversions, IgnoreVermagic bool
	// NoForceLoad models CONFIG_MODULE_FORCE_LOAD=n: a module that needs
	// forcing (no versions, no vermagic) is refused instead of tainting F.
	NoForceLoad bool
	// NoModversions models CONFIG_MODVERSIONS=n: no CRC is checked.
	NoModversions bool
}

func (c *Config) pageSize() uint64 {
	if c.PageSize == 0 {
		return 4096
	}
	return c.PageSize
}

// Module is an object that has passed the kernel's checks and been laid out:
// everything the loader decides before it allocates memory. A Module is
// immutable and may be linked any number of times, concurrently, at
// different addresses.
type Module struct {
	Name    string // the module's name (modinfo name=, else struct module's)
	File    *gelf.File
	Modinfo modinfo.Modinfo
	Symbols []gelf.Symbol // the first symbol table, entry 0 included

	Core, Init  image.Layout
	PercpuSize  uint64 // size of .data..percpu (0 if none)
	PercpuAlign uint64

	// Section indexes found by setup_load_info (0 when absent).
	ThisModule, Versions, Percpu, ModinfoSec, Strtab int

	// Imports are the names of undefined symbols; Exports the names the
	// module exports (from its __ksymtab_<name> symbols), known before
	// linking so that modules can be loaded in dependency order.
	Imports []string
	Exports []string

	cfg      Config
	versions *modversions.Versions
	sections []reloc.Section // laid out (Loaded, Init, Offset set); Addr and Data unset
	plan     reloc.Plan      // what the arch pre-pass sized; makes each link's Relocator
	relocs   []reloc.RelocSection
}

// NewModule runs the kernel's checks and layout on obj (load_module up to
// move_module): setup_load_info, rewrite_section_headers, the arch pre-pass,
// module_enforce_rwx_sections, layout_sections, layout_symtab. Refusals are
// *KernelError values in the kernel's words; malformed input was already
// refused by elf.Decode.
func NewModule(obj *gelf.File, cfg Config) (*Module, error) {
	if cfg.Arch == nil {
		return nil, fmt.Errorf("golink: Config.Arch is nil")
	}
	if obj.Machine != cfg.Arch.Machine() {
		return nil, kernelErr("", syscall.ENOEXEC, fmt.Sprintf("%v object, linking for %v", obj.Machine, cfg.Arch.Machine()),
			"Invalid architecture in ELF header: %d", uint16(obj.Machine))
	}
	m := &Module{File: obj, cfg: cfg}
	if err := m.setupLoadInfo(); err != nil {
		return nil, err
	}
	if err := m.layout(); err != nil {
		return nil, err
	}
	return m, nil
}

// setupLoadInfo is the kernel's setup_load_info and rewrite_section_headers.
func (m *Module) setupLoadInfo() error {
	f := m.File
	m.ModinfoSec = f.SectionByName(".modinfo", elf.SHF_ALLOC)
	if m.ModinfoSec != 0 {
		m.Modinfo = modinfo.Modinfo(f.Bytes(m.ModinfoSec))
		m.Name, _ = m.Modinfo.Get("name")
	}
	msgName := m.Name
	if msgName == "" {
		msgName = "(missing .modinfo section or name field)"
	}
	if f.Symtab == 0 {
		return kernelErr(m.Name, syscall.ENOEXEC, "", "%s: module has no symbols (stripped?)", msgName)
	}
	m.Strtab = int(f.Sections[f.Symtab].Link)
	m.ThisModule = f.SectionByName(".gnu.linkonce.this_module", elf.SHF_ALLOC)
	if m.ThisModule == 0 {
		return kernelErr(m.Name, syscall.ENOEXEC, "", "%s: No module found in object", msgName)
	}
	if m.Name == "" {
		name, err := modinfo.ThisModuleName(f.Bytes(m.ThisModule))
		if err != nil {
			return kernelErr(m.Name, syscall.ENOEXEC, err.Error(), "%s: No module found in object", msgName)
		}
		m.Name = name
	}
	m.Versions = f.SectionByName("__versions", elf.SHF_ALLOC)
	if m.cfg.NoModversions {
		m.versions = &modversions.Versions{}
	} else {
		v, err := modversions.Read(f, m.cfg.IgnoreModversions)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		m.versions = v
	}
	m.Percpu = f.SectionByName(".data..percpu", elf.SHF_ALLOC)

	syms, err := f.Symbols(f.Symtab)
	if err != nil {
		return err
	}
	m.Symbols = syms
	for i := 1; i < len(syms); i++ {
		s := &syms[i]
		switch {
		case s.Shndx == elf.SHN_UNDEF && s.Name != "":
			m.Imports = append(m.Imports, s.Name)
		case strings.HasPrefix(s.Name, "__ksymtab_") && int(s.Shndx) < len(f.Sections) &&
			strings.HasPrefix(f.Sections[s.Shndx].Name, "__ksymtab") && f.Sections[s.Shndx].Name != "__ksymtab_strings":
			m.Exports = append(m.Exports, s.Name[len("__ksymtab_"):])
		}
	}

	// The loader's copy of the section headers.
	m.sections = make([]reloc.Section, len(f.Sections))
	for i := range f.Sections {
		s := &f.Sections[i]
		m.sections[i] = reloc.Section{Index: i, Name: s.Name, Type: s.Type, Flags: s.Flags, Size: s.Size, Align: s.Addralign}
	}
	// rewrite_section_headers: these two are read from the file, not loaded.
	if m.Versions != 0 {
		m.sections[m.Versions].Flags &^= elf.SHF_ALLOC
	}
	if m.ModinfoSec != 0 {
		m.sections[m.ModinfoSec].Flags &^= elf.SHF_ALLOC
	}

	for i := 1; i < len(f.Sections); i++ {
		s := &f.Sections[i]
		if s.Type != elf.SHT_RELA && s.Type != elf.SHT_REL {
			continue
		}
		if err := f.CheckRelocs(i, len(syms)); err != nil {
			return err
		}
		m.relocs = append(m.relocs, reloc.RelocSection{Index: i, Target: int(s.Info), Type: s.Type, Data: f.Bytes(i)})
	}
	return nil
}

// relocModule is the backend's view of secs, which it may modify.
func (m *Module) relocModule(secs []reloc.Section) *reloc.Module {
	rm := &reloc.Module{Name: m.Name, File: m.File, Sections: make([]*reloc.Section, len(secs))}
	for i := range secs {
		rm.Sections[i] = &secs[i]
	}
	return rm
}

// RelocSections returns the object's relocation sections, decoded, in
// section order. The slice is shared; callers must not modify it.
func (m *Module) RelocSections() []reloc.RelocSection { return m.relocs }

// detach lets the object's buffer go while the module waits to be linked
// (elf.File.Detach): everything but the slices of the file's bytes stays.
// Only Batch calls it, on modules of its own, between placing and linking.
func (m *Module) detach() {
	if !m.File.Detach() {
		return
	}
	m.Modinfo = nil
	for i := range m.relocs {
		m.relocs[i].Data = nil
	}
}

// reattach takes the object's bytes again for linking (elf.File.Reattach),
// failing if the file changed.
func (m *Module) reattach() error {
	if m.File.Data != nil {
		return nil // not detached
	}
	if err := m.File.Reattach(); err != nil {
		return err
	}
	if m.ModinfoSec != 0 {
		m.Modinfo = modinfo.Modinfo(m.File.Bytes(m.ModinfoSec))
	}
	for i := range m.relocs {
		m.relocs[i].Data = m.File.Bytes(m.relocs[i].Index)
	}
	return nil
}
