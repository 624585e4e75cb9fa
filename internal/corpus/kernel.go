package corpus

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/golink/golink/symtab"
)

// Kernel is a corpus build's kernel: its System.map, its Module.symvers and
// the exported-symbol table made of them.
type Kernel struct {
	Addrs   []symtab.MapSymbol
	Symvers []symtab.SymversEntry
	Table   *symtab.Table
	Percpu  uint64 // __per_cpu_end: where modules' per-cpu areas start
}

// LoadKernel reads the kernel of the corpus in dir, failing the test if it
// cannot.
func LoadKernel(tb testing.TB, dir string) *Kernel {
	tb.Helper()
	addrs, err := symtab.ReadAddresses(filepath.Join(dir, "System.map"))
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "Module.symvers"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sv, err := symtab.ParseSymvers(f, "Module.symvers")
	if err != nil {
		tb.Fatal(err)
	}
	tab, err := symtab.KernelTable(addrs, sv)
	if err != nil {
		tb.Fatal(err)
	}
	k := &Kernel{Addrs: addrs, Symvers: sv, Table: tab}
	for _, s := range addrs {
		if s.Name == "__per_cpu_end" {
			k.Percpu = s.Addr
		}
	}
	return k
}

// ModulePaths returns the modules (.ko, .ko.xz, .ko.gz, .ko.zst) under dir,
// sorted.
func ModulePaths(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if !d.IsDir() && (strings.HasSuffix(n, ".ko") || strings.HasSuffix(n, ".ko.xz") ||
			strings.HasSuffix(n, ".ko.gz") || strings.HasSuffix(n, ".ko.zst")) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(out)
	return out
}
