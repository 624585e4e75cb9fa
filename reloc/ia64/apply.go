package ia64

import (
	"debug/elf"
	"encoding/binary"
	"fmt"

	"github.com/golink/golink/reloc"
)

var le = binary.LittleEndian

// maxLTOFF is the kernel's MAX_LTOFF: the reach of a 22-bit gp-relative
// offset (±2 MiB around gp).
const maxLTOFF = 1 << 22

// relocator is one link's ia64 state: the rest of the kernel's struct
// mod_arch_specific (gp, next_got_entry, the contents of the four sections
// the plan sized) plus the kernel function descriptors golink made.
type relocator struct {
	*plan

	m       *reloc.Module
	gp      uint64
	nextGOT int
	kdescs  []kernelDesc
	kdescAt map[uint64]uint64 // descriptor address → entry point
	stubs   []stub            // PLT stubs made, for the image's symbols
	log     []string
}

// GP returns the module's gp (valid after Begin).
func (r *relocator) GP() uint64 { return r.gp }

// Begin chooses gp by the kernel's rule, zero-fills the arch sections and
// gives every imported kernel function its descriptor address as its value.
//
// gp rule (apply_relocate_add, Linux 6.1 and earlier): with size the core
// region's total size, gp = core base + (size/2, or size − 2 MiB when the
// core exceeds 4 MiB), rounded up to a multiple of 8. Small-data sections
// (.got among them) are laid out last in core, so they stay in reach.
func (r *relocator) Begin(m *reloc.Module) error {
	r.m = m
	size := m.Core.Size
	off := size / 2
	if size > maxLTOFF {
		off = size - maxLTOFF/2
	}
	r.gp = m.Core.Base + (off+7)&^7
	for _, i := range []int{r.corePLT, r.initPLT, r.got, r.opd} {
		clear(m.Sections[i].Data)
	}
	var errs []string
	r.kdescAt = map[uint64]uint64{}
	for i := range m.Symbols {
		s := &m.Symbols[i]
		if !s.Undefined() || !s.Resolved || !s.Kernel || !s.Func {
			continue
		}
		d, err := KernelDescriptor(r.opts, s.Value)
		if err != nil {
			errs = append(errs, fmt.Sprintf("kernel function %s: %v", s.Name, err))
			continue
		}
		r.kdescs = append(r.kdescs, kernelDesc{name: s.Name, addr: d, entry: s.Value})
		r.kdescAt[d] = s.Value
		s.Value = d
	}
	if len(errs) > 0 {
		return &reloc.Error{Module: m.Name, Section: "(symbols)", Msg: fmt.Sprintf("%s (and %d more)", errs[0], len(errs)-1)}
	}
	return nil
}

// ApplyREL refuses SHT_REL, as the kernel's ia64 apply_relocate does.
func (r *relocator) ApplyREL(m *reloc.Module, rel *reloc.RelocSection) error {
	return &reloc.Error{Module: m.Name, Section: m.Sections[rel.Target].Name,
		Msg:    fmt.Sprintf("SHT_REL section %s: REL relocations are not supported on ia64", m.Sections[rel.Index].Name),
		Kernel: fmt.Sprintf("module %s: REL relocs in section %d unsupported", m.Name, rel.Index)}
}

