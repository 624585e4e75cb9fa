package ia64

import (
	"math/rand"
	"testing"
)

// The spec's derived vectors: each format written into an all-zero bundle.
func TestFormatVectors(t *testing.T) {
	tests := []struct {
		name   string
		write  func(b *Bundle)
		w0, w1 uint64
	}{
		{"IMM64 0x0123456789abcdef", func(b *Bundle) { EncodeImm64(b, 0x0123456789abcdef) }, 0x6789800000000000, 0x066d76f000012345},
		{"IMM60 -2", func(b *Bundle) { EncodeImm60(b, -2) }, 0xffff000000000000, 0x08ffffe0007fffff},
		{"IMM22 slot 1 0x12345", func(b *Bundle) { b.Patch(1, maskImm22, EncodeImm22(0x12345)) }, 0x2800000000000000, 0x8c12},
		{"IMM21B slot 2 -1", func(b *Bundle) { b.Patch(2, maskImm21b, EncodeImm21b(-1)) }, 0, 0x08fffff000000000},
	}
	for _, tt := range tests {
		var b Bundle
		tt.write(&b)
		if b.W0 != tt.w0 || b.W1 != tt.w1 {
			t.Errorf("%s: w0=%#016x w1=%#016x, want w0=%#016x w1=%#016x", tt.name, b.W0, b.W1, tt.w0, tt.w1)
		}
	}
}

// Slots and Patch agree: writing a slot changes exactly its 41 bits.
func TestSlotRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 10000; n++ {
		b := Bundle{r.Uint64(), r.Uint64()}
		old := b
		i := r.Intn(3)
		v := r.Uint64() & slotMask
		b.SetSlot(i, v)
		if got := b.Slot(i); got != v {
			t.Fatalf("SetSlot(%d, %#x) then Slot = %#x", i, v, got)
		}
		for j := 0; j < 3; j++ {
			if j != i && b.Slot(j) != old.Slot(j) {
				t.Fatalf("SetSlot(%d) changed slot %d", i, j)
			}
		}
		if b.Template() != old.Template() {
			t.Fatalf("SetSlot(%d) changed the template", i)
		}
		var buf [16]byte
		b.Store(buf[:])
		if LoadBundle(buf[:]) != b {
			t.Fatalf("Store/LoadBundle round trip")
		}
	}
	// A nibble of 3 or more writes nothing, as on the hardware.
	b := Bundle{1, 2}
	b.Patch(3, slotMask, slotMask)
	if b != (Bundle{1, 2}) {
		t.Errorf("Patch(3) changed the bundle: %+v", b)
	}
}

// Each format: encode under the kernel's mask, decode from the ISA's field
// layout, for the edges of its range and random values.
func TestFormatRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	edges := func(n uint) []int64 {
		lo, hi := int64(-1)<<(n-1), int64(1)<<(n-1)-1
		out := []int64{0, 1, -1, lo, hi, lo + 1, hi - 1}
		for k := 0; k < 2000; k++ {
			out = append(out, sext(r.Uint64(), n))
		}
		return out
	}
	for _, v := range edges(22) {
		for slot := 0; slot < 3; slot++ {
			b := Bundle{r.Uint64(), r.Uint64()}
			keep := b.Slot(slot) &^ maskImm22
			b.Patch(slot, maskImm22, EncodeImm22(v))
			if got := DecodeImm22(b.Slot(slot)); got != v {
				t.Fatalf("imm22 slot %d: %#x round-trips to %#x", slot, v, got)
			}
			if b.Slot(slot)&^maskImm22 != keep {
				t.Fatalf("imm22 slot %d: bits outside the mask changed", slot)
			}
		}
	}
	for _, v := range edges(21) {
		b := Bundle{r.Uint64(), r.Uint64()}
		b.Patch(2, maskImm21b, EncodeImm21b(v))
		if got := DecodeImm21b(b.Slot(2)); got != v {
			t.Fatalf("imm21b: %#x round-trips to %#x", v, got)
		}
	}
	for _, v := range edges(14) {
		b := Bundle{}
		b.Patch(0, slotMask, EncodeImm14(v))
		if got := DecodeImm14(b.Slot(0)); got != v {
			t.Fatalf("imm14: %#x round-trips to %#x", v, got)
		}
	}
	for _, v := range edges(60) {
		b := Bundle{r.Uint64(), r.Uint64()}
		l := b.Slot(1) & 3
		EncodeImm60(&b, v)
		if got := DecodeImm60(b); got != v {
			t.Fatalf("imm60: %#x round-trips to %#x", v, got)
		}
		if b.Slot(1)&3 != l {
			t.Fatalf("imm60: L slot bits 0-1 changed")
		}
	}
	for k := 0; k < 5000; k++ {
		v := r.Uint64()
		if k < 4 {
			v = []uint64{0, 1 << 63, 1<<64 - 1, 1 << 21}[k]
		}
		b := Bundle{r.Uint64(), r.Uint64()}
		vc := b.Slot(2) >> 20 & 1
		EncodeImm64(&b, v)
		if got := DecodeImm64(b); got != v {
			t.Fatalf("imm64: %#x round-trips to %#x", v, got)
		}
		if b.Slot(2)>>20&1 != vc {
			t.Fatalf("imm64: vc bit changed")
		}
	}
}

func FuzzBundle(f *testing.F) {
	f.Add(make([]byte, 16), int64(0), uint8(0))
	f.Add([]byte{0x04, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x60}, int64(-5), uint8(2))
	f.Fuzz(func(t *testing.T, raw []byte, v int64, slot uint8) {
		if len(raw) < 16 {
			return
		}
		b := LoadBundle(raw)
		_ = b.Units()
		for i := 0; i < 3; i++ {
			_, _ = BranchTarget(b, 0x1000, i)
		}
		s := int(slot % 16)
		b.Patch(s, maskImm22, EncodeImm22(v))
		if s < 3 && DecodeImm22(b.Slot(s)) != sext(uint64(v), 22) {
			t.Fatalf("imm22 in slot %d: %#x", s, v)
		}
		EncodeImm64(&b, uint64(v))
		if DecodeImm64(b) != uint64(v) {
			t.Fatalf("imm64 %#x", v)
		}
		EncodeImm60(&b, v)
		if DecodeImm60(b) != sext(uint64(v), 60) {
			t.Fatalf("imm60 %#x", v)
		}
	})
}
