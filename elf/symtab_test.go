package elf

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// SymTab agrees with debug/elf on every symbol of every testdata object,
// and Sym, Name, Symbol and All agree with each other.
func TestSymTabMatchesDebugElf(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/*/*.ko")
	if len(paths) == 0 {
		t.Fatal("no testdata objects")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Decode(p, b)
		if err != nil || f.Symtab == 0 {
			continue
		}
		tab, err := f.SymTab(f.Symtab)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		std, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		want, err := std.Symbols() // without the null symbol
		if err != nil {
			t.Fatal(err)
		}
		if tab.Len() != len(want)+1 {
			t.Fatalf("%s: Len() = %d, debug/elf has %d+1", p, tab.Len(), len(want))
		}
		n := 0
		for i, s := range tab.All() {
			n++
			if s != tab.Symbol(i) || s.Name != tab.Name(i) || s.Value != tab.Sym(i).Value {
				t.Errorf("%s: symbol %d: All gives %+v, Symbol %+v", p, i, s, tab.Symbol(i))
			}
			if i == 0 {
				continue
			}
			w := want[i-1]
			if s.Name != w.Name || s.Info != w.Info || s.Other != w.Other || s.Shndx != w.Section || s.Value != w.Value || s.Size != w.Size {
				t.Errorf("%s: symbol %d = %+v, debug/elf %+v", p, i, s, w)
			}
		}
		if n != tab.Len() {
			t.Errorf("%s: All yielded %d entries, Len() = %d", p, n, tab.Len())
		}
		if tab.Name(-1) != "" || tab.Name(tab.Len()) != "" {
			t.Errorf("%s: Name out of range is not empty", p)
		}
	}
}

func TestSymTabRefuses(t *testing.T) {
	good := readHello(t)
	symtab := sectionIndex(t, good, ".symtab")
	text := sectionIndex(t, good, ".text")
	f, _ := Decode("hello.ko", good)
	for _, i := range []int{0, -1, len(f.Sections), text} {
		var fe *FormatError
		if _, err := f.SymTab(i); !errors.As(err, &fe) {
			t.Errorf("SymTab(%d) = %v, want a *FormatError", i, err)
		}
	}
	b := shdr(append([]byte(nil), good...), symtab, func(s *elf.Section64) { s.Entsize = 16 })
	f, err := Decode("bad.ko", b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SymTab(symtab); err == nil {
		t.Error("sh_entsize 16 accepted")
	}
}