// Apply applies one relocation: the kernel's do_reloc. The type is cut to
// 8 bits as the kernel's uint8_t parameter does; the value formula runs
// first (it may take GOT, descriptor and PLT slots), then the format
// writer range-checks and stores.
func (r *relocator) Apply(s *reloc.Site) error {
	t := uint8(s.Type)
	name := TypeName(s.Type)
	fmtNum, fo := split(t)
	val := s.S + uint64(s.A)
	expr := "S+A"
	var err error
	switch fo {
	case RV_SEGREL, RV_DIRECT:
		// The segment base is 0 for modules: SEGREL is S+A.
	case RV_GPREL:
		val -= r.gp
		expr = "S+A-gp"
	case RV_LTREL:
		val, err = r.ltoff(s, val)
		expr = "got(S+A)-gp"
	case RV_PLTREL:
		val, err = r.plt(s, val)
		expr = "plt(S+A)"
	case RV_FPTR:
		val, err = r.fdesc(s, val)
		expr = "fdesc(S+A)"
	case RV_SECREL:
		val -= s.Section.Addr
		expr = "S+A-" + s.Section.Name
	case RV_LTREL_FPTR:
		if val, err = r.fdesc(s, val); err == nil {
			val, err = r.ltoff(s, val)
		}
		expr = "got(fdesc(S+A))-gp"
	case RV_PCREL:
		switch R_IA64(t) {
		case R_IA64_PCREL32MSB, R_IA64_PCREL32LSB, R_IA64_PCREL64MSB, R_IA64_PCREL64LSB:
			val -= s.P
			expr = "S+A-P"
		case R_IA64_PCREL21B:
			val, expr, err = r.branch(s, val)
			val -= bundle(s.P)
		default:
			val -= bundle(s.P)
			expr = "S+A-bundle(P)"
		}
		switch R_IA64(t) {
		case R_IA64_PCREL60B:
			fmtNum = RF_INSN60
		case R_IA64_PCREL21B:
			fmtNum = RF_INSN21B
		case R_IA64_PCREL21M:
			fmtNum = RF_INSN21M
		case R_IA64_PCREL21F:
			fmtNum = RF_INSN21F
		}
	case RV_BDREL:
		base := r.m.Core.Base
		if r.m.Init.Contains(val) {
			base = r.m.Init.Base
		}
		val -= base
		expr = "S+A-base"
	case RV_LTV:
		return s.Errorf(name, "BUG() in do_reloc: an oops, no message",
			"link-time-value relocations cannot occur in a module: the kernel stops with BUG() on them")
	case RV_PCREL2:
		if R_IA64(t) == R_IA64_PCREL21BI {
			if !r.m.InModule(val) {
				return s.Errorf(name, fmt.Sprintf("do_reloc: %s reloc against non-local symbol (%x)", kernelName(t), val),
					"target %#x is outside the module: PCREL21BI reaches module-local code only", val)
			}
			fmtNum = RF_INSN21B
		}
		val -= bundle(s.P)
		expr = "S+A-bundle(P)"
	case RV_SPECIAL:
		switch R_IA64(t) {
		case R_IA64_IPLTMSB, R_IA64_IPLTLSB:
			if val, err = r.plt(s, val); err == nil {
				val, err = r.fdesc(s, val)
			}
			expr = "fdesc(plt(S+A))"
			fmtNum = RF_64LSB
			if R_IA64(t) == R_IA64_IPLTMSB {
				fmtNum = RF_64MSB
			}
		case R_IA64_SUB:
			val = uint64(s.A) - s.S
			expr = "A-S"
			fmtNum = RF_INSN64
		case R_IA64_LTOFF22X:
			if r.gpAddressable(val) {
				val -= r.gp
				expr = "S+A-gp"
			} else {
				val, err = r.ltoff(s, val)
				expr = "got(S+A)-gp"
			}
			fmtNum = RF_INSN22
		case R_IA64_LDXMOV:
			if !r.gpAddressable(val) {
				return nil
			}
			b, nib, err := r.bundleAt(s, name)
			if err != nil {
				return err
			}
			bb := LoadBundle(b)
			bb.Patch(nib, maskLDXMOV, valLDXMOV)
			bb.Store(b)
			return nil
		default:
			if kernelName(t) != "?" {
				return s.Errorf(name, kmsg(s, "special reloc %s not supported", kernelName(t)),
					"copy relocations belong to executables and shared objects, not modules")
			}
			return s.Errorf(name, kmsg(s, "unknown special reloc %x", t), "unknown special relocation type")
		}
	case RV_TPREL, RV_LTREL_TPREL, RV_DTPMOD, RV_LTREL_DTPMOD, RV_DTPREL, RV_LTREL_DTPREL:
		return s.Errorf(name, kmsg(s, "%s reloc not supported", kernelName(t)),
			"thread-local storage is not supported in modules")
	default:
		return s.Errorf(name, kmsg(s, "unknown reloc %x", t), "type %#x has a value formula (%d) the ia64 loader does not know%s", s.Type, fo, truncNote(s.Type))
	}
	if err != nil {
		return err
	}
	return r.store(s, name, t, fmtNum, val, expr)
}

