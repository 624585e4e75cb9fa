package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golink/golink/internal/corpus"
)

// TestLinkAgainstVmlinuz: golink link --kernel VMLINUZ, nothing else,
// links the build's own module and refuses another build's in the
// kernel's words: module_layout's CRC first, then, forced past that, the
// image's vermagic.
func TestLinkAgainstVmlinuz(t *testing.T) {
	// Two builds whose modules refuse each other's kernel: the ones
	// scripts/test.sh fetches.
	abis := []string{"6.1.0-47-amd64", "6.12.107+deb12-amd64"}
	d1, d2 := corpus.Dir(t, abis[0]), corpus.Dir(t, abis[1])
	mods := corpus.ModulePaths(t, corpus.Modules(d1, abis[0]))
	var dummy string
	for _, m := range mods {
		if strings.HasPrefix(filepath.Base(m), "dummy.ko") {
			dummy = m
		}
	}
	if dummy == "" {
		t.Fatalf("no dummy.ko in %s", abis[0])
	}
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := Main(append([]string{"link", "-q", "-o", t.TempDir()}, args...), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := run("--kernel", filepath.Join(d1, "vmlinuz"), dummy); code != 0 || !strings.Contains(out, "linked 1 of 1") {
		t.Errorf("against its own vmlinuz: exit %d\n%s", code, out)
	}
	other := filepath.Join(d2, "vmlinuz")
	if code, out := run("--kernel", other, dummy); code != 1 || !strings.Contains(out, "dummy: disagrees about version of symbol module_layout") {
		t.Errorf("against %s's vmlinuz: exit %d\n%s", abis[1], code, out)
	}
	want := "dummy: version magic '" + abis[0] + " SMP preempt mod_unload modversions ' should be '" + abis[1] + " SMP preempt mod_unload modversions '"
	if code, out := run("--force-modversion", "--kernel", other, dummy); code != 1 || !strings.Contains(out, want) {
		t.Errorf("forced past module_layout: exit %d\n%s\nwant %s", code, out, want)
	}
}
