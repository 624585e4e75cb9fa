package x86_64

// A GOT and PLT for modules, beyond the kernel (Options.GOT).
//
// The kernel links only code built with -mcmodel=kernel -fno-pic: every
// reference is a 32-bit displacement or a 32-bit sign-extended address,
// and the kernel places modules within 2 GiB of what they call. Plain
// `gcc -c` on a modern distribution builds position-independent code
// (-fPIE) instead: data defined elsewhere is loaded through the global
// offset table,
//
//	mov  foo@GOTPCREL(%rip), %rax    R_X86_64_REX_GOTPCRELX  G+GOT+A-P
//
// and calls go through the procedure linkage table,
//
//	call bar@PLT                     R_X86_64_PLT32          L+A-P
//
// A static linker (ld, lld, mold) makes both tables; so do the in-memory
// linkers that run such objects (LLVM's JITLink, tcc -run). golink does it
// the same way, sized in the pre-pass as the kernel's ia64 loader sizes its
// own GOT and PLT (module_frob_arch_sections):
//
//   - .got holds one 8-byte entry per symbol that a GOT-relative relocation
//     names, filled with the symbol's final value before any relocation is
//     applied. It is read-only data: nothing writes it after relocation.
//   - .plt holds one 16-byte stub per undefined symbol called through
//     R_X86_64_PLT32: `jmp *0(%rip)` followed by the 8-byte target, padded
//     with int3. A call uses its stub only when the callee is farther than
//     a 32-bit displacement reaches; otherwise the call is direct, as a
//     static linker relaxes a call to a symbol it binds locally.
//
// The GOTPCRELX forms allow a linker to rewrite `mov foo@GOTPCREL(%rip)`
// into `lea foo(%rip)`; golink does not relax instructions, so the bytes
// of the code stay the compiler's and the GOT is always used.

import (
	"debug/elf"
	"fmt"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/reloc"
)

const (
	gotEntrySize = 8
	pltStubSize  = 16
	gotName      = ".got"
	pltName      = ".plt"
	gotSymbol    = "_GLOBAL_OFFSET_TABLE_"
)

// gotPlan is what the pre-pass decided for one module: which symbols get a
// GOT entry and which a PLT stub. It is immutable once sizeGOT returns and
// shared by every link of the module.
type gotPlan struct {
	got, plt int      // section indexes, -1 when not needed
	slot     []int32  // symbol index → GOT entry + 1 (0: none)
	stub     []int32  // symbol index → PLT stub + 1 (0: none)
	gotSyms  []uint32 // GOT entry → symbol index
	pltSyms  []uint32 // PLT stub → symbol index
}

// Relocator returns the relocator of one link, with its own tables.
func (p *gotPlan) Relocator() reloc.Relocator { return &relocator{got: &gotPLT{gotPlan: p}} }

// gotPLT is one link's synthesised tables: the plan, and the sections'
// place in that link's memory.
type gotPLT struct {
	*gotPlan
	m      *reloc.Module  // set by begin
	gotSec *reloc.Section // set by begin
	pltSec *reloc.Section // set by begin
}

// gotSlotType reports whether t needs a GOT entry for its symbol.
func gotSlotType(t elf.R_X86_64) bool {
	switch t {
	case elf.R_X86_64_GOTPCREL, elf.R_X86_64_GOTPCRELX, elf.R_X86_64_REX_GOTPCRELX,
		elf.R_X86_64_GOTPCREL64, elf.R_X86_64_GOT32, elf.R_X86_64_GOT64, elf.R_X86_64_GOTPLT64:
		return true
	}
	return false
}

// gotBaseType reports whether t refers to the GOT's address itself.
func gotBaseType(t elf.R_X86_64) bool {
	switch t {
	case elf.R_X86_64_GOTPC32, elf.R_X86_64_GOTPC64, elf.R_X86_64_GOTOFF64, elf.R_X86_64_PLTOFF64:
		return true
	}
	return false
}

// symtabOf returns the object's symbol table, or the zero SymTab (no
// entries) when it has none or a bad one, which the core refuses.
func symtabOf(f *gelf.File) gelf.SymTab {
	if f == nil || f.Symtab <= 0 {
		return gelf.SymTab{}
	}
	t, err := f.SymTab(f.Symtab)
	if err != nil {
		return gelf.SymTab{}
	}
	return t
}

// undefined reports whether symbol i of t is undefined, and its name's
// bytes.
func undefined(t gelf.SymTab, i uint32) (bool, []byte) {
	if int(i) >= t.Len() || elf.SectionIndex(t.Sym(int(i)).Shndx) != elf.SHN_UNDEF {
		return false, nil
	}
	return true, t.NameBytes(int(i))
}

