// Package reloc is the contract between golink's core linker and its
// architecture backends (reloc/x86_64, reloc/ia64), plus what they share:
// the relocation site, range checks and the errors a relocation can raise.
//
// The core linker owns the pipeline the kernel's load_module runs. Two
// phases touch the backend, at two different times:
//
//   - Sizing, once per module (golink.NewModule). The core finds the special
//     sections, then Arch.Size sees every relocation section before layout
//     (the kernel's module_frob_arch_sections: ia64 counts and sizes its
//     GOT, function descriptors and PLT stubs) and may resize, retype or
//     append the sections the arch owns. The core lays the sections out and
//     keeps the laid-out sections and the Plan that Size returned. Both are
//     immutable from then on.
//   - Relocating, once per link (golink.Module.Link, any number of times,
//     concurrently). The core copies the laid-out sections, gives them
//     addresses and memory, resolves symbols, then asks the Plan for a fresh
//     Relocator and hands it each relocation as a Site carrying S, A and P
//     (Relocator.Apply, the kernel's apply_relocate_add). All per-link state
//     (ia64's gp, GOT and PLT contents) lives in that Relocator; a Plan holds
//     only what Size decided, so links of one module share nothing mutable.
//
// Generic code computes the value (S+A, S+A-P, ...); a backend's Apply is one
// flat switch on the type that range-checks and stores. The range checks are
// the one-liners Site.CheckInt, Site.CheckUint and Site.CheckRange, which
// return an *OverflowError in one format for every backend.
//
// A backend never walks sections or symbol tables itself and never imports
// the core; the core never imports a backend.
package reloc

import (
	"debug/elf"
	"fmt"
	"iter"

	gelf "github.com/golink/golink/elf"
)

// Region is a contiguous block of module memory: the core or init area.
type Region struct {
	Base uint64
	Size uint64
}

// Contains reports whether addr lies in the region.
func (r Region) Contains(addr uint64) bool { return addr-r.Base < r.Size }

// Section is one section of a module as the linker lays it out. Sections an
// arch creates in Arch.Size have Index ≥ the object's section count.
type Section struct {
	Index int
	Name  string
	Type  elf.SectionType
	Flags elf.SectionFlag
	Size  uint64
	Align uint64

	// Set by layout.
	Loaded bool   // copied into module memory (SHF_ALLOC after the kernel's adjustments)
	Init   bool   // in the init region (freed after init)
	Offset uint64 // offset within its region
	Addr   uint64 // final address (for unloaded sections: the scratch copy's address)
	Data   []byte // the section's bytes in module memory; relocations write here (nil if not loaded)
}

// Symbol is one symbol-table entry as the backend sees it: its final value.
type Symbol struct {
	Name  string
	Value uint64 // absolute, after resolution
	Info  byte
	Shndx elf.SectionIndex
	// Undefined symbols only: whether it resolved (unresolved weak symbols keep
	// their value, normally 0), and whether it resolved to the kernel or a module.
	Resolved bool
	Kernel   bool
	Func     bool // the resolved export is a function (where known)
}

// Undefined reports whether the symbol was undefined in the object.
func (s *Symbol) Undefined() bool { return s.Shndx == elf.SHN_UNDEF }

// Module is the backend's view of the module being linked. The core linker
// fills it; a backend may resize, retype or add sections only in Arch.Size.
type Module struct {
	Name     string
	File     *gelf.File
	Sections []*Section // by section index
	Symbols  []Symbol   // by symbol index; values final once Relocate runs
	Core     Region
	Init     Region
}

// InModule reports whether addr lies in the module's core or init region
// (the kernel's "internal" test).
func (m *Module) InModule(addr uint64) bool { return m.Core.Contains(addr) || m.Init.Contains(addr) }

// RelocSection is one SHT_RELA or SHT_REL section of the object. Its
// entries stay in the object's bytes (5.66 million of them in a distribution
// kernel's modules) and are decoded as they are visited; every symbol index
// has been checked against the symbol table.
type RelocSection struct {
	Index  int
	Target int             // sh_info
	Type   elf.SectionType // SHT_RELA or SHT_REL
	Data   []byte          // the raw entries
}

// Len returns the number of entries.
func (rs *RelocSection) Len() int {
	if rs.Type == elf.SHT_REL {
		return len(rs.Data) / gelf.RelSize
	}
	return len(rs.Data) / gelf.RelaSize
}

// At decodes entry k.
func (rs *RelocSection) At(k int) gelf.Rela {
	if rs.Type == elf.SHT_REL {
		return gelf.DecodeRel(rs.Data[k*gelf.RelSize:])
	}
	return gelf.DecodeRela(rs.Data[k*gelf.RelaSize:])
}

