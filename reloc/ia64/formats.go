package ia64

// The instruction-field formats the kernel's loader writes. Each has an
// encoder that puts a value into the slot under the kernel's mask (what
// ia64_patch_imm* and apply_imm* do) and a decoder written from the field
// layout of the ISA manual, so that tests can check one against the other
// and both against objdump.

// Kernel masks: which slot bits each format owns.
const (
	maskImm22  = 0x01fffcfe000 // A5: imm7b 13–19, imm5c 22–26, imm9d 27–35, s 36
	maskImm21b = 0x11ffffe000  // B1/B3: imm20b 13–32, s 36
	maskImm60X = 0x011ffffe000 // X3/X4 X slot: imm20b 13–32, i 36
	maskImm60L = 0x1fffffffffc // X3/X4 L slot: imm39 in bits 2–40
	maskImm64X = 0x01fffefe000 // X2 X slot: imm7b, ic 21, imm5c, imm9d, i 36 (vc 20 kept)
	maskImm64L = slotMask      // X2 L slot: imm41
	maskLDXMOV = 0x1fff80fe000 // bits 13–19 and 27–40 of an M1 ld8
	valLDXMOV  = 0x10000000000 // opcode 8 (A1 add), x2a/ve/x4/x2b 0, r2 = r0
)

func bits(v uint64, lo, n uint) uint64 { return v >> lo & (1<<n - 1) }

func sext(v uint64, n uint) int64 { return int64(v<<(64-n)) >> (64 - n) }

// EncodeImm22 returns the A5 slot bits of a 22-bit immediate (addl r1 =
// imm22, r3), before masking: value bits 0–6 → 13–19, 7–15 → 27–35,
// 16–20 → 22–26, 21 → 36.
func EncodeImm22(v int64) uint64 {
	u := uint64(v)
	return bits(u, 0, 7)<<13 | bits(u, 7, 9)<<27 | bits(u, 16, 5)<<22 | bits(u, 21, 1)<<36
}

// DecodeImm22 returns the sign-extended immediate of an A5 slot:
// imm22 = sext(s:imm5c:imm9d:imm7b).
func DecodeImm22(slot uint64) int64 {
	v := bits(slot, 36, 1)<<21 | bits(slot, 22, 5)<<16 | bits(slot, 27, 9)<<7 | bits(slot, 13, 7)
	return sext(v, 22)
}

// EncodeImm14 returns the A4 slot bits of a 14-bit immediate (adds r1 =
// imm14, r3): imm7b 13–19, imm6d 27–32, s 36. The kernel never writes this
// format (it refuses R_IA64_IMM14); golink uses it only to read.
func EncodeImm14(v int64) uint64 {
	u := uint64(v)
	return bits(u, 0, 7)<<13 | bits(u, 7, 6)<<27 | bits(u, 13, 1)<<36
}

// DecodeImm14 returns the sign-extended immediate of an A4 slot.
func DecodeImm14(slot uint64) int64 {
	return sext(bits(slot, 36, 1)<<13|bits(slot, 27, 6)<<7|bits(slot, 13, 7), 14)
}

// EncodeImm21b returns the B1/B3 slot bits of a branch displacement in
// bundles: v bits 0–19 → imm20b (13–32), bit 20 → s (36).
func EncodeImm21b(v int64) uint64 {
	u := uint64(v)
	return bits(u, 0, 20)<<13 | bits(u, 20, 1)<<36
}

// DecodeImm21b returns the sign-extended displacement, in bundles, of a
// B1/B3 (or B2/B6 …) IP-relative branch slot: sext(s:imm20b).
func DecodeImm21b(slot uint64) int64 {
	return sext(bits(slot, 36, 1)<<20|bits(slot, 13, 20), 21)
}

// EncodeImm60 stores a brl displacement in bundles into an MLX bundle, as
// ia64_patch_imm60: X slot imm20b ← v bits 0–19 and i ← bit 59; L slot
// bits 2–40 ← v bits 20–58.
func EncodeImm60(b *Bundle, v int64) {
	u := uint64(v)
	b.Patch(2, maskImm60X, bits(u, 0, 20)<<13|bits(u, 59, 1)<<36)
	b.Patch(1, maskImm60L, u>>18)
}

// DecodeImm60 returns the sign-extended 60-bit displacement, in bundles, of
// the X3/X4 brl in an MLX bundle: sext(i:imm39:imm20b).
func DecodeImm60(b Bundle) int64 {
	x, l := b.Slot(2), b.Slot(1)
	return sext(bits(x, 36, 1)<<59|bits(l, 2, 39)<<20|bits(x, 13, 20), 60)
}

// EncodeImm64 stores a 64-bit immediate into an MLX bundle, as
// ia64_patch_imm64: X slot imm7b ← bits 0–6, imm9d ← 7–15, imm5c ← 16–20,
// ic ← 21, i ← 63; L slot ← bits 22–62.
func EncodeImm64(b *Bundle, v uint64) {
	x := bits(v, 0, 7)<<13 | bits(v, 7, 9)<<27 | bits(v, 16, 5)<<22 | bits(v, 21, 1)<<21 | bits(v, 63, 1)<<36
	b.Patch(2, maskImm64X, x)
	b.Patch(1, maskImm64L, v>>22)
}

// DecodeImm64 returns the immediate of the X2 movl in an MLX bundle:
// i:imm41:ic:imm5c:imm9d:imm7b.
func DecodeImm64(b Bundle) uint64 {
	x, l := b.Slot(2), b.Slot(1)
	return bits(x, 36, 1)<<63 | bits(l, 0, 41)<<22 | bits(x, 21, 1)<<21 |
		bits(x, 22, 5)<<16 | bits(x, 27, 9)<<7 | bits(x, 13, 7)
}

// BranchTarget returns where the IP-relative branch in slot i of the bundle
// at addr goes: addr + 16·imm21b for B-unit slots, addr + 16·imm60 for the
// brl of an MLX bundle (i = 1 or 2). ok is false for other slots.
func BranchTarget(b Bundle, addr uint64, i int) (target uint64, ok bool) {
	u := b.Units()
	switch {
	case u == templates[2] && i >= 1 && Opcode(b.Slot(2)) >= 0xc:
		return addr + uint64(DecodeImm60(b)<<4), true
	case i >= 0 && i <= 2 && u[i] == UnitB:
		if op := Opcode(b.Slot(i)); op == 4 || op == 5 || op == 7 {
			return addr + uint64(DecodeImm21b(b.Slot(i))<<4), true
		}
	}
	return 0, false
}
