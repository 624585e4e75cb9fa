package corpus

import (
	"io/fs"
	"path/filepath"
	"sort"
	"testing"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/symtab"
)

// Kernel is a corpus build's kernel: its System.map, its Module.symvers and
// the exported-symbol table made of them.
type Kernel struct {
	*symtab.Kernel
	Percpu uint64 // __per_cpu_end: where modules' per-cpu areas start
}

// LoadKernel reads the kernel of the corpus in dir, failing the test if it
// cannot.
func LoadKernel(tb testing.TB, dir string) *Kernel {
	tb.Helper()
	k, err := symtab.ReadKernel(filepath.Join(dir, "System.map"), filepath.Join(dir, "Module.symvers"))
	if err != nil {
		tb.Fatal(err)
	}
	return &Kernel{Kernel: k, Percpu: k.PercpuEnd}
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
		if !d.IsDir() && gelf.IsModuleName(n) {
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
