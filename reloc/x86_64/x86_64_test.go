package x86_64

import (
	"bytes"
	"debug/elf"
	"errors"
	"strings"
	"testing"

	"github.com/golink/golink/reloc"
)

func site(typ elf.R_X86_64, S uint64, A int64, P uint64, field []byte) *reloc.Site {
	sec := &reloc.Section{Name: ".text", Addr: P, Data: field, Size: uint64(len(field))}
	return &reloc.Site{
		Module:  &reloc.Module{Name: "mod"},
		Section: sec, Off: 0, P: P, Type: uint32(typ), S: S, A: A, SymName: "sym",
	}
}

func TestApply(t *testing.T) {
	const P = 0xffffffffa0001000
	tests := []struct {
		typ     elf.R_X86_64
		S       uint64
		A       int64
		want    []byte
		wantErr string // substring of the error, "" for none
	}{
		{elf.R_X86_64_NONE, 0x1234, 0, []byte{0, 0, 0, 0, 0, 0, 0, 0}, ""},
		{elf.R_X86_64_64, 0xffffffff81234560, 8, []byte{0x68, 0x45, 0x23, 0x81, 0xff, 0xff, 0xff, 0xff}, ""},
		{elf.R_X86_64_64, 0x10, -0x20, []byte{0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, ""},
		{elf.R_X86_64_32, 0x12345678, 0, []byte{0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0}, ""},
		{elf.R_X86_64_32, 0xffffffff, 0, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, ""},
		{elf.R_X86_64_32, 0xffffffff, 1, nil, "out of range: 0x100000000 (S+A) not in [0x0, 0xffffffff]"},
		{elf.R_X86_64_32, 0xffffffff81000000, 0, nil, "overflow in relocation type 10 val ffffffff81000000"},
		{elf.R_X86_64_32S, 0xffffffff81234560, 0, []byte{0x60, 0x45, 0x23, 0x81, 0, 0, 0, 0}, ""},
		{elf.R_X86_64_32S, 0x7fffffff, 0, []byte{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0}, ""},
		{elf.R_X86_64_32S, 0x80000000, 0, nil, "0x80000000 (S+A) not in [-0x80000000, 0x7fffffff]; built with -mcmodel=kernel?"},
		{elf.R_X86_64_32S, 0xffffffff7fffffff, 0, nil, "likely not compiled with -mcmodel=kernel"},
		{elf.R_X86_64_PC32, P + 0x100, -4, []byte{0xfc, 0, 0, 0, 0, 0, 0, 0}, ""},
		{elf.R_X86_64_PC32, 0xffffffff81234560, -4, []byte{0x5c, 0x35, 0x23, 0xe1, 0, 0, 0, 0}, ""},
		{elf.R_X86_64_PLT32, P - 0x80000000, 0, []byte{0, 0, 0, 0x80, 0, 0, 0, 0}, ""},
		{elf.R_X86_64_PLT32, P - 0x80000001, 0, nil, "-0x80000001 (S+A-P) not in [-0x80000000, 0x7fffffff]"},
		{elf.R_X86_64_PC32, P - 0x80000001, 0, nil, "Linux 6.1 does not check this"},
		{elf.R_X86_64_PC64, P - 0x100, 0, []byte{0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, ""},
		{elf.R_X86_64_GOTPCRELX, 0x1000, 0, nil, "module: mod: Unknown rela relocation: 41"},
		{elf.R_X86_64(200), 0x1000, 0, nil, "relocation R_X86_64(200) against sym: unsupported"},
	}
	for _, tt := range tests {
		field := make([]byte, 8)
		err := New().mustRelocator(t).Apply(site(tt.typ, tt.S, tt.A, P, field))
		name := TypeName(uint32(tt.typ))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Apply(%s, S=%#x A=%d P=%#x) error = %v, want one containing %q", name, tt.S, tt.A, uint64(P), err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Apply(%s, S=%#x A=%d P=%#x) error = %v", name, tt.S, tt.A, uint64(P), err)
			continue
		}
		if !bytes.Equal(field, tt.want) {
			t.Errorf("Apply(%s, S=%#x A=%d P=%#x) = % x, want % x", name, tt.S, tt.A, uint64(P), field, tt.want)
		}
	}
}

func (a *Arch) mustRelocator(t *testing.T) reloc.Relocator {
	p, err := a.Size(&reloc.Module{Name: "mod"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.Relocator()
}

func TestOverflowErrorFields(t *testing.T) {
	err := New().mustRelocator(t).Apply(site(elf.R_X86_64_32S, 0x80000000, 4, 0x1000, make([]byte, 4)))
	var oe *reloc.OverflowError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v is not an *OverflowError", err)
	}
	want := reloc.OverflowError{Module: "mod", Section: ".text", Off: 0, Type: "R_X86_64_32S", Sym: "sym",
		Value: 0x80000004, Formula: "S+A", Min: -0x80000000, Max: 0x7fffffff}
	if oe.Module != want.Module || oe.Type != want.Type || oe.Value != want.Value || oe.Min != want.Min || oe.Max != want.Max || oe.Formula != want.Formula {
		t.Errorf("OverflowError = %+v, want %+v", *oe, want)
	}
	if oe.Kernel == "" {
		t.Error("R_X86_64_32S overflow carries no kernel message")
	}
}

// The kernel refuses to relocate a field that is not zero (a relocation
// applied twice); so does golink, for every type that writes.
func TestNonzeroTarget(t *testing.T) {
	for _, typ := range []elf.R_X86_64{elf.R_X86_64_64, elf.R_X86_64_32, elf.R_X86_64_32S, elf.R_X86_64_PC32, elf.R_X86_64_PLT32, elf.R_X86_64_PC64} {
		field := []byte{0, 0, 1, 0, 0, 0, 0, 0}
		err := New().mustRelocator(t).Apply(site(typ, 0x1000, 0, 0x1000, field))
		var re *reloc.Error
		if !errors.As(err, &re) || !strings.Contains(re.Kernel, "existing value is nonzero for type") {
			t.Errorf("Apply(%v) on a nonzero field: error %v, want the kernel's nonzero refusal", typ, err)
		}
	}
}

func TestFieldOutsideSection(t *testing.T) {
	err := New().mustRelocator(t).Apply(site(elf.R_X86_64_64, 0x1000, 0, 0x1000, make([]byte, 4)))
	if err == nil || !strings.Contains(err.Error(), "extends past the end of .text") {
		t.Errorf("8-byte relocation in a 4-byte section: error %v", err)
	}
}

func TestREL(t *testing.T) {
	m := &reloc.Module{Name: "mod", Sections: []*reloc.Section{{}, {Name: ".text"}, {Name: ".rel.text", Type: elf.SHT_REL}}}
	err := New().mustRelocator(t).ApplyREL(m, &reloc.RelocSection{Index: 2, Target: 1})
	var re *reloc.Error
	if !errors.As(err, &re) || re.Kernel != "module mod: REL relocation unsupported" {
		t.Errorf("ApplyREL: %v, want the kernel's REL refusal", err)
	}
}

func TestTypeName(t *testing.T) {
	for typ, want := range map[uint32]string{0: "R_X86_64_NONE", 2: "R_X86_64_PC32", 4: "R_X86_64_PLT32", 24: "R_X86_64_PC64", 42: "R_X86_64_REX_GOTPCRELX", 99: "R_X86_64(99)"} {
		if got := TypeName(typ); got != want {
			t.Errorf("TypeName(%d) = %q, want %q", typ, got, want)
		}
	}
}
