package elf

import (
	"bytes"
	"debug/elf"
	"testing"
)

// What Output writes, DecodeExecutable reads back: the segment, the
// sections inside and outside it, and the symbols, locals first.
func TestWriteReadBack(t *testing.T) {
	seg := make([]byte, 3*pageSize+5)
	copy(seg[0x10:], "text")
	copy(seg[2*pageSize:], "data")
	o := &Output{
		Machine: elf.EM_AARCH64, Type: elf.ET_EXEC, Entry: 0xffff000000000010,
		Segments: []OutSegment{{Flags: elf.PF_R | elf.PF_X, Vaddr: 0xffff000000000000, Data: seg}},
		Sections: []OutSection{
			{Name: ".text", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR, Addr: 0xffff000000000000, Size: pageSize, Align: 16},
			{Name: ".data", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_WRITE, Addr: 0xffff000000000000 + 2*pageSize, Size: 5, Align: 8},
			{Name: ".modinfo", Type: elf.SHT_PROGBITS, Data: []byte("name=x\x00"), Align: 1},
		},
		Symbols: []OutSymbol{
			{Name: "g", Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_FUNC), Shndx: 1, Value: 0xffff000000000010},
			{Name: "l", Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_OBJECT), Shndx: 2, Value: 0xffff000000000000 + 2*pageSize},
			{Name: "abs", Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_NOTYPE), Shndx: elf.SHN_ABS, Value: 7},
		},
	}
	var buf bytes.Buffer
	if _, err := o.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := DecodeExecutable("out.elf", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Machine != elf.EM_AARCH64 || len(f.Progs) != 1 || f.Progs[0].Vaddr != 0xffff000000000000 || f.Progs[0].Filesz != uint64(len(seg)) {
		t.Fatalf("machine %v, program headers %+v", f.Machine, f.Progs)
	}
	p := f.Progs[0]
	if !bytes.Equal(f.Data[p.Off:p.Off+p.Filesz], seg) {
		t.Error("segment contents differ")
	}
	text := f.SectionByName(".text", 0)
	if got := f.Bytes(text)[0x10:0x14]; string(got) != "text" || f.Sections[text].Offset != p.Off {
		t.Errorf(".text at %#x holds %q", f.Sections[text].Offset, got)
	}
	tab, err := f.SymTab(f.Symtab)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, s := range tab.All() {
		if i > 0 {
			names = append(names, s.Name)
		}
	}
	if len(names) != 3 || names[0] != "l" || int(f.Sections[f.Symtab].Info) != 2 {
		t.Errorf("symbols %q, sh_info %d: want the local first", names, f.Sections[f.Symtab].Info)
	}
	if s := tab.Symbol(3); s.Shndx != elf.SHN_ABS || s.Value != 7 {
		t.Errorf("abs = %+v", s)
	}
}

// A program header table or segment outside the file is refused.
func TestDecodeExecutableProgs(t *testing.T) {
	o := &Output{Machine: elf.EM_X86_64, Type: elf.ET_EXEC, Segments: []OutSegment{{Vaddr: 0x1000, Data: []byte{1, 2, 3}}}}
	var buf bytes.Buffer
	if _, err := o.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for name, edit := range map[string]func(b []byte){
		"phentsize": func(b []byte) { hdr(b, func(h *elf.Header64) { h.Phentsize = 32 }) },
		"phoff":     func(b []byte) { hdr(b, func(h *elf.Header64) { h.Phoff = uint64(len(b)) }) },
		"phnum":     func(b []byte) { hdr(b, func(h *elf.Header64) { h.Phnum = 0xffff }) },
		"filesz": func(b []byte) {
			p := DecodeProg64(b[EhdrSize:])
			p.Filesz = ^uint64(0)
			PutProg64(b[EhdrSize:], &p)
		},
	} {
		b := append([]byte(nil), good...)
		edit(b)
		if _, err := DecodeExecutable("bad.elf", b); err == nil {
			t.Errorf("%s: accepted", name)
		} else if _, ok := err.(*FormatError); !ok {
			t.Errorf("%s: %v is not a *FormatError", name, err)
		}
	}
}
