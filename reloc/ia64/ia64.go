package ia64

import (
	"debug/elf"
	"fmt"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/reloc"
)

// Options are the properties of the ia64 kernel a module is linked for.
type Options struct {
	// PLT48 selects the 48-byte Itanium 1 PLT stub (a kernel built with
	// CONFIG_ITANIUM, USE_BRL=0: movl r16=ip; movl gp=gp; mov b6=r16;
	// br b6). The default is the 32-byte brl stub of every other CPU choice
	// (CONFIG_MCKINLEY, which the shipped defconfigs use).
	PLT48 bool
	// Slot2Only models kernels before the 2017 change (about v4.11): they
	// accept IMM64 and IMM60 relocations only at slot 2 of the bundle,
	// while gas puts them at slot 1 on Linux.
	Slot2Only bool

	// KernelGP is the kernel's gp, the value of __gp in its System.map. It
	// goes into every kernel function descriptor golink makes.
	KernelGP uint64
	// KernelText and KernelOPD place the kernel function descriptors golink
	// makes: the descriptor {entry, KernelGP} of the kernel function whose
	// entry point is e lives at KernelOPD + (e − KernelText). The mapping
	// depends on the function alone, so every module linked against the
	// same kernel sees the same descriptor for it, as in the real kernel
	// where the descriptor lives in vmlinux's .opd. Entry points must be
	// 16-byte aligned (all ia64 code is) and not below KernelText.
	// KernelOPD 0 means no descriptors can be made: a module that imports a
	// kernel function then fails to link.
	KernelText, KernelOPD uint64

	// Descriptors, if not nil, holds the function descriptors of modules
	// linked earlier, so that a branch to a function another module
	// exports (whose symbol value is a descriptor in that module's .opd)
	// gets a PLT stub with the right entry and gp. Each successful link
	// adds its module's descriptors to it.
	Descriptors *Descriptors
}

// Arch is the ia64 backend. Its options are fixed at creation; it holds no
// per-module state and is safe for concurrent use.
type Arch struct {
	opts Options
}

// New returns the ia64 backend for a kernel with the given options.
func New(opts Options) *Arch { return &Arch{opts: opts} }

// Options returns the options the backend was made with.
func (a *Arch) Options() Options { return a.opts }

// Machine returns EM_IA_64.
func (*Arch) Machine() elf.Machine { return elf.EM_IA_64 }

// SmallFlag returns SHF_IA_64_SHORT, the kernel's ARCH_SHF_SMALL: such
// sections (.got, .sdata, .sbss) are laid out last in core, near gp.
func (*Arch) SmallFlag() elf.SectionFlag { return gelf.SHF_IA_64_SHORT }

// TypeName names an R_IA64 type, or R_IA64(0xNN) for an unnamed number.
func (*Arch) TypeName(t uint32) string { return R_IA64(t).String() }

// The sections module_frob_arch_sections sizes.
const (
	secCorePLT = ".core.plt"
	secInitPLT = ".init.plt"
	secGOT     = ".got"
	secOPD     = ".opd"
	secUnwind  = ".IA_64.unwind"
)

// Sizes of the loader's data structures.
const (
	gotEntrySize = 8  // struct got_entry { u64 val; }
	fdescSize    = 16 // struct fdesc { u64 ip; u64 gp; }
)

// Counts is what the pre-pass counted: upper bounds on the GOT entries,
// function descriptors and PLT stubs the relocations can ask for.
type Counts struct {
	GOT, FDesc, CorePLT, InitPLT int
}

// Count runs the kernel's count_gots, count_fdescs and count_plts over one
// relocation section: a relocation counts if its type is in the set and no
// earlier relocation of the same section has the same r_info and r_addend.
// The types are compared in full (32 bits), as the kernel does here; init
// says whether the section's own name contains ".init".
func Count(rels *reloc.RelocSection, init bool) Counts {
	var c Counts
	type key struct {
		info   uint64
		addend int64
	}
	seen := make(map[key]bool, rels.Len())
	for _, r := range rels.All() {
		k := key{r.Info, r.Addend}
		if seen[k] {
			continue
		}
		seen[k] = true
		switch R_IA64(r.Type()) {
		case R_IA64_LTOFF22, R_IA64_LTOFF22X, R_IA64_LTOFF64I,
			R_IA64_LTOFF_FPTR22, R_IA64_LTOFF_FPTR64I, R_IA64_LTOFF_FPTR32MSB,
			R_IA64_LTOFF_FPTR32LSB, R_IA64_LTOFF_FPTR64MSB, R_IA64_LTOFF_FPTR64LSB:
			c.GOT++
		}
		switch R_IA64(r.Type()) {
		case R_IA64_PCREL21B, R_IA64_PLTOFF22, R_IA64_PLTOFF64I, R_IA64_PLTOFF64MSB,
			R_IA64_PLTOFF64LSB, R_IA64_IPLTMSB, R_IA64_IPLTLSB:
			if init {
				c.InitPLT++
			} else {
				c.CorePLT++
			}
		}
		switch R_IA64(r.Type()) {
		case R_IA64_FPTR64I, R_IA64_FPTR32LSB, R_IA64_FPTR32MSB, R_IA64_FPTR64LSB, R_IA64_FPTR64MSB,
			R_IA64_LTOFF_FPTR22, R_IA64_LTOFF_FPTR32LSB, R_IA64_LTOFF_FPTR32MSB,
			R_IA64_LTOFF_FPTR64I, R_IA64_LTOFF_FPTR64LSB, R_IA64_LTOFF_FPTR64MSB,
			R_IA64_IPLTMSB, R_IA64_IPLTLSB, R_IA64_PCREL21B:
			c.FDesc++
		}
	}
	return c
}