func truncNote(t uint32) string {
	if t > 0xff {
		return fmt.Sprintf(" (the kernel reads it as %#x: it keeps the low 8 bits)", uint8(t))
	}
	return ""
}

// store is the format switch of do_reloc.
func (r *relocator) store(s *reloc.Site, name string, t uint8, f format, val uint64, expr string) error {
	switch f {
	case RF_INSN21B:
		return r.applyImm21b(s, name, int64(val)/16, "("+expr+")/16")
	case RF_INSN22:
		return r.applyImm22(s, name, val, expr)
	case RF_INSN64:
		return r.applyImm64(s, name, val)
	case RF_INSN60:
		return r.applyImm60(s, name, int64(val)/16, "("+expr+")/16")
	case RF_32LSB:
		b, err := s.Bytes(4, name)
		if err != nil {
			return err
		}
		le.PutUint32(b, uint32(val))
		return nil
	case RF_64LSB:
		b, err := s.Bytes(8, name)
		if err != nil {
			return err
		}
		le.PutUint64(b, val)
		return nil
	case RF_32MSB, RF_64MSB, RF_INSN14, RF_INSN21M, RF_INSN21F:
		return s.Errorf(name, kmsg(s, "format %d needed by %s reloc is not supported", f, kernelName(t)),
			"%s", refusedFormat[f])
	}
	return s.Errorf(name, kmsg(s, "relocation %s resulted in unknown format %d", kernelName(t), f),
		"relocation type %#x has no target format", t)
}

var refusedFormat = map[format]string{
	RF_32MSB:   "big-endian (MSB) data is not supported: ia64 Linux is little-endian",
	RF_64MSB:   "big-endian (MSB) data is not supported: ia64 Linux is little-endian",
	RF_INSN14:  "the 14-bit immediate of adds is not supported: the kernel expects it resolved by ld -r",
	RF_INSN21M: "the 21-bit chk.s displacement is not supported: the kernel expects it resolved by ld -r",
	RF_INSN21F: "the 21-bit fchkf displacement is not supported: the kernel expects it resolved by ld -r",
}

func bundle(p uint64) uint64 { return p &^ 15 }

// gpAddressable is the kernel's gp_addressable: −2 MiB ≤ v − gp < 2 MiB,
// what a 22-bit gp-relative offset reaches (MAX_LTOFF).
func (r *relocator) gpAddressable(v uint64) bool { return reloc.FitsSigned(int64(v-r.gp), 22) }

// branch is the PCREL21B value rule of do_reloc: a branch between init and
// core that does not reach, and any branch leaving the module, goes
// through a PLT stub.
func (r *relocator) branch(s *reloc.Site, val uint64) (uint64, string, error) {
	m := r.m
	if (m.Init.Contains(val) && m.Core.Contains(s.P)) || (m.Core.Contains(val) && m.Init.Contains(s.P)) {
		if delta := (int64(val) - int64(s.P)) / 16; !reloc.FitsSigned(delta, 21) {
			d, err := r.fdesc(s, val)
			if err != nil {
				return 0, "", err
			}
			v, err := r.plt(s, d)
			return v, "plt(fdesc(S+A))-bundle(P)", err
		}
		return val, "S+A-bundle(P)", nil
	}
	if !m.InModule(val) {
		v, err := r.plt(s, val)
		return v, "plt(S+A)-bundle(P)", err
	}
	return val, "S+A-bundle(P)", nil
}

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

