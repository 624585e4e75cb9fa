package ia64

// The second half of do_reloc: the target-format switch, and one
// range-checking writer per instruction-field format (the kernel's
// apply_imm22, apply_imm21b, apply_imm64, apply_imm60), each of which
// finds the bundle and slot, checks the value with reloc's helpers and
// patches the field through the encoders of formats.go.

import "github.com/golink/golink/reloc"

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
