// Package x86_64 is golink's x86_64 relocation backend: the relocations the
// kernel's arch/x86/kernel/module.c applies to modules, with its semantics.
//
// ABI facts this file relies on (System V x86-64 psABI, Linux 6.1):
//
//   - Modules are built with -mcmodel=kernel: code and data live in the top
//     2 GiB of the address space, so absolute references are R_X86_64_32S
//     (sign-extended 32-bit) and module-to-kernel calls are R_X86_64_PLT32
//     or R_X86_64_PC32 (32-bit PC-relative). The kernel places modules within
//     ±2 GiB of its text so that both reach.
//   - Relocations are SHT_RELA: the value is computed from S+A (P for the
//     PC-relative types) and the field's current contents are ignored —
//     except that the kernel insists they are zero, to catch a relocation
//     applied twice (livepatch re-applies them).
//   - The kernel checks overflow only for R_X86_64_32 and R_X86_64_32S, after
//     storing; 6.1 truncates PC32/PLT32 silently. golink checks PC32 and PLT32
//     too and says the kernel would not have.
//   - SHT_REL is not supported on x86_64; the kernel refuses it.
//
// The kernel has no GOT or PLT for x86_64 modules, and by default none is
// built here: golink links as the kernel does. Options.GOT opts in to a
// small GOT and PLT synthesised in the pre-pass (see got.go), which running
// the code in a user process needs and the kernel does not.
package x86_64

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/golink/golink/reloc"
)

// Arch is the x86_64 backend. It is stateless and safe for concurrent use.
type Arch struct{ opts Options }

// Options select behaviour beyond the kernel's. The zero value is the
// kernel's loader exactly.
type Options struct {
	// GOT synthesises, in the pre-pass, a global offset table (.got) for
	// the GOT-relative relocations that position-independent code uses
	// (R_X86_64_GOTPCREL, GOTPCRELX, REX_GOTPCRELX and the rest of the
	// family) and a PLT stub (.plt) for every undefined symbol called
	// through R_X86_64_PLT32, used when the callee is out of reach of a
	// 32-bit displacement. It is how plain `gcc -c` output (PIE) loads, and
	// how code reaches a host whose functions lie more than 2 GiB away.
	// The kernel does neither; images linked with it differ from the
	// kernel's.
	GOT bool
}

// New returns the x86_64 backend: the kernel's, or with at most one
// Options value, one that also does what the options ask.
func New(opts ...Options) *Arch {
	a := &Arch{}
	if len(opts) > 0 {
		a.opts = opts[0]
	}
	return a
}

// Machine returns EM_X86_64.
func (*Arch) Machine() elf.Machine { return elf.EM_X86_64 }

// SmallFlag returns 0: x86 has no ARCH_SHF_SMALL.
func (*Arch) SmallFlag() elf.SectionFlag { return 0 }

// TypeName names an R_X86_64 type, or R_X86_64(n) for an unnamed number.
func (*Arch) TypeName(t uint32) string { return TypeName(t) }

// TypeName names an R_X86_64 type, or R_X86_64(n) for an unnamed number.
func TypeName(t uint32) string {
	s := elf.R_X86_64(t).String()
	// debug/elf spells unknown numbers as "R_X86_64_X+n" or bare digits.
	if !strings.HasPrefix(s, "R_X86_64_") || strings.ContainsRune(s, '+') {
		return fmt.Sprintf("R_X86_64(%d)", t)
	}
	return s
}

