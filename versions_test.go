package golink_test

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/modversions"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

func linkWith(t *testing.T, path string, c golink.Config) (*image.Image, error) {
	t.Helper()
	obj, err := gelf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c.Arch = x86_64.New()
	m, err := golink.NewModule(obj, c)
	if err != nil {
		return nil, err
	}
	return m.Link(golink.Placement{Core: 0xffffffffa0000000}, testKernel(t))
}

func TestModversions(t *testing.T) {
	// A CRC that disagrees refuses that symbol with -EINVAL.
	_, err := linkWith(t, "testdata/x86_64/versioned.ko", golink.Config{})
	var ue *golink.UnknownSymbolError
	if !errors.As(err, &ue) || ue.Symbol != "kfree" || ue.Errno != syscall.EINVAL || ue.Reason != "versioned: disagrees about version of symbol kfree" {
		t.Errorf("versioned.ko: %v", err)
	}
	// module_layout disagreeing refuses the whole module first.
	_, err = linkWith(t, "testdata/x86_64/modlayout.ko", golink.Config{})
	var de *modversions.DisagreeError
	if !errors.As(err, &de) || de.Symbol != "module_layout" || de.Errno != -modversions.ENOEXEC {
		t.Errorf("modlayout.ko: %v", err)
	}
	// --force-modversion: nothing is compared, the module is forced (F).
	img, err := linkWith(t, "testdata/x86_64/versioned.ko", golink.Config{IgnoreModversions: true})
	if err != nil {
		t.Fatalf("versioned.ko with IgnoreModversions: %v", err)
	}
	if img.Taints&image.TaintForced == 0 || img.Log[0].Text != "versioned: module_layout: kernel tainted." {
		t.Errorf("forced load: taints %v, log %v", img.Taints, img.Log)
	}
	// A kernel without CONFIG_MODULE_FORCE_LOAD refuses instead, silently.
	_, err = linkWith(t, "testdata/x86_64/hello.ko", golink.Config{NoForceLoad: true})
	var ke *golink.KernelError
	if !errors.As(err, &ke) || ke.Errno != syscall.ENOEXEC {
		t.Errorf("hello.ko without force load: %v", err)
	}
	// Vermagic: compared from the first space when the module has versions.
	if _, err := linkWith(t, "testdata/x86_64/versioned.ko", golink.Config{IgnoreModversions: false,
		KernelVermagic: "6.1.0-99-amd64 SMP preempt mod_unload modversions "}); !errors.As(err, &ue) {
		t.Errorf("versioned.ko, another release: %v (want only the kfree refusal)", err)
	}
	var ve *modversions.VermagicError
	if _, err := linkWith(t, "testdata/x86_64/versioned.ko", golink.Config{
		KernelVermagic: "6.1.0-47-rt-amd64 SMP preempt_rt mod_unload modversions "}); !errors.As(err, &ve) {
		t.Errorf("versioned.ko on the RT kernel: %v", err)
	}
}

