package ia64

// The loader's tables, filled as relocations ask for them: GOT slots
// (get_ltoff), function descriptors (get_fdesc) and PLT stubs (get_plt,
// patch_plt), in the sections Size sized, each slot shared by value as
// the kernel shares it.

import (
	"fmt"

	"github.com/golink/golink/reloc"
)

// ltoff is the kernel's get_ltoff: the GOT slot holding value (one per
// distinct value in the whole module, handed out in relocation order),
// as an offset from gp.
func (r *relocator) ltoff(s *reloc.Site, value uint64) (uint64, error) {
	got := r.m.Sections[r.got]
	n := len(got.Data) / gotEntrySize
	for i := 0; i < r.nextGOT; i++ {
		if le.Uint64(got.Data[i*gotEntrySize:]) == value {
			return got.Addr + uint64(i*gotEntrySize) - r.gp, nil
		}
	}
	if r.nextGOT >= n {
		return 0, s.Errorf(TypeName(s.Type), "BUG() in get_ltoff: an oops, no message",
			"out of GOT entries: .got has %d, counted by the pre-pass (a type the count does not know?)", n)
	}
	i := r.nextGOT
	le.PutUint64(got.Data[i*gotEntrySize:], value)
	r.nextGOT++
	return got.Addr + uint64(i*gotEntrySize) - r.gp, nil
}

// fdesc is the kernel's get_fdesc: a module-local entry point gets a
// descriptor {value, gp} in .opd (one per entry point); any other value is
// taken to be a descriptor already and returned as it is.
func (r *relocator) fdesc(s *reloc.Site, value uint64) (uint64, error) {
	if value == 0 {
		r.log = append(r.log, kmsg(s, "fdesc for zero requested!"))
		return 0, nil
	}
	if !r.m.InModule(value) {
		return value, nil
	}
	opd := r.m.Sections[r.opd]
	for off := 0; ; off += fdescSize {
		if off+fdescSize > len(opd.Data) {
			return 0, s.Errorf(TypeName(s.Type), "BUG() in get_fdesc: an oops, no message",
				"out of function descriptors: .opd has %d, counted by the pre-pass", len(opd.Data)/fdescSize)
		}
		ip := le.Uint64(opd.Data[off:])
		if ip == value {
			return opd.Addr + uint64(off), nil
		}
		if ip == 0 {
			le.PutUint64(opd.Data[off:], value)
			le.PutUint64(opd.Data[off+8:], r.gp)
			return opd.Addr + uint64(off), nil
		}
	}
}

// descriptor reads the function descriptor at addr: one of this module's
// (.opd), one golink made for a kernel function, or one of a module linked
// earlier (Options.Descriptors). The kernel would read whatever memory is
// there; golink refuses an address it does not know to be a descriptor.
func (r *relocator) descriptor(s *reloc.Site, addr uint64) (ip, gp uint64, err error) {
	if r.m.InModule(addr) {
		opd := r.m.Sections[r.opd]
		if off := addr - opd.Addr; off < uint64(len(opd.Data)) && off+fdescSize <= uint64(len(opd.Data)) {
			ip, gp = le.Uint64(opd.Data[off:]), le.Uint64(opd.Data[off+8:])
			if ip != 0 {
				return ip, gp, nil
			}
		}
		return 0, 0, s.Errorf(TypeName(s.Type), "",
			"%#x (S+A) is not a function descriptor in .opd: the kernel would read the module's memory there as one; PLTOFF and IPLT need a descriptor", addr)
	}
	if e, ok := r.kdescAt[addr]; ok {
		return e, r.opts.KernelGP, nil
	}
	if ip, gp, ok := r.opts.Descriptors.Lookup(addr); ok {
		return ip, gp, nil
	}
	return 0, 0, s.Errorf(TypeName(s.Type), "",
		"%#x (S+A) is not a function descriptor golink knows: a branch or PLT reference leaving the module needs a kernel function (T in System.map) or a function another module exports", addr)
}

// plt is the kernel's get_plt: a stub in the PLT of P's region (init or
// core) that loads the gp of the descriptor at value and branches to its
// entry point; stubs are shared by entry point.
func (r *relocator) plt(s *reloc.Site, value uint64) (uint64, error) {
	ip, gp, err := r.descriptor(s, value)
	if err != nil {
		return 0, err
	}
	sec := r.m.Sections[r.corePLT]
	if r.m.Init.Contains(s.P) {
		sec = r.m.Sections[r.initPLT]
	}
	size := r.pltSize()
	plt48 := r.opts.PLT48
	for off := 0; ; off += size {
		if off+size > len(sec.Data) {
			return 0, s.Errorf(TypeName(s.Type), "BUG() in get_plt: an oops, no message",
				"out of PLT entries in %s: it has %d, counted by the pre-pass from relocation section names", sec.Name, len(sec.Data)/size)
		}
		e := sec.Data[off : off+size]
		addr := sec.Addr + uint64(off)
		if e[0] == 0 {
			if plt48 {
				copy(e, plt48Template[:])
			} else {
				copy(e, pltBRL[:])
			}
			if err := r.patchPLT(s, e, addr, ip, gp); err != nil {
				return 0, err
			}
			r.stubs = append(r.stubs, stub{addr: addr, size: uint64(size), name: s.SymName + "@plt"})
			return addr, nil
		}
		if t, _, _ := PLTTarget(e, addr, plt48); t == ip {
			return addr, nil
		}
	}
}

var plt48Template = plt48

// patchPLT is the kernel's patch_plt: it fills in a stub fresh from the
// template, with the same slot and range checks as a relocation.
func (r *relocator) patchPLT(s *reloc.Site, e []byte, addr, ip, gp uint64) error {
	b0 := LoadBundle(e)
	if r.opts.PLT48 {
		b1 := LoadBundle(e[16:])
		EncodeImm64(&b0, ip)
		EncodeImm64(&b1, gp)
		b0.Store(e)
		b1.Store(e[16:])
		return nil
	}
	b1 := LoadBundle(e[16:])
	EncodeImm64(&b0, gp)
	v := int64(ip-(addr+16)) / 16
	if o := s.CheckInt(TypeName(s.Type), v, "(target-stub)/16", 60); o != nil {
		o.Hint = fmt.Sprintf("PLT stub at %#x cannot reach %#x with brl", addr, ip)
		o.Kernel = kmsg(s, "value %d out of IMM60 range", v)
		return o
	}
	EncodeImm60(&b1, v)
	b0.Store(e)
	b1.Store(e[16:])
	return nil
}