// Size has nothing to size on x86_64 unless Options.GOT asks for a GOT and
// PLT, which it counts and appends to m's sections (see got.go). The Plan
// it returns makes the relocators of the module's links.
func (a *Arch) Size(m *reloc.Module, relocs []reloc.RelocSection) (reloc.Plan, error) {
	if !a.opts.GOT {
		return kernelPlan{}, nil
	}
	g, err := sizeGOT(m, relocs)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// kernelPlan is the plan of the kernel's backend: nothing sized.
type kernelPlan struct{}

func (kernelPlan) Relocator() reloc.Relocator { return &relocator{} }

// relocator is one link's state: none for the kernel's backend, the GOT
// and PLT sections' place in memory with Options.GOT.
type relocator struct {
	got *gotPLT // nil: the kernel's backend
}

func (r *relocator) Begin(m *reloc.Module) error {
	if r.got != nil {
		return r.got.begin(m)
	}
	return nil
}

func (*relocator) Finish(m *reloc.Module) error { return nil }

// Contribution names the PLT stubs (printk@plt) in the image; nil without
// Options.GOT.
func (r *relocator) Contribution() *reloc.Contribution {
	if r.got == nil {
		return nil
	}
	return r.got.contribution()
}

// ApplyREL refuses SHT_REL as the kernel's generic apply_relocate stub does.
func (*relocator) ApplyREL(m *reloc.Module, rel *reloc.RelocSection) error {
	t := m.Sections[rel.Target]
	return &reloc.Error{Module: m.Name, Section: t.Name, Msg: fmt.Sprintf("SHT_REL section %s: REL relocations are not supported on x86_64",
		m.Sections[rel.Index].Name), Kernel: fmt.Sprintf("module %s: REL relocation unsupported", m.Name)}
}

var le = binary.LittleEndian

// Apply applies one relocation: the kernel's __apply_relocate_add for one
// Elf64_Rela, with golink's PC32 overflow check added.
func (r *relocator) Apply(s *reloc.Site) error {
	typ := elf.R_X86_64(s.Type)
	if r.got != nil {
		if done, err := r.got.apply(s); done {
			return err
		}
	}
	val := s.S + uint64(s.A)
	var size int
	switch typ {
	case elf.R_X86_64_NONE:
		return nil
	case elf.R_X86_64_64, elf.R_X86_64_PC64:
		size = 8
	case elf.R_X86_64_32, elf.R_X86_64_32S, elf.R_X86_64_PC32, elf.R_X86_64_PLT32:
		size = 4
	default:
		return s.Errorf(TypeName(s.Type), fmt.Sprintf("module: %s: Unknown rela relocation: %d", s.Module.Name, s.Type),
			"unsupported relocation type (the kernel applies R_X86_64_NONE, 64, 32, 32S, PC32, PLT32 and PC64)")
	}
	if s.Off > uint64(len(s.Section.Data)) || uint64(len(s.Section.Data))-s.Off < uint64(size) {
		_, err := s.Bytes(size, TypeName(s.Type)) // the error, named
		return err
	}
	loc := s.Section.Data[s.Off : s.Off+uint64(size)]
	if !zero(loc) {
		var old uint64
		if size == 8 {
			old = le.Uint64(loc)
		} else {
			old = uint64(le.Uint32(loc))
		}
		return s.Errorf(TypeName(s.Type),
			fmt.Sprintf("module: x86/modules: Skipping invalid relocation target, existing value is nonzero for type %d, loc %016x, val %x",
				s.Type, s.P, val),
			"existing value is nonzero (%#x): relocated twice?", old)
	}
	switch typ {
	case elf.R_X86_64_64:
		le.PutUint64(loc, val)
	case elf.R_X86_64_PC64:
		le.PutUint64(loc, val-s.P)
	case elf.R_X86_64_32:
		if e := s.CheckUint(TypeName(s.Type), val, "S+A", 32); e != nil {
			return kernelOverflow(s, e)
		}
		le.PutUint32(loc, uint32(val))
	case elf.R_X86_64_32S:
		if e := s.CheckInt(TypeName(s.Type), int64(val), "S+A", 32); e != nil {
			return kernelOverflow(s, e)
		}
		le.PutUint32(loc, uint32(val))
	case elf.R_X86_64_PC32, elf.R_X86_64_PLT32:
		v := int64(val - s.P)
		if e := s.CheckInt(TypeName(s.Type), v, "S+A-P", 32); e != nil {
			e.Hint = "is the module within ±2 GiB of what it references? (--base)"
			e.Note = "Linux 6.1 does not check this and would store the truncated value"
			return e
		}
		le.PutUint32(loc, uint32(v))
	}
	return nil
}

// kernelOverflow adds to e, the overflow the kernel itself detects for
// R_X86_64_32 and R_X86_64_32S, the hint and the kernel's two lines of dmesg.
func kernelOverflow(s *reloc.Site, e *reloc.OverflowError) error {
	e.Hint = "built with -mcmodel=kernel?"
	e.Kernel = fmt.Sprintf("module: overflow in relocation type %d val %x\nmodule: `%s' likely not compiled with -mcmodel=kernel",
		s.Type, uint64(e.Value), s.Module.Name)
	return e
}

func zero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
