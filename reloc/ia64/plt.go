package ia64

// The kernel's PLT stubs (struct plt_entry in arch/ia64/kernel/module.c).
// A stub loads the target's gp and jumps to its entry point; the kernel
// picked one of two forms when it was built.

// pltBRL is the USE_BRL=1 stub (32 bytes): MLX "nop.m 0; movl gp=TARGET_GP",
// then MLX with stop "nop.m 0; brl.many TARGET_IP".
var pltBRL = [32]byte{
	0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x60,
	0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0xc0,
}

// plt48 is the USE_BRL=0 stub (48 bytes, Itanium 1 has no brl): MLX with
// stop "nop.m; movl r16=TARGET_IP", MLX "nop.m; movl gp=TARGET_GP", MIB with
// stop "nop.m; mov b6=r16; br.few b6".
var plt48 = [48]byte{
	0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x60,
	0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x60,
	0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x60, 0x80, 0x04, 0x80, 0x03, 0x00, 0x60, 0x00, 0x80, 0x00,
}

// PLTTarget decodes a PLT stub of either form at addr back into the entry
// point and gp it loads, as the kernel's plt_target does for the entry
// point. ok is false if stub does not hold a stub of the form (plt48
// selects the 48-byte one).
func PLTTarget(stub []byte, addr uint64, plt48 bool) (ip, gp uint64, ok bool) {
	if plt48 {
		if len(stub) < 48 {
			return 0, 0, false
		}
		b0, b1 := LoadBundle(stub), LoadBundle(stub[16:])
		if b0.Template()>>1 != 2 || b1.Template()>>1 != 2 || LoadBundle(stub[32:]).Template() != 0x11 {
			return 0, 0, false
		}
		return DecodeImm64(b0), DecodeImm64(b1), true
	}
	if len(stub) < 32 {
		return 0, 0, false
	}
	b0, b1 := LoadBundle(stub), LoadBundle(stub[16:])
	if b0.Template()>>1 != 2 || b1.Template()>>1 != 2 {
		return 0, 0, false
	}
	return addr + 16 + uint64(DecodeImm60(b1)<<4), DecodeImm64(b0), true
}
