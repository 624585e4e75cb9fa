package ia64

import "encoding/binary"

// BundleSize is the size of an instruction bundle in bytes.
const BundleSize = 16

// slotMask covers one 41-bit instruction slot.
const slotMask = 1<<41 - 1

// Bundle is one 128-bit instruction bundle (IA-64 ISA, vol. 3 "Instruction
// Formats"): a 5-bit template in bits 0–4 and three 41-bit slots in bits
// 5–45, 46–86 and 87–127. It is stored little-endian: W0 holds bundle
// bits 0–63 and W1 bits 64–127, so slot 1 straddles the two words.
type Bundle struct{ W0, W1 uint64 }

// LoadBundle decodes the 16 bytes at b, which must be at least BundleSize long.
func LoadBundle(b []byte) Bundle {
	return Bundle{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])}
}

// Store encodes the bundle into the 16 bytes at b.
func (b Bundle) Store(dst []byte) {
	binary.LittleEndian.PutUint64(dst, b.W0)
	binary.LittleEndian.PutUint64(dst[8:], b.W1)
}

// Template returns the 5-bit template field: bit 0 is the stop at the end
// of the bundle, bits 1–4 the template number.
func (b Bundle) Template() uint8 { return uint8(b.W0 & 0x1f) }

// Slot returns instruction slot i (0, 1 or 2) as a 41-bit number.
func (b Bundle) Slot(i int) uint64 {
	switch i {
	case 0:
		return b.W0 >> 5 & slotMask
	case 1:
		return b.W0>>46 | (b.W1&(1<<23-1))<<18
	case 2:
		return b.W1 >> 23
	}
	panic("ia64: slot index out of range")
}

// SetSlot replaces instruction slot i (0, 1 or 2) with the low 41 bits of v.
func (b *Bundle) SetSlot(i int, v uint64) {
	if i < 0 || i > 2 {
		panic("ia64: slot index out of range")
	}
	b.Patch(i, slotMask, v)
}

// SetTemplate replaces the 5-bit template field.
func (b *Bundle) SetTemplate(t uint8) { b.W0 = b.W0&^0x1f | uint64(t&0x1f) }

// Patch is the kernel's ia64_patch for a location whose low four address
// bits are nibble: within the slot the bits of mask take the bits of value,
// the others are kept. The slot's first bit is 5 + 41*nibble; the kernel
// never checks nibble, and for nibble ≥ 3 the shift is 128 or more, which
// (as on the hardware, and with Go's shifts) changes nothing.
func (b *Bundle) Patch(nibble int, mask, value uint64) {
	shift := uint(5 + 41*nibble)
	value &= mask
	if shift >= 64 {
		s := shift - 64
		b.W1 = b.W1&^(mask<<s) | value<<s
		return
	}
	b.W0 = b.W0&^(mask<<shift) | value<<shift
	b.W1 = b.W1&^(mask>>(64-shift)) | value>>(64-shift)
}

// Unit is the execution-unit type of an instruction slot.
type Unit byte

// Execution-unit types. In an MLX bundle slot 1 is L and slot 2 is X: the
// two together hold one long instruction (movl, brl).
const (
	UnitNone Unit = 0 // reserved template
	UnitM    Unit = 'M'
	UnitI    Unit = 'I'
	UnitF    Unit = 'F'
	UnitB    Unit = 'B'
	UnitL    Unit = 'L'
	UnitX    Unit = 'X'
)

// templates maps a template number (Template() >> 1) to its slots' units
// (ISA vol. 3, "Template Field Encoding"; binutils ia64_templ_desc).
var templates = [16][3]Unit{
	0x0: {UnitM, UnitI, UnitI}, 0x1: {UnitM, UnitI, UnitI}, // MII, MI;I
	0x2: {UnitM, UnitL, UnitX},                             // MLX
	0x4: {UnitM, UnitM, UnitI}, 0x5: {UnitM, UnitM, UnitI}, // MMI, M;MI
	0x6: {UnitM, UnitF, UnitI}, 0x7: {UnitM, UnitM, UnitF},
	0x8: {UnitM, UnitI, UnitB}, 0x9: {UnitM, UnitB, UnitB},
	0xb: {UnitB, UnitB, UnitB}, 0xc: {UnitM, UnitM, UnitB},
	0xe: {UnitM, UnitF, UnitB},
}

// Units returns the unit types of the bundle's three slots; a reserved
// template gives UnitNone for each.
func (b Bundle) Units() [3]Unit { return templates[b.Template()>>1] }

// Opcode returns the major opcode of a slot (bits 37–40).
func Opcode(slot uint64) uint8 { return uint8(slot >> 37 & 0xf) }