// sizeGOT counts what the module's relocations need and appends .got and
// .plt to its sections (only those it needs, so an object without GOT or
// PLT relocations is laid out exactly as the kernel lays it out).
func sizeGOT(m *reloc.Module, relocs []reloc.RelocSection) (*gotPlan, error) {
	syms := symtabOf(m.File)
	n := syms.Len()
	g := &gotPlan{got: -1, plt: -1, slot: make([]int32, n), stub: make([]int32, n)}
	// seen marks symbols whose undefined-ness and name have been looked
	// at: 1 looked at, 2 the undefined _GLOBAL_OFFSET_TABLE_.
	seen := make([]uint8, n)
	needGOT := false
	for k := range relocs {
		rs := &relocs[k]
		if rs.Type != elf.SHT_RELA || rs.Target <= 0 || rs.Target >= len(m.Sections) ||
			m.Sections[rs.Target].Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		for _, r := range rs.All() {
			t, sym := elf.R_X86_64(r.Type()), r.Sym()
			if int(sym) >= n {
				continue // the core refuses it
			}
			if t == elf.R_X86_64_NONE {
				continue
			}
			switch {
			case gotSlotType(t):
				if g.slot[sym] == 0 {
					g.gotSyms = append(g.gotSyms, sym)
					g.slot[sym] = int32(len(g.gotSyms))
				}
			case gotBaseType(t):
				needGOT = true
			}
			if seen[sym] == 0 {
				seen[sym] = 1
				if undef, name := undefined(syms, sym); undef && string(name) == gotSymbol {
					seen[sym] = 2
				}
			}
			if seen[sym] == 2 {
				needGOT = true
				continue
			}
			if (t == elf.R_X86_64_PLT32 || t == elf.R_X86_64_PLTOFF64) && g.stub[sym] == 0 {
				if undef, name := undefined(syms, sym); undef && len(name) > 0 {
					g.pltSyms = append(g.pltSyms, sym)
					g.stub[sym] = int32(len(g.pltSyms))
				}
			}
		}
	}
	if len(g.gotSyms) > 0 || needGOT {
		g.got = len(m.Sections)
		m.Sections = append(m.Sections, &reloc.Section{Index: g.got, Name: gotName, Type: elf.SHT_PROGBITS,
			Flags: elf.SHF_ALLOC, Align: gotEntrySize, Size: uint64(max(len(g.gotSyms), 1)) * gotEntrySize})
	}
	if len(g.pltSyms) > 0 {
		g.plt = len(m.Sections)
		m.Sections = append(m.Sections, &reloc.Section{Index: g.plt, Name: pltName, Type: elf.SHT_PROGBITS,
			Flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR, Align: 16, Size: uint64(len(g.pltSyms)) * pltStubSize})
	}
	return g, nil
}

// begin fills the GOT and the PLT stubs: every symbol value is final now.
func (g *gotPLT) begin(m *reloc.Module) error {
	g.m = m
	for _, p := range []struct {
		idx int
		sec **reloc.Section
	}{{g.got, &g.gotSec}, {g.plt, &g.pltSec}} {
		if p.idx < 0 {
			continue
		}
		s := m.Sections[p.idx]
		if !s.Loaded || uint64(len(s.Data)) != s.Size {
			return &reloc.Error{Module: m.Name, Section: s.Name, Msg: "the synthesised section was not laid out"}
		}
		*p.sec = s
	}
	for i, sym := range g.gotSyms {
		if int(sym) >= len(m.Symbols) {
			return &reloc.Error{Module: m.Name, Section: gotName, Msg: fmt.Sprintf("GOT entry for symbol index %d, past the symbol table", sym)}
		}
		le.PutUint64(g.gotSec.Data[i*gotEntrySize:], m.Symbols[sym].Value)
	}
	for i, sym := range g.pltSyms {
		if int(sym) >= len(m.Symbols) {
			return &reloc.Error{Module: m.Name, Section: pltName, Msg: fmt.Sprintf("PLT stub for symbol index %d, past the symbol table", sym)}
		}
		stub := g.pltSec.Data[i*pltStubSize : (i+1)*pltStubSize]
		copy(stub, []byte{0xff, 0x25, 0, 0, 0, 0}) // jmp *0(%rip)
		le.PutUint64(stub[6:], m.Symbols[sym].Value)
		stub[14], stub[15] = 0xcc, 0xcc // int3
	}
	return nil
}

func (g *gotPLT) gotBase() uint64 {
	if g.gotSec == nil {
		return 0
	}
	return g.gotSec.Addr
}