// bundleAt returns the 16 bytes of the bundle holding P and P's slot
// nibble. golink refuses a nibble of 3 or more (no such slot), where the
// kernel silently patched nothing.
func (r *relocator) bundleAt(s *reloc.Site, name string) ([]byte, int, error) {
	nib := int(s.P & 15)
	if uint64(nib) > s.Off || s.Off-uint64(nib)+BundleSize > uint64(len(s.Section.Data)) {
		return nil, 0, s.Errorf(name, "", "bundle at %#x extends past the end of %s (size %#x)",
			s.Off-uint64(nib), s.Section.Name, len(s.Section.Data))
	}
	if nib > 2 {
		return nil, 0, s.Errorf(name, "", "instruction address %#x names slot %d of its bundle: there are three (0, 1, 2); the kernel would patch nothing", s.P, nib)
	}
	off := s.Off - uint64(nib)
	return s.Section.Data[off : off+BundleSize], nib, nil
}

// applyImm22 is the kernel's apply_imm22: A5 addl, −2^21 ≤ val < 2^21.
func (r *relocator) applyImm22(s *reloc.Site, name string, val uint64, expr string) error {
	if o := s.CheckInt(name, int64(val), expr, 22); o != nil {
		o.Kernel = kmsg(s, "value %d out of IMM22 range", int64(val))
		o.Hint = imm22Hint(R_IA64(uint8(s.Type)))
		return o
	}
	b, nib, err := r.bundleAt(s, name)
	if err != nil {
		return err
	}
	bb := LoadBundle(b)
	bb.Patch(nib, maskImm22, EncodeImm22(int64(val)))
	bb.Store(b)
	return nil
}

func imm22Hint(t R_IA64) string {
	switch t {
	case R_IA64_PLTOFF22:
		return "PLTOFF22 stores the stub's absolute address, which a 22-bit field holds only near 0"
	case R_IA64_IMM22, R_IA64_PCREL22:
		return "22-bit immediates reach ±2 MiB: use movl (IMM64) for addresses"
	}
	return "gp-relative data must lie within ±2 MiB of gp: is the module larger than 4 MiB, or the symbol outside it?"
}

// applyImm21b is the kernel's apply_imm21b: B1/B3 branch displacement in
// bundles, −2^20 ≤ v < 2^20 (±16 MiB).
func (r *relocator) applyImm21b(s *reloc.Site, name string, v int64, expr string) error {
	if o := s.CheckInt(name, v, expr, 21); o != nil {
		o.Kernel = kmsg(s, "value %d out of IMM21b range", v)
		o.Hint = "a branch within one region reaches ±16 MiB and gets no PLT stub"
		return o
	}
	b, nib, err := r.bundleAt(s, name)
	if err != nil {
		return err
	}
	bb := LoadBundle(b)
	bb.Patch(nib, maskImm21b, EncodeImm21b(v))
	bb.Store(b)
	return nil
}

// longSlot is the slot check of apply_imm64 and apply_imm60: newer kernels
// take slot 1 or 2 (gas uses 1), older ones only 2. The kernel looks at the
// low two bits of the address only.
func (r *relocator) longSlot(s *reloc.Site, name, what string) ([]byte, error) {
	slot := s.P & 3
	if slot != 2 && (r.opts.Slot2Only || slot != 1) {
		want := "1 or 2"
		if r.opts.Slot2Only {
			want = "2 (a kernel before 2017)"
		}
		return nil, s.Errorf(name, kmsg(s, "invalid slot number %d for %s", slot, what),
			"a long (L+X) instruction is addressed by slot %s, not %d", want, slot)
	}
	nib := s.P & 15
	if nib > s.Off || s.Off-nib+BundleSize > uint64(len(s.Section.Data)) {
		return nil, s.Errorf(name, "", "bundle at %#x extends past the end of %s (size %#x)", s.Off-nib, s.Section.Name, len(s.Section.Data))
	}
	off := s.Off - nib
	return s.Section.Data[off : off+BundleSize], nil
}

// applyImm64 is the kernel's apply_imm64: X2 movl, any 64-bit value.
func (r *relocator) applyImm64(s *reloc.Site, name string, val uint64) error {
	b, err := r.longSlot(s, name, "IMM64")
	if err != nil {
		return err
	}
	bb := LoadBundle(b)
	EncodeImm64(&bb, val)
	bb.Store(b)
	return nil
}

