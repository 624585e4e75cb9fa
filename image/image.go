package image

import (
	"debug/elf"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/modinfo"

	"github.com/golink/golink/reloc"
	"github.com/golink/golink/symtab"
)

// Layout is the size and class boundaries of one region (core or init), as
// the kernel's layout_sections and layout_symtab compute them: offsets from
// the region's base.
type Layout struct {
	TextSize        uint64 // end of executable sections
	RoSize          uint64 // end of read-only data
	RoAfterInitSize uint64 // end of ro-after-init data
	Size            uint64 // whole region, kallsyms tables included
}

// Region is a block of module memory at Base laid out as Layout says.
type Region struct {
	Base uint64
	Layout
}

// Contains reports whether addr lies in the region.
func (r Region) Contains(addr uint64) bool { return addr-r.Base < r.Size }

// Section is one section of the image, by its index in the image (which,
// for a written file, is its index there).
type Section struct {
	Index   int
	Name    string
	Type    elf.SectionType
	Flags   elf.SectionFlag
	Addr    uint64
	Size    uint64
	Align   uint64
	Entsize uint64
	// Loaded is set for the module's sections in its core or init region;
	// Init for those in init. The per-cpu template (.data..percpu) is in
	// the per-cpu area, not module memory: it is not Loaded.
	Loaded, Init bool
	// Data is the section's bytes: for sections in memory (loaded ones and
	// the per-cpu template) they alias it, so that writes change the
	// module; for the others (.modinfo, __versions, what an arch adds
	// outside the module) they are the section's contents.
	Data []byte
}

// Symbol is one entry of the image's symbol table at its final value, as
// the file has it: Shndx is an index into Image.Sections (which is the
// file's section index) or a special index: SHN_ABS for an import that
// resolved (and for an arch's absolute symbols), SHN_UNDEF for a weak
// import that did not. It is the writer's type, so that writing an image
// copies no symbol.
type Symbol = gelf.OutSymbol

// Import is an undefined symbol of the module and what it resolved to.
type Import struct {
	Name  string
	Addr  uint64
	Owner string // "" for the kernel, else the exporting module
	Weak  bool
}

// Image is a linked module: its memory as the kernel's loader leaves it
// after relocation, the sections and symbols that describe that memory, and
// what it exports. The same type comes from the linker (golink's
// Module.Link) and from a file the linker wrote (Read, Open); every reader
// of an image — parameters, kallsyms, exports, disassembly, the lifecycle —
// uses it the same way in both cases.
type Image struct {
	Name    string // the module's name (.modinfo name=, else struct module's)
	Path    string // the object it was linked from, or the image file read
	Machine elf.Machine
	Flags   uint32 // e_flags of the object
	Entry   uint64 // init_module's address, 0 if none

	Core, Init Region
	Percpu     Region // Base and Size only; zero if the module has no .data..percpu

	// Module memory: the core and init regions and the per-cpu template.
	CoreMem, InitMem, PercpuMem []byte
	// Kmalloc is the memory the kernel would have kmalloc'ed while setting
	// parameters (charp copies), or nil.
	Kmalloc *ParamArea

	Sections  []Section       // by index, 0 the null section
	Symbols   []Symbol        // by index, 0 the null symbol
	PercpuSec int             // index of .data..percpu in Sections, 0 if none
	Modinfo   modinfo.Modinfo // the .modinfo section's contents
	Exports   []symtab.Symbol // __ksymtab and __ksymtab_gpl, decoded (ReadExports)

	// What the load did, as the linker reports it; an image read back from
	// a file has none of it (its imports are its SHN_ABS symbols).
	Imports     []Import
	Relocations int       // relocations applied
	Taints      Taint     // taints the load set on the module
	Log         []LogLine // what the kernel would have logged (taints, warnings)
	// Extra is what the arch added outside the module (reloc.Contributor):
	// nil for x86_64; ia64's __gp and kernel function descriptors. Its
	// sections and symbols are also in Sections and Symbols.
	Extra *reloc.Contribution
}

// InModule reports whether addr is in the module's core or init region.
func (img *Image) InModule(addr uint64) bool {
	return img.Core.Contains(addr) || img.Init.Contains(addr)
}

// Section returns the first section called name, or nil.
func (img *Image) Section(name string) *Section {
	for i := range img.Sections {
		if img.Sections[i].Name == name && i != 0 {
			return &img.Sections[i]
		}
	}
	return nil
}

// SectionAt returns the section in memory (loaded, or the per-cpu
// template) that contains addr, or nil.
func (img *Image) SectionAt(addr uint64) *Section {
	for i := range img.Sections {
		s := &img.Sections[i]
		if (s.Loaded || i == img.PercpuSec && i != 0) && addr-s.Addr < s.Size {
			return s
		}
	}
	return nil
}

// Symbol returns the value of the first symbol called name that the module
// defines (not a section symbol, not an unresolved import), preferring one
// in a section to an absolute one (which a resolved import also is).
func (img *Image) Symbol(name string) (uint64, bool) {
	for _, abs := range [...]bool{false, true} {
		for i := 1; i < len(img.Symbols); i++ {
			s := &img.Symbols[i]
			if s.Name == name && s.Shndx != elf.SHN_UNDEF && (s.Shndx == elf.SHN_ABS) == abs && s.Type() != elf.STT_SECTION {
				return s.Value, true
			}
		}
	}
	return 0, false
}

// SymbolAt returns the name of a defined symbol whose value is addr,
// preferring functions and objects; imports (SHN_ABS) count.
func (img *Image) SymbolAt(addr uint64) (string, bool) {
	best, rank := "", 3
	for i := 1; i < len(img.Symbols); i++ {
		s := &img.Symbols[i]
		if s.Value != addr || s.Name == "" || s.Shndx == elf.SHN_UNDEF {
			continue
		}
		r := 2
		switch s.Type() {
		case elf.STT_FUNC, elf.STT_OBJECT:
			r = 0
		case elf.STT_NOTYPE:
			r = 1
		}
		if r < rank {
			best, rank = s.Name, r
		}
	}
	return best, rank < 3
}