func containsInit(name string) bool {
	for i := 0; i+5 <= len(name); i++ {
		if name[i:i+5] == ".init" {
			return true
		}
	}
	return false
}

// plan is what Size decided for one module: the kernel's struct
// mod_arch_specific as module_frob_arch_sections leaves it (which sections
// are the four, and the counts that sized them). It is immutable and
// shared by every link of the module.
type plan struct {
	opts    *Options
	counts  Counts
	created []string // sections Size appended

	// Section indexes in reloc.Module.Sections (unwind -1 if absent).
	corePLT, initPLT, got, opd, unwind int
}

// Relocator returns the relocator of one link: fresh gp, GOT, descriptors
// and PLT stubs, over the plan's sections.
func (p *plan) Relocator() reloc.Relocator { return &relocator{plan: p} }

// Size is the kernel's module_frob_arch_sections: it finds .core.plt,
// .init.plt, .got and .opd by name (the last of a name wins), counts what
// the relocations may need and sizes the four sections.
//
// The kernel refuses an object without the four placeholders its module
// linker script (arch/ia64/module.lds) adds ("sections missing"); golink
// appends the missing ones instead, so an object assembled or compiled
// without that script still links. The kernel makes the four SHT_NOBITS,
// zero-filled in memory; golink makes them SHT_PROGBITS, so that the image
// shows their contents, and zero-fills them in Begin: memory is the same.
func (a *Arch) Size(m *reloc.Module, relocs []reloc.RelocSection) (reloc.Plan, error) {
	r := &plan{opts: &a.opts, unwind: -1}
	idx := map[string]*int{secCorePLT: &r.corePLT, secInitPLT: &r.initPLT, secGOT: &r.got, secOPD: &r.opd, secUnwind: &r.unwind}
	for _, p := range idx {
		*p = -1
	}
	for i, s := range m.Sections {
		if p, ok := idx[s.Name]; ok {
			*p = i
		}
	}
	for _, name := range []string{secCorePLT, secInitPLT, secGOT, secOPD} {
		if p := idx[name]; *p < 0 {
			*p = len(m.Sections)
			m.Sections = append(m.Sections, &reloc.Section{Index: *p, Name: name})
			r.created = append(r.created, name)
		}
	}
	var c Counts
	for _, rs := range relocs {
		if rs.Index <= 0 || rs.Index >= len(m.Sections) || m.Sections[rs.Index].Type != elf.SHT_RELA {
			continue
		}
		k := Count(&rs, containsInit(m.Sections[rs.Index].Name))
		c.GOT += k.GOT
		c.FDesc += k.FDesc
		c.CorePLT += k.CorePLT
		c.InitPLT += k.InitPLT
	}
	r.counts = c
	plt := uint64(r.pltSize())
	set := func(i int, flags elf.SectionFlag, align, size uint64) {
		s := m.Sections[i]
		s.Type, s.Flags, s.Align, s.Size = elf.SHT_PROGBITS, flags, align, size
	}
	set(r.corePLT, elf.SHF_EXECINSTR|elf.SHF_ALLOC, 16, uint64(c.CorePLT)*plt)
	set(r.initPLT, elf.SHF_EXECINSTR|elf.SHF_ALLOC, 16, uint64(c.InitPLT)*plt)
	set(r.got, gelf.SHF_IA_64_SHORT|elf.SHF_ALLOC, 8, uint64(c.GOT)*gotEntrySize)
	set(r.opd, elf.SHF_ALLOC, 8, uint64(c.FDesc)*fdescSize)
	return r, nil
}

func (p *plan) pltSize() int {
	if p.opts.PLT48 {
		return 48
	}
	return 32
}

// Error helpers: the kernel prefixes its ia64 messages with the module name.

func kmsg(s *reloc.Site, format string, args ...any) string {
	return s.Module.Name + ": " + fmt.Sprintf(format, args...)
}
