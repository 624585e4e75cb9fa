package symtab_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/golink/golink/elf"
	"github.com/golink/golink/symtab"
)

// FuzzModuleExports reads the exports of arbitrary objects; seeds are the
// module-shaped fixtures of cmd/golink/testdata/mods.
func FuzzModuleExports(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("..", "cmd", "golink", "testdata", "mods", "*.ko"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ef, err := elf.Decode("fuzz.ko", data)
		if err != nil {
			return
		}
		syms, err := symtab.ModuleExports(ef, "fuzz")
		if err == nil {
			symtab.NewProviders().Add("fuzz", syms)
		}
		symtab.ReadCRCs(ef)
		symtab.KsymtabStrings(ef)
	})
}

// TestModuleExportsFixture reads the fixture that exports mini_helper
// (GPL-only, namespace MINI_NS, CRC 0x1badcafe).
func TestModuleExportsFixture(t *testing.T) {
	ef, err := elf.Open(filepath.Join("..", "cmd", "golink", "testdata", "mods", "mini.ko"))
	if err != nil {
		t.Fatal(err)
	}
	syms, err := symtab.ModuleExports(ef, "mini")
	if err != nil {
		t.Fatal(err)
	}
	if len(syms) != 1 {
		t.Fatalf("%d exports, want 1: %+v", len(syms), syms)
	}
	s := syms[0]
	if s.Name != "mini_helper" || !s.GPLOnly || s.Namespace != "MINI_NS" || !s.HasCRC || s.CRC != 0x1badcafe || s.Owner != "mini" || s.Type != 'T' {
		t.Errorf("got %+v", s)
	}
}