// apply handles the relocations the kernel does not know. done is false
// when the kernel's code should apply the relocation (possibly with S
// changed: a call that reaches its callee directly, or a reference to
// _GLOBAL_OFFSET_TABLE_).
func (g *gotPLT) apply(s *reloc.Site) (done bool, err error) {
	t := elf.R_X86_64(s.Type)
	slot := func() (uint64, error) {
		if s.Sym < 0 || s.Sym >= len(g.slot) || g.slot[s.Sym] == 0 || g.gotSec == nil {
			return 0, s.Errorf(TypeName(s.Type), "", "no GOT entry was made for this symbol in the pre-pass")
		}
		return uint64(g.slot[s.Sym]-1) * gotEntrySize, nil
	}
	stub := func() (uint64, bool) {
		if s.Sym < 0 || s.Sym >= len(g.stub) || g.stub[s.Sym] == 0 || g.pltSec == nil {
			return 0, false
		}
		return g.pltSec.Addr + uint64(g.stub[s.Sym]-1)*pltStubSize, true
	}
	switch {
	case t == elf.R_X86_64_PLT32:
		L, ok := stub()
		if !ok || reloc.FitsSigned(int64(s.S+uint64(s.A)-s.P), 32) {
			return false, nil
		}
		return true, store(s, 4, L+uint64(s.A)-s.P, "L+A-P")
	case t == elf.R_X86_64_PLTOFF64:
		L, ok := stub()
		if !ok {
			L = s.S
		}
		return true, store(s, 8, L+uint64(s.A)-g.gotBase(), "L+A-GOT")
	case gotSlotType(t):
		G, err := slot()
		if err != nil {
			return true, err
		}
		GOT, A, P := g.gotBase(), uint64(s.A), s.P
		switch t {
		case elf.R_X86_64_GOTPCREL64:
			return true, store(s, 8, G+GOT+A-P, "G+GOT+A-P")
		case elf.R_X86_64_GOT32:
			return true, store(s, 4, G+A, "G+A")
		case elf.R_X86_64_GOT64, elf.R_X86_64_GOTPLT64:
			return true, store(s, 8, G+A, "G+A")
		default: // GOTPCREL, GOTPCRELX, REX_GOTPCRELX
			return true, store(s, 4, G+GOT+A-P, "G+GOT+A-P")
		}
	case t == elf.R_X86_64_GOTPC32:
		return true, store(s, 4, g.gotBase()+uint64(s.A)-s.P, "GOT+A-P")
	case t == elf.R_X86_64_GOTPC64:
		return true, store(s, 8, g.gotBase()+uint64(s.A)-s.P, "GOT+A-P")
	case t == elf.R_X86_64_GOTOFF64:
		return true, store(s, 8, s.S+uint64(s.A)-g.gotBase(), "S+A-GOT")
	}
	if s.SymName == gotSymbol && g.gotSec != nil && s.Sym < len(g.m.Symbols) && g.m.Symbols[s.Sym].Undefined() {
		s.S = g.gotBase() // the linker defines _GLOBAL_OFFSET_TABLE_ as the GOT's address
	}
	return false, nil
}

// store writes v into the size-byte field at the site, refusing a field
// that is not zero as the kernel's own types do. A 4-byte field holds a
// signed 32-bit value (every 32-bit GOT and PLT type is one).
func store(s *reloc.Site, size int, v uint64, formula string) error {
	loc, err := s.Bytes(size, "")
	if err != nil {
		_, err = s.Bytes(size, TypeName(s.Type))
		return err
	}
	if !zero(loc) {
		return s.Errorf(TypeName(s.Type), "", "existing value is nonzero: relocated twice?")
	}
	if size == 8 {
		le.PutUint64(loc, v)
		return nil
	}
	if e := s.CheckInt(TypeName(s.Type), int64(v), formula, 32); e != nil {
		e.Hint = "is the module within ±2 GiB of its GOT and PLT?"
		return e
	}
	le.PutUint32(loc, uint32(v))
	return nil
}

// contribution names each PLT stub sym@plt, as objdump names a linked
// executable's stubs.
func (g *gotPLT) contribution() *reloc.Contribution {
	if g.pltSec == nil {
		return nil
	}
	c := &reloc.Contribution{Symbols: make([]reloc.ExtraSymbol, 0, len(g.pltSyms))}
	syms := symtabOf(g.m.File)
	for i, sym := range g.pltSyms {
		c.Symbols = append(c.Symbols, reloc.ExtraSymbol{Name: syms.Name(int(sym)) + "@plt", Value: g.pltSec.Addr + uint64(i)*pltStubSize,
			Size: pltStubSize, Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_FUNC), Section: -1})
	}
	return c
}