func TestTaints(t *testing.T) {
	img, err := linkWith(t, "testdata/x86_64/nsimport.ko", golink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Taints.String(); got != "FOE" {
		t.Errorf("nsimport taints %q, want FOE (forced, out of tree, unsigned)", got)
	}
	img, err = linkWith(t, "testdata/x86_64/versioned.ko", golink.Config{IgnoreModversions: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Taints.String(); got != "FE" {
		t.Errorf("versioned taints %q, want FE (intree=Y)", got)
	}
	// Across loads, each "taints kernel" line is printed once.
	var k image.KernelLog
	log := append(k.Load(img.Log, img.Taints), k.Load(img.Log, img.Taints)...)
	if len(log) != len(img.Log) {
		t.Errorf("two loads logged %q", log)
	}
}

// The generic 6.1 tree against the PREEMPT_RT kernel's symbols: the
// module_layout CRCs differ, so the kernel refuses every module with
// "disagrees about version of symbol module_layout" (-ENOEXEC), as golink
// must.
func TestRTKernelRefusesGenericTree(t *testing.T) {
	const generic, rt = "6.1.0-47-amd64", "6.1.0-47-rt-amd64"
	gdir := corpus.Dir(t, generic)
	kernel, percpu := loadKernel(t, corpus.Dir(t, rt))
	paths := modulePaths(t, corpus.Modules(gdir, generic))
	b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: kernel, Base: 0xffffffffa0000000, Percpu: percpu}
	res, err := b.Run(paths)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, r := range res {
		var de *modversions.DisagreeError
		if errors.As(r.Err, &de) && de.Symbol == "module_layout" &&
			strings.HasSuffix(r.Err.Error(), ": disagrees about version of symbol module_layout") {
			refused++
		} else {
			t.Errorf("%s: %v", r.Path, r.Err)
		}
	}
	t.Logf("%d of %d modules refused: disagrees about version of symbol module_layout", refused, len(paths))
}

// The per-symbol check on real modules: the generic 6.1 tree against a
// kernel with the generic module_layout but the PREEMPT_RT build's CRCs for
// everything else. The (module, symbol) pairs golink refuses with
// "disagrees about version of symbol" must be exactly those kmod's
// depmod -e -E reports for the RT Module.symvers.
func TestDisagreementsMatchDepmod(t *testing.T) {
	const generic, rt = "6.1.0-47-amd64", "6.1.0-47-rt-amd64"
	gdir, rdir := corpus.Dir(t, generic), corpus.Dir(t, rt)
	corpus.Tools(t)
	gk, percpu := loadKernel(t, gdir)
	rk, _ := loadKernel(t, rdir)
	kernel := symtab.New()
	var syms []symtab.Symbol
	for _, s := range gk.Symbols() {
		if r, ok := rk.Lookup(s.Name); ok && s.Name != modversions.ModuleLayout {
			s.CRC, s.HasCRC = r.CRC, r.HasCRC
		}
		syms = append(syms, s)
	}
	if err := kernel.Add("", syms); err != nil {
		t.Fatal(err)
	}
	b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: kernel, Base: 0xffffffffa0000000, Percpu: percpu}
	res, err := b.Run(modulePaths(t, corpus.Modules(gdir, generic)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range res {
		for _, e := range unwrap(r.Err) {
			var ue *golink.UnknownSymbolError
			if errors.As(e, &ue) && ue.Errno == syscall.EINVAL && strings.Contains(ue.Reason, "disagrees about version of symbol") {
				got[ue.Module+" "+ue.Symbol] = true
			}
		}
	}
	cmd := exec.Command("depmod", "-n", "-e", "-E", filepath.Join(rdir, "Module.symvers"), "-b", gdir, generic)
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("depmod: %v\n%s", err, stderr.Bytes())
	}
	want := map[string]bool{}
	moduleLayout := 0
	for _, line := range strings.Split(stderr.String(), "\n") {
		_, rest, ok := strings.Cut(line, "WARNING: ")
		path, sym, ok2 := strings.Cut(rest, " disagrees about version of symbol ")
		if !ok || !ok2 {
			continue
		}
		name := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(path), ".ko"), "-", "_")
		if sym == modversions.ModuleLayout {
			moduleLayout++ // kept generic here: TestRTKernelRefusesGenericTree covers it
			continue
		}
		want[name+" "+sym] = true
	}
	if len(want) < 1000 {
		t.Fatalf("depmod reported only %d disagreements:\n%s", len(want), stderr.String()[:min(2000, stderr.Len())])
	}
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("golink and depmod differ: %d only in depmod (%q), %d only in golink (%q)", len(missing), missing[:min(5, len(missing))], len(extra), extra[:min(5, len(extra))])
	}
	t.Logf("%d (module, symbol) disagreements refused by golink link, %d reported by depmod -e -E (and %d for module_layout)",
		len(got), len(want), moduleLayout)
}

// unwrap flattens errors.Join trees.
func unwrap(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unwrap(e)...)
		}
		return out
	}
	return []error{err}
}
