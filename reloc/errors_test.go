package reloc

import "testing"

func TestChecks(t *testing.T) {
	s := &Site{Module: &Module{Name: "af_key"}, Section: &Section{Name: ".text"}, Off: 0x1a, SymName: "printk"}
	for _, tt := range []struct {
		name string
		got  *OverflowError
		want string // "" for nil
	}{
		{"int32 max", s.CheckInt("R_X86_64_PC32", 0x7fffffff, "S+A-P", 32), ""},
		{"int32 min", s.CheckInt("R_X86_64_PC32", -0x80000000, "S+A-P", 32), ""},
		{"int32 over", s.CheckInt("R_X86_64_PC32", 0x17f000004, "S+A-P", 32),
			"af_key: .text+0x1a: relocation R_X86_64_PC32 against printk out of range: 0x17f000004 (S+A-P) not in [-0x80000000, 0x7fffffff]"},
		{"int32 under", s.CheckInt("R_X86_64_32S", -0x80000001, "S+A", 32),
			"af_key: .text+0x1a: relocation R_X86_64_32S against printk out of range: -0x80000001 (S+A) not in [-0x80000000, 0x7fffffff]"},
		{"int21", s.CheckInt("R_IA64_PCREL21B", -1<<20, "(S+A-bundle(P))/16", 21), ""},
		{"int21 over", s.CheckInt("R_IA64_PCREL21B", 1<<20, "(S+A-bundle(P))/16", 21),
			"af_key: .text+0x1a: relocation R_IA64_PCREL21B against printk out of range: 0x100000 ((S+A-bundle(P))/16) not in [-0x100000, 0xfffff]"},
		{"int64", s.CheckInt("R_X86_64_64", -1<<63, "S+A", 64), ""},
		{"uint32 max", s.CheckUint("R_X86_64_32", 0xffffffff, "S+A", 32), ""},
		{"uint32 over", s.CheckUint("R_X86_64_32", 0xffffffff80000000, "S+A", 32),
			"af_key: .text+0x1a: relocation R_X86_64_32 against printk out of range: 0xffffffff80000000 (S+A) not in [0x0, 0xffffffff]"},
		{"uint64", s.CheckUint("R_X86_64_64", 1<<64-1, "S+A", 64), ""},
		{"range", s.CheckRange("T", 5, "S", 5, 9), ""},
		{"range over", s.CheckRange("T", 10, "S", 5, 9),
			"af_key: .text+0x1a: relocation T against printk out of range: 0xa (S) not in [0x5, 0x9]"},
	} {
		switch {
		case tt.want == "" && tt.got != nil:
			t.Errorf("%s: %v, want nil", tt.name, tt.got)
		case tt.want != "" && tt.got == nil:
			t.Errorf("%s: nil, want %q", tt.name, tt.want)
		case tt.want != "" && tt.got.Error() != tt.want:
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got.Error(), tt.want)
		}
	}
}

func TestFits(t *testing.T) {
	for _, tt := range []struct {
		v    int64
		bits uint
		want bool
	}{{127, 8, true}, {128, 8, false}, {-128, 8, true}, {-129, 8, false}, {-1 << 63, 64, true}, {1<<63 - 1, 64, true}} {
		if got := FitsSigned(tt.v, tt.bits); got != tt.want {
			t.Errorf("FitsSigned(%d, %d) = %v, want %v", tt.v, tt.bits, got, tt.want)
		}
	}
}
