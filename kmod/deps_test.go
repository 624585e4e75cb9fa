package kmod_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection: kmod reads modules through the leaf decoders (elf,
// modinfo, modversions, symtab) and never imports the linker; modinfo is a
// leaf that imports no golink package at all.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/golink/golink"
	allow := map[string][]string{
		mod + "/kmod":    {mod + "/kmod", mod + "/elf", mod + "/modinfo", mod + "/modversions", mod + "/symtab"},
		mod + "/modinfo": {mod + "/modinfo"},
	}
	for pkg, ok := range allow {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
	next:
		for _, d := range strings.Fields(string(out)) {
			if d != mod && !strings.HasPrefix(d, mod+"/") {
				continue
			}
			for _, a := range ok {
				if d == a {
					continue next
				}
			}
			t.Errorf("%s imports %s", pkg, d)
		}
	}
}
