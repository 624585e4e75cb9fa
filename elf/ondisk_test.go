package elf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The helpers agree with encoding/binary's reflection-driven codec on
// debug/elf's structs, field for field, both ways.
func TestOnDiskMatchesBinary(t *testing.T) {
	raw := make([]byte, 64)
	for i := range raw {
		raw[i] = byte(i*7 + 3)
	}
	check := func(name string, size int, decode func([]byte) any, put func([]byte, any), zero any) {
		t.Helper()
		got := decode(raw)
		want := zero
		if err := binary.Read(bytes.NewReader(raw[:size]), binary.LittleEndian, want); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("Decode%s (-want +got):\n%s", name, d)
		}
		b := make([]byte, size)
		put(b, got)
		if !bytes.Equal(b, raw[:size]) {
			t.Errorf("Put%s = % x, want % x", name, b, raw[:size])
		}
	}
	check("Header64", EhdrSize, func(b []byte) any { h := DecodeHeader64(b); return &h },
		func(b []byte, v any) { PutHeader64(b, v.(*elf.Header64)) }, new(elf.Header64))
	check("Section64", ShdrSize, func(b []byte) any { s := DecodeSection64(b); return &s },
		func(b []byte, v any) { PutSection64(b, v.(*elf.Section64)) }, new(elf.Section64))
	check("Prog64", PhdrSize, func(b []byte) any { p := DecodeProg64(b); return &p },
		func(b []byte, v any) { PutProg64(b, v.(*elf.Prog64)) }, new(elf.Prog64))
	check("Sym64", SymSize, func(b []byte) any { s := DecodeSym64(b); return &s },
		func(b []byte, v any) { PutSym64(b, v.(*elf.Sym64)) }, new(elf.Sym64))
	check("Rela64", RelaSize, func(b []byte) any { r := DecodeRela64(b); return &r },
		func(b []byte, v any) { PutRela64(b, v.(*elf.Rela64)) }, new(elf.Rela64))
	check("Rel64", RelSize, func(b []byte) any { r := DecodeRel64(b); return &r },
		func(b []byte, v any) { PutRel64(b, v.(*elf.Rel64)) }, new(elf.Rel64))
}

// Which machines golink links is the linker's decision: elf decodes a
// relocatable object of any e_machine.
func TestAnyMachine(t *testing.T) {
	for _, m := range []elf.Machine{elf.EM_AARCH64, elf.EM_RISCV, elf.EM_386, elf.Machine(0xbeef)} {
		b := hdr(readHello(t), func(h *elf.Header64) { h.Machine = uint16(m) })
		f, err := Decode("hello.ko", b)
		if err != nil {
			t.Errorf("%v: %v", m, err)
			continue
		}
		if f.Machine != m {
			t.Errorf("%v: Machine = %v", m, f.Machine)
		}
	}
}

// DecodeExecutable takes ET_EXEC and ET_DYN files and refuses a relocatable
// object, as Decode refuses an executable.
func TestDecodeExecutableTypes(t *testing.T) {
	for _, typ := range []elf.Type{elf.ET_EXEC, elf.ET_DYN} {
		b := hdr(readHello(t), func(h *elf.Header64) { h.Type = uint16(typ) })
		if _, err := DecodeExecutable("vmlinux", b); err != nil {
			t.Errorf("%v: %v", typ, err)
		}
		var fe *FormatError
		if _, err := Decode("vmlinux", b); !errors.As(err, &fe) {
			t.Errorf("Decode of %v: %v, want a *FormatError", typ, err)
		}
	}
	_, err := DecodeExecutable("hello.ko", readHello(t))
	if err == nil || !strings.Contains(err.Error(), "Invalid ELF header type: 1 != 2") {
		t.Errorf("DecodeExecutable of ET_REL: %v", err)
	}
}