// All yields every entry with its index, in order.
func (rs *RelocSection) All() iter.Seq2[int, gelf.Rela] {
	return func(yield func(int, gelf.Rela) bool) {
		n := rs.Len()
		for k := 0; k < n; k++ {
			if !yield(k, rs.At(k)) {
				return
			}
		}
	}
}

// Site is one relocation to apply: the place P in the target section, the
// type, and the resolved symbol value S with the addend A.
type Site struct {
	Module  *Module
	Section *Section // the target section
	Off     uint64   // r_offset within Section
	P       uint64   // Section.Addr + Off
	Type    uint32
	Sym     int    // symbol index
	S       uint64 // the symbol's final value
	A       int64  // r_addend
	SymName string // Module.Symbols[Sym].Name, or the section's name for a section symbol
}

// Bytes returns the n bytes at the site, or a *Error if they do not lie
// inside the target section.
func (s *Site) Bytes(n int, typeName string) ([]byte, error) {
	if s.Off > uint64(len(s.Section.Data)) || uint64(len(s.Section.Data))-s.Off < uint64(n) {
		return nil, s.Errorf(typeName, "", "%d-byte field at offset %#x extends past the end of %s (size %#x)",
			n, s.Off, s.Section.Name, len(s.Section.Data))
	}
	return s.Section.Data[s.Off : s.Off+uint64(n)], nil
}

// Errorf returns a *Error for the site with golink's message and the
// kernel's own message (kernel may be "").
func (s *Site) Errorf(typeName, kernel, format string, args ...any) *Error {
	return &Error{Module: s.Module.Name, Section: s.Section.Name, Off: s.Off, Type: typeName,
		Sym: s.SymName, Msg: fmt.Sprintf(format, args...), Kernel: kernel}
}

// Arch is an architecture backend. An Arch holds no per-module state and is
// safe for concurrent use; what it decides for one module lives in the Plan
// that Size returns, and per-link state in the Relocator the Plan makes.
type Arch interface {
	// Machine is the e_machine the backend links.
	Machine() elf.Machine
	// SmallFlag is the kernel's ARCH_SHF_SMALL: sections with it are laid out
	// last in the core region (0 if the arch has none).
	SmallFlag() elf.SectionFlag
	// TypeName names a relocation type as the psABI spells it, or
	// "R_<ARCH>(n)" for a number without a name.
	TypeName(t uint32) string
	// Size is the kernel's module_frob_arch_sections, run once per module
	// before layout. It sees every relocation section of the object and may
	// resize, retype or append sections of m that the arch owns (m has no
	// addresses, memory or symbol values yet). It returns the Plan every
	// link of the module uses, or an error refusing the module.
	Size(m *Module, relocs []RelocSection) (Plan, error)
}

// Plan is what Arch.Size decided for one module: which sections the arch
// owns and how they are sized. It is immutable and safe for concurrent use:
// it must not keep the *Module that Size saw, whose sections the core copies
// for every link.
type Plan interface {
	// Relocator returns a fresh Relocator for one link of the module.
	Relocator() Relocator
}

// Relocator applies one module's relocations for one link, after layout and
// symbol resolution. Its methods are called from one goroutine.
type Relocator interface {
	// Begin is called once before the first relocation, with addresses final
	// (ia64 chooses gp here).
	Begin(m *Module) error
	// Apply applies one SHT_RELA entry.
	Apply(s *Site) error
	// ApplyREL is called for an SHT_REL section whose target is loaded.
	// Backends of kernels that do not support REL refuse it.
	ApplyREL(m *Module, rel *RelocSection) error
	// Finish runs after the last relocation (writes arch-owned tables).
	Finish(m *Module) error
}

// Contributor is implemented by a Relocator whose arch adds to the linked
// image what is not one of the module's sections: ia64 shows its module gp
// as the symbol __gp and the kernel function descriptors it made as
// sections. The core asks once, after Finish succeeded.
type Contributor interface {
	Contribution() *Contribution
}

// Contribution is what an arch adds to a linked image.
type Contribution struct {
	Sections []ExtraSection
	Symbols  []ExtraSymbol
	// Log holds messages the kernel would have printed without failing
	// the load (ia64: "fdesc for zero requested!").
	Log []string
}

// ExtraSection is memory outside the module, shown in the image as an
// allocated section at Addr holding Data.
type ExtraSection struct {
	Name  string
	Flags elf.SectionFlag
	Addr  uint64
	Align uint64
	Data  []byte
}

// ExtraSymbol is a symbol added to the image: defined in
// Contribution.Sections[Section], or absolute (SHN_ABS) when Section is -1.
type ExtraSymbol struct {
	Name    string
	Value   uint64
	Size    uint64
	Info    byte // elf.ST_INFO(bind, type)
	Section int
}
