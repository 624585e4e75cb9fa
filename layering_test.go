package golink_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// layers is golink's design as a table: each package ("" the root), the
// module packages it may import directly (tests aside; "." is the root),
// and why. Imports only point down
// this table; only cmd/golink picks backends, and host is the one other
// place that names one (see below).
var layers = []struct {
	pkg, imports, why string
}{
	{"elf", "", "read, validate and write ELF objects; the bottom"},
	{"modinfo", "", ".modinfo and struct module's name, decoded once"},
	{"internal/workers", "", "the one worker pool"},
	{"modversions", "elf", "__versions, check_version, the genksyms CRC"},
	{"params", "elf modinfo", "module parameters: decoding, parsing, applying"},
	{"symtab", "elf", "exported-symbol tables: System.map, vmlinux, Module.symvers"},
	{"kallsyms", "symtab", "the kernel's and modules' kallsyms"},
	{"vmlinuz", "", "the kernel image: bzImage header, decompression"},
	{"vmlinux", "elf symtab vmlinuz", "the kernel itself from its image: kallsyms tables, exports"},
	{"reloc", "elf", "the backend contract: sites, range checks, errors"},
	{"reloc/x86_64", "elf reloc", "a backend imports reloc and elf only"},
	{"reloc/ia64", "elf reloc", "a backend imports reloc and elf only"},
	{"image", "elf kallsyms modinfo params reloc symtab", "the linked image: build, write, read back, exports, params, kallsyms"},
	{"kmod", "elf internal/workers modinfo modversions symtab", "kmod's tools; not the linker"},
	{"", "elf image internal/workers modinfo modversions reloc symtab", "the linker; never a backend"},
	{"lifecycle", ". elf image modinfo params symtab", "the module registry, over any Executor"},
	// host runs linked code in this process, which only x86_64 code can
	// do, with the GOT and PLT the x86_64 backend makes for plain gcc -c
	// output (x86_64.Options{GOT: true}): it is that backend's executor,
	// so it is the second place that names one.
	{"host", ". image lifecycle reloc reloc/x86_64 symtab", "executing x86_64 modules in this process (cgo)"},
	{"host/internal/dl", "", "dlopen for the benchmarks' baseline (cgo)"},
	{"internal/corpus", "elf symtab", "the tests' Debian corpus"},
	{"cmd/golink", "*", "the CLI: the only place that picks backends"},
}

// unsafeOK and cgoOK are the packages allowed unsafe and cgo: host touches
// module memory, and lifecycle's per-CPU counters use go:linkname (see
// lifecycle/percpu.go).
var (
	unsafeOK = map[string]bool{"host": true, "host/internal/dl": true, "lifecycle": true}
	cgoOK    = map[string]bool{"host": true, "host/internal/dl": true}
)

// TestLayering checks every package of the module against layers: no
// import outside its row, no package without a row, unsafe and cgo only
// where allowed.
func TestLayering(t *testing.T) {
	const mod = "github.com/golink/golink"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{len .CgoFiles}}", mod+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]map[string]bool{}
	for _, l := range layers {
		allowed[l.pkg] = map[string]bool{}
		for _, imp := range strings.Fields(l.imports) {
			allowed[l.pkg][strings.TrimPrefix(imp, ".")] = true
		}
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		pkg := strings.TrimPrefix(strings.TrimPrefix(f[0], mod), "/")
		seen[pkg] = true
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %q has no row in layers: say what it may import", pkg)
			continue
		}
		var bad []string
		for _, imp := range strings.Fields(f[1]) {
			switch {
			case imp == "unsafe" && !unsafeOK[pkg]:
				bad = append(bad, imp)
			case imp == mod || strings.HasPrefix(imp, mod+"/"):
				rel := strings.TrimPrefix(strings.TrimPrefix(imp, mod), "/")
				if !ok[rel] && !ok["*"] {
					bad = append(bad, rel)
				}
			}
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			t.Errorf("%s imports %s, which its row in layers does not allow", name(pkg), strings.Join(bad, ", "))
		}
		if f[2] != "0" && !cgoOK[pkg] {
			t.Errorf("%s uses cgo", name(pkg))
		}
	}
	for _, l := range layers {
		if !seen[l.pkg] {
			t.Errorf("layers has a row for %s, which does not exist", name(l.pkg))
		}
	}
}

func name(pkg string) string {
	if pkg == "" {
		return "the root package"
	}
	return pkg
}