// applyImm60 is the kernel's apply_imm60: X3/X4 brl displacement in
// bundles, −2^59 ≤ v < 2^59.
func (r *relocator) applyImm60(s *reloc.Site, name string, v int64, expr string) error {
	b, err := r.longSlot(s, name, "IMM60")
	if err != nil {
		return err
	}
	if o := s.CheckInt(name, v, expr, 60); o != nil {
		o.Kernel = kmsg(s, "value %d out of IMM60 range", v)
		return o
	}
	bb := LoadBundle(b)
	EncodeImm60(&bb, v)
	bb.Store(b)
	return nil
}

// Finish is the kernel's module_finalize: it sorts .IA_64.unwind by start
// address, in place, with the kernel's own exchange sort (so that entries
// with equal starts end up where the kernel puts them). It then records
// this module's descriptors in Options.Descriptors.
func (r *relocator) Finish(m *reloc.Module) error {
	if r.unwind >= 0 && m.Sections[r.unwind].Loaded {
		if err := sortUnwind(m, m.Sections[r.unwind]); err != nil {
			return err
		}
	}
	if d := r.opts.Descriptors; d != nil {
		opd := m.Sections[r.opd]
		for off := 0; off+fdescSize <= len(opd.Data); off += fdescSize {
			ip := le.Uint64(opd.Data[off:])
			if ip == 0 {
				break
			}
			d.Add(opd.Addr+uint64(off), ip, le.Uint64(opd.Data[off+8:]))
		}
	}
	return nil
}

// maxUnwindSort bounds the quadratic sort; real modules have a few hundred
// entries.
const maxUnwindSort = 1 << 15

func sortUnwind(m *reloc.Module, sec *reloc.Section) error {
	const es = 24 // struct unw_table_entry { u64 start_offset, end_offset, info_offset; }
	n := len(sec.Data) / es
	if n > maxUnwindSort {
		return &reloc.Error{Module: m.Name, Section: sec.Name,
			Msg: fmt.Sprintf("%d unwind entries: more than golink sorts as the kernel does (%d)", n, maxUnwindSort)}
	}
	d := sec.Data
	var tmp [es]byte
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if le.Uint64(d[j*es:]) < le.Uint64(d[i*es:]) {
				copy(tmp[:], d[i*es:(i+1)*es])
				copy(d[i*es:(i+1)*es], d[j*es:(j+1)*es])
				copy(d[j*es:(j+1)*es], tmp[:])
			}
		}
	}
	return nil
}

// stub is a PLT stub, named after the symbol of the relocation that made it.
type stub struct {
	addr, size uint64
	name       string
}

// Contribution gives the image the module's gp as the absolute symbol
// __gp, the kernel function descriptors this module uses as .kernel.opd
// sections (one per run of consecutive descriptors) with each function's
// entry point as a local function symbol, each PLT stub as a local
// function symbol "target@plt", and what the kernel would have logged.
func (r *relocator) Contribution() *reloc.Contribution {
	c := &reloc.Contribution{Log: r.log}
	c.Symbols = append(c.Symbols, reloc.ExtraSymbol{Name: "__gp", Value: r.gp,
		Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_NOTYPE), Section: -1})
	addrs, data := kernelRuns(r.kdescs, r.opts.KernelGP)
	for i := range addrs {
		c.Sections = append(c.Sections, reloc.ExtraSection{Name: ".kernel.opd", Flags: elf.SHF_ALLOC, Addr: addrs[i], Align: 8, Data: data[i]})
	}
	for _, st := range r.stubs {
		c.Symbols = append(c.Symbols, reloc.ExtraSymbol{Name: st.name, Value: st.addr, Size: st.size,
			Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_FUNC), Section: -1})
	}
	seen := map[string]bool{}
	for _, d := range r.kdescs {
		if seen[d.name] {
			continue
		}
		seen[d.name] = true
		c.Symbols = append(c.Symbols, reloc.ExtraSymbol{Name: d.name, Value: d.entry,
			Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_FUNC), Section: -1})
	}
	return c
}
