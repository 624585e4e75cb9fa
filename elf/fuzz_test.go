package elf

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the reader and decodes everything a
// valid object has: any input must give an object or a *FormatError,
// never a panic, a hang or an outsized allocation. Seeds: the testdata
// objects.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/*/*.ko")
	more, _ := filepath.Glob("../testdata/*/*.o")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := Decode("fuzz.ko", data)
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v (%T) is not a *FormatError", err, err)
			}
			return
		}
		syms, err := obj.Symbols(obj.Symtab)
		if err != nil && obj.Symtab != 0 {
			return
		}
		for i := range obj.Sections {
			_ = obj.Bytes(i)
			if tab, err := obj.SymTab(i); err == nil {
				for k, s := range tab.All() {
					if s.Name != tab.Name(k) || tab.Sym(k).Value != s.Value {
						t.Fatalf("section %d symbol %d: All and Name/Sym disagree", i, k)
					}
				}
			}
			if t := obj.Sections[i].Type; t == elf.SHT_RELA || t == elf.SHT_REL {
				obj.Relas(i, len(syms))
			}
		}
		// What the writer makes of it must be readable.
		out := &Output{Machine: obj.Machine, Type: elf.ET_EXEC}
		for i, s := range obj.Sections {
			if i > 0 && s.Type != elf.SHT_NOBITS {
				typ := s.Type
				switch typ {
				case elf.SHT_SYMTAB, elf.SHT_DYNSYM, elf.SHT_RELA, elf.SHT_REL, elf.SHT_GROUP, elf.SHT_SYMTAB_SHNDX:
					// The writer keeps no sh_link for its sections, so it
					// copies their bytes only.
					typ = elf.SHT_PROGBITS
				}
				out.Sections = append(out.Sections, OutSection{Name: s.Name, Type: typ, Data: obj.Bytes(i)})
			}
		}
		var buf bytes.Buffer
		if _, err := out.WriteTo(&buf); err != nil {
			return
		}
		if _, err := elf.NewFile(bytes.NewReader(buf.Bytes())); err != nil {
			t.Fatalf("written file unreadable: %v", err)
		}
		if _, err := DecodeExecutable("out.elf", buf.Bytes()); err != nil {
			t.Fatalf("written file refused by DecodeExecutable: %v", err)
		}
	})
}
