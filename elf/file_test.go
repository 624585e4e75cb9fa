package elf

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

const helloKo = "../testdata/x86_64/hello.ko"

func readHello(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(helloKo)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sectionIndex finds a section of the test object by name.
func sectionIndex(t testing.TB, data []byte, name string) int {
	t.Helper()
	f, err := Decode("hello.ko", data)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range f.Sections {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no section %s", name)
	return 0
}

// hdr edits the ELF header of data in place.
func hdr(data []byte, edit func(h *elf.Header64)) []byte {
	h := DecodeHeader64(data)
	edit(&h)
	PutHeader64(data, &h)
	return data
}

// shdr edits section header i of data in place.
func shdr(data []byte, i int, edit func(s *elf.Section64)) []byte {
	b := data[DecodeHeader64(data).Shoff+uint64(i)*ShdrSize:]
	s := DecodeSection64(b)
	edit(&s)
	PutSection64(b, &s)
	return data
}

// section returns section header i of data.
func section(data []byte, i int) elf.Section64 {
	return DecodeSection64(data[DecodeHeader64(data).Shoff+uint64(i)*ShdrSize:])
}

func TestDecodeHello(t *testing.T) {
	f, err := Decode("hello.ko", readHello(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.Machine != elf.EM_X86_64 || f.Symtab == 0 || f.Signature != nil || f.Compression != "" {
		t.Errorf("Decode = machine %v, symtab %d, signature %v, compression %q", f.Machine, f.Symtab, f.Signature, f.Compression)
	}
	syms, err := f.Symbols(f.Symtab)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range syms {
		found = found || (s.Name == "init_module" && s.Bind() == elf.STB_GLOBAL)
	}
	if !found {
		t.Error("init_module not among the symbols")
	}
}

// TestMalformed is the table of hand-made malformed objects: each must be
// refused with a *FormatError saying what is wrong, never a panic.
func TestMalformed(t *testing.T) {
	good := readHello(t)
	symtab := sectionIndex(t, good, ".symtab")
	strtab := sectionIndex(t, good, ".strtab")
	relaText := sectionIndex(t, good, ".rela.text")
	text := sectionIndex(t, good, ".text")
	data := sectionIndex(t, good, ".data")
	tests := []struct {
		name  string
		edit  func(b []byte) []byte
		want  string
		where int // section index the error must name, or -1
	}{
		{"empty", func(b []byte) []byte { return nil }, "Invalid ELF header len 0", -1},
		{"truncated header", func(b []byte) []byte { return b[:63] }, "Invalid ELF header len 63", -1},
		{"bad magic", func(b []byte) []byte { b[1] = 'F'; return b }, "Invalid ELF header magic", -1},
		{"not ET_REL", func(b []byte) []byte { return hdr(b, func(h *elf.Header64) { h.Type = 2 }) }, "Invalid ELF header type: 2 != 1", -1},
		{"ELF32", func(b []byte) []byte { b[4] = 1; return b }, "not an ELF64 object", -1},
		{"big-endian", func(b []byte) []byte { b[5] = 2; return b }, "not a little-endian object", -1},
		{"shentsize", func(b []byte) []byte { return hdr(b, func(h *elf.Header64) { h.Shentsize = 40 }) }, "Invalid ELF section header size", -1},
		{"shoff beyond file", func(b []byte) []byte { return hdr(b, func(h *elf.Header64) { h.Shoff = uint64(len(b)) }) }, "Invalid ELF section header overflow", -1},
		{"shoff wraps", func(b []byte) []byte { return hdr(b, func(h *elf.Header64) { h.Shoff = ^uint64(0) - 8 }) }, "Invalid ELF section header overflow", -1},
		{"absurd shnum", func(b []byte) []byte { return hdr(b, func(h *elf.Header64) { h.Shnum = 0xffff }) }, "Invalid ELF section header overflow", -1},
		{"truncated section headers", func(b []byte) []byte { return b[:len(b)-1] }, "Invalid ELF section header overflow", -1},
		{"shstrndx zero", func(b []byte) []byte { return hdr(b, func(h *elf.Header64) { h.Shstrndx = 0 }) }, "Invalid ELF section name index: 0", -1},
		{"shstrndx too big", func(b []byte) []byte { return hdr(b, func(h *elf.Header64) { h.Shstrndx = 500 }) }, "e_shstrndx (500) >= e_shnum", -1},
		{"name table beyond file", func(b []byte) []byte {
			return shdr(b, int(DecodeHeader64(b).Shstrndx), func(s *elf.Section64) { s.Off = uint64(len(b)) })
		}, "Invalid ELF section hdr(type 3)", -1},
		{"name table unterminated", func(b []byte) []byte {
			s := section(b, int(DecodeHeader64(b).Shstrndx))
			b[s.Off+s.Size-1] = 'x'
			return b
		}, "section name table isn't null terminated", -1},
		{"section 0 not null", func(b []byte) []byte { return shdr(b, 0, func(s *elf.Section64) { s.Type = 1 }) }, "section 0 type(1)!=SH_NULL", -1},
		{"section beyond file", func(b []byte) []byte { return shdr(b, text, func(s *elf.Section64) { s.Size = uint64(len(b)) }) }, "Invalid ELF section in module", text},
		{"section offset wraps", func(b []byte) []byte {
			return shdr(b, data, func(s *elf.Section64) { s.Off, s.Size = ^uint64(0)-4, 16 })
		}, "Invalid ELF section in module", data},
		{"alloc section name out of range", func(b []byte) []byte { return shdr(b, text, func(s *elf.Section64) { s.Name = 0x7fffffff }) }, "Invalid ELF section name in module", text},
		{"symtab without link", func(b []byte) []byte { return shdr(b, symtab, func(s *elf.Section64) { s.Link = 0 }) }, "Invalid ELF sh_link!=SHN_UNDEF(0)", symtab},
		{"symtab of partial entries", func(b []byte) []byte {
			return shdr(b, symtab, func(s *elf.Section64) { s.Size-- })
		}, "symbol table is not made of whole entries", symtab},
		{"symtab linked to non-strtab", func(b []byte) []byte { return shdr(b, symtab, func(s *elf.Section64) { s.Link = uint32(text) }) }, "sh_link is not a string table", symtab},
		{"strtab unterminated", func(b []byte) []byte {
			s := section(b, strtab)
			b[s.Off+s.Size-1] = 'x'
			return b
		}, "string table isn't null terminated", strtab},
		{"symtab first-global beyond end", func(b []byte) []byte { return shdr(b, symtab, func(s *elf.Section64) { s.Info = 1 << 20 }) }, "sh_info (first global) is beyond its end", symtab},
		{"rela of partial entries", func(b []byte) []byte {
			return shdr(b, relaText, func(s *elf.Section64) { s.Size -= 8 })
		}, "relocation table is not made of whole entries", relaText},
		{"rela target out of range", func(b []byte) []byte { return shdr(b, relaText, func(s *elf.Section64) { s.Info = 999 }) }, "sh_info is out of range", relaText},
		{"rela linked to non-symtab", func(b []byte) []byte { return shdr(b, relaText, func(s *elf.Section64) { s.Link = uint32(text) }) }, "sh_link is not a symbol table", relaText},
		{"overlapping sections", func(b []byte) []byte { return shdr(b, data, func(s *elf.Section64) { s.Off = section(b, text).Off }) }, "contents overlap section", -2},
		{"section over the ELF header", func(b []byte) []byte { return shdr(b, data, func(s *elf.Section64) { s.Off = 8 }) }, "contents overlap the ELF header", data},
		{"alignment not a power of two", func(b []byte) []byte { return shdr(b, text, func(s *elf.Section64) { s.Addralign = 12 }) }, "sh_addralign is not a power of two", text},
		{"corrupt xz", func(b []byte) []byte { return append([]byte{0xfd, '7', 'z', 'X', 'Z', 0}, 1, 2, 3) }, "xz stream is corrupt", -1},
		{"corrupt gzip", func(b []byte) []byte { return []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2} }, "gzip stream is corrupt", -1},
		{"corrupt zstd", func(b []byte) []byte { return []byte{0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff} }, "zstd stream is corrupt", -1},
		{"signature larger than module", func(b []byte) []byte {
			return append(append(b, 0, 0, 2, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff), SignatureMagic...)
		}, "sig_len larger than the module", -1},
		{"signature not PKCS#7", func(b []byte) []byte {
			return append(append(b, 1, 2, 3, 4, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4), SignatureMagic...)
		}, "not signed with expected PKCS#7 message", -1},
		{"signature params nonzero", func(b []byte) []byte {
			return append(append(b, 1, 2, 3, 4, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 4), SignatureMagic...)
		}, "unexpected non-zero params", -1},
		{"only a signature trailer", func(b []byte) []byte { return append([]byte{1, 2, 3}, SignatureMagic...) }, "no room for struct module_signature", -1},
	}
	for _, tt := range tests {
		b := tt.edit(append([]byte(nil), good...))
		_, err := Decode("bad.ko", b)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: Decode error %v, want a *FormatError", tt.name, err)
			continue
		}
		if !strings.Contains(fe.Error(), tt.want) {
			t.Errorf("%s: Decode error %q, want it to contain %q", tt.name, fe, tt.want)
		}
		if tt.where >= 0 && fe.Section != tt.where {
			t.Errorf("%s: error names section %d, want %d", tt.name, fe.Section, tt.where)
		}
		if fe.File != "bad.ko" {
			t.Errorf("%s: error names file %q", tt.name, fe.File)
		}
	}
}

// Malformed symbol tables and relocations are caught when decoded.
func TestMalformedTables(t *testing.T) {
	good := readHello(t)
	symtab := sectionIndex(t, good, ".symtab")
	relaText := sectionIndex(t, good, ".rela.text")

	b := append([]byte(nil), good...)
	sym1 := b[section(b, symtab).Off+SymSize:]
	s := DecodeSym64(sym1)
	s.Name = 0x7fffffff
	PutSym64(sym1, &s)
	f, err := Decode("bad.ko", b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Symbols(f.Symtab); err == nil || !strings.Contains(err.Error(), "symbol name outside the string table") {
		t.Errorf("bad st_name: %v", err)
	}

	b = append([]byte(nil), good...)
	rela0 := b[section(b, relaText).Off:]
	r := DecodeRela64(rela0)
	r.Info = elf.R_INFO(5000, 2)
	PutRela64(rela0, &r)
	f, err = Decode("bad.ko", b)
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := f.Symbols(f.Symtab)
	var fe *FormatError
	if _, err := f.Relas(relaText, len(syms)); !errors.As(err, &fe) || !strings.Contains(err.Error(), "symbol index 5000") {
		t.Errorf("bad r_sym: %v", err)
	}
}

func TestCompressed(t *testing.T) {
	good := readHello(t)
	var gz, xzb bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	xw, err := xz.NewWriter(&xzb)
	if err != nil {
		t.Fatal(err)
	}
	xw.Write(good)
	xw.Close()
	enc, _ := zstd.NewWriter(nil)
	zst := enc.EncodeAll(good, nil)
	for _, c := range []struct {
		name string
		data []byte
	}{{"gzip", gz.Bytes()}, {"xz", xzb.Bytes()}, {"zstd", zst}} {
		f, err := Decode("hello.ko."+c.name, c.data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if f.Compression != c.name || !bytes.Equal(f.Data, good) {
			t.Errorf("%s: compression %q, %d bytes, want the original %d", c.name, f.Compression, len(f.Data), len(good))
		}
	}
}

func TestSignature(t *testing.T) {
	good := readHello(t)
	blob := []byte{0x30, 0x82, 0x01, 0x02, 0xaa, 0xbb}
	signed := append(append([]byte(nil), good...), blob...)
	signed = append(signed, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, byte(len(blob)))
	signed = append(signed, SignatureMagic...)
	f, err := Decode("signed.ko", signed)
	if err != nil {
		t.Fatal(err)
	}
	if f.Signature == nil || !bytes.Equal(f.Signature.Blob, blob) || !bytes.Equal(f.Data, good) || f.Signature.Offset != int64(len(good)) {
		t.Errorf("signature not split off: %+v, %d bytes of ELF", f.Signature, len(f.Data))
	}
}
