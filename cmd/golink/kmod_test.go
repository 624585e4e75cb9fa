package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink/internal/corpus"
)

// xzABI is the Debian build whose modules are .ko.xz; the kmod parity
// tests always include it, whatever GOLINK_ABIS says.
const xzABI = "6.12.107+deb12-amd64"

// kmodABIs are the builds the kmod parity tests run on.
func kmodABIs() []string {
	abis := corpus.ABIs()
	if !slices.Contains(abis, xzABI) {
		abis = append(abis, xzABI)
	}
	return abis
}

// moduleFiles returns every module file of a corpus, sorted.
func moduleFiles(t *testing.T, dir string) []string { return moduleFilesTB(t, dir) }

func moduleFilesTB(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(d.Name(), ".ko") {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no modules under %s", dir)
	}
	sort.Strings(out)
	return out
}

// runGolink runs golink's Main and returns its stdout, stderr and status.
func runGolink(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	rc := Main(args, &out, &errb)
	return out.String(), errb.String(), rc
}

// oracle runs one of kmod's tools and returns its stdout, stderr and
// status.
func oracle(t *testing.T, tool string, args ...string) (string, string, int) {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		path = "/usr/sbin/" + tool
		if _, err := os.Stat(path); err != nil {
			path = "/sbin/" + tool
		}
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return out.String(), errb.String(), rc
}

// firstDiff reports the first module whose part of two outputs differs,
// the outputs being split where sep starts a module's part.
func firstDiff(want, got, sep string) string {
	w, g := strings.SplitAfter(want, sep), strings.SplitAfter(got, sep)
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] != g[i] {
			return cmp.Diff(w[i], g[i])
		}
	}
	return fmt.Sprintf("%d parts from kmod, %d from golink", len(w), len(g))
}

// TestModinfoKmod runs kmod's modinfo and golink modinfo over every
// module of each build, with the options that change the output, and
// requires identical stdout.
func TestModinfoKmod(t *testing.T) {
	for _, abi := range kmodABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			corpus.Tools(t)
			paths := moduleFiles(t, corpus.Modules(dir, abi))
			variants := [][]string{nil, {"-0"}, {"-F", "parm"}, {"-F", "signature"}, {"-F", "alias"}, {"-n"}, {"-p", "-0"}}
			if abi == xzABI {
				variants = variants[:1] // decompression dominates; the formatting is covered above
			}
			for _, v := range variants {
				const batch = 1000
				for i := 0; i < len(paths); i += batch {
					args := append(slices.Clone(v), paths[i:min(i+batch, len(paths))]...)
					want, _, wantRC := oracle(t, "modinfo", args...)
					got, errs, rc := runGolink(append([]string{"modinfo"}, args...)...)
					if rc != wantRC {
						t.Errorf("modinfo %v: status %d, kmod %d; stderr:\n%s", v, rc, wantRC, errs)
					}
					if got != want {
						t.Errorf("modinfo %v differs from kmod's (-kmod +golink):\n%s", v, firstDiff(want, got, "filename:"))
						return
					}
				}
			}
			t.Logf("%d modules: modinfo output identical to kmod's with %d option sets", len(paths), len(variants))
		})
	}
}

// TestModinfoKmodEdges compares modinfo on a module rewritten with
// objcopy to carry the .modinfo strings that exercise kmod's formatting
// corners (long keys, keys without '=', parm/parmtype merging, a
// malformed parm) and on the fixtures of testdata/mods.
func TestModinfoKmodEdges(t *testing.T) {
	dir := corpus.Dir(t, corpus.Default)
	corpus.Tools(t)
	src := filepath.Join(corpus.Modules(dir, corpus.Default), "kernel/drivers/net/dummy.ko")
	tmp := t.TempDir()
	mi := filepath.Join(tmp, "modinfo.bin")
	os.WriteFile(mi, []byte("\x00\x00a_sixteen_chars_=x\x00fifteen_chars__=y\x00fifteen_chars_=z\x00noequals\x00"+
		"parmtype=onlytype:int\x00parm=onlydesc:the desc\x00parm=both:desc2\x00parmtype=both:bool\x00parm=bad\x00\x00\x00"+
		"license=GPL\x00LICENSE=MIT\x00parm=both:again\x00alias=a\x00alias=b\x00last=unterminated"), 0o644)
	ko := filepath.Join(tmp, "edge-case.ko")
	if out, err := exec.Command("objcopy", "--update-section", ".modinfo="+mi, src, ko).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, out)
	}
	// The fixtures: unsigned, signed with other keys and digests, a
	// BER-encoded signature, a signature blob that is not PKCS#7.
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "mods", "*.ko"))
	for _, v := range [][]string{nil, {"-0"}, {"-F", "parm"}, {"-F", "LICENSE"}, {"-F", "noequals"}, {"-F", "last"}, {"-F", "filename"}, {"-a"}, {"-l"}} {
		args := append(append(slices.Clone(v), ko, ko), fixtures...)
		want, _, wantRC := oracle(t, "modinfo", args...)
		got, _, rc := runGolink(append([]string{"modinfo"}, args...)...)
		if got != want || rc != wantRC {
			t.Errorf("modinfo %v: status %d (kmod %d); (-kmod +golink):\n%s", v, rc, wantRC, cmp.Diff(want, got))
		}
	}
}

// TestModversionsKmod compares golink modversions with
// modprobe --dump-modversions on every module of each build.
func TestModversionsKmod(t *testing.T) {
	for _, abi := range kmodABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			corpus.Tools(t)
			paths := moduleFiles(t, corpus.Modules(dir, abi))
			var mu sync.Mutex
			var bad []string
			var wg sync.WaitGroup
			ch := make(chan string)
			for range runtime.GOMAXPROCS(0) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for p := range ch {
						want, _, wantRC := oracle(t, "modprobe", "--dump-modversions", p)
						got, _, rc := runGolink("modversions", p)
						if got != want || (rc == 0) != (wantRC == 0) {
							mu.Lock()
							bad = append(bad, fmt.Sprintf("%s: status %d (kmod %d) (-kmod +golink):\n%s", p, rc, wantRC, cmp.Diff(want, got)))
							mu.Unlock()
						}
					}
				}()
			}
			for _, p := range paths {
				ch <- p
			}
			close(ch)
			wg.Wait()
			if len(bad) > 0 {
				sort.Strings(bad)
				t.Errorf("%d of %d modules differ; first:\n%s", len(bad), len(paths), bad[0])
			}
			t.Logf("%d modules: modversions output identical to modprobe --dump-modversions", len(paths)-len(bad))
		})
	}
}

// depmodTree makes a module tree for depmod under a temporary base
// directory: the corpus's kernel/ directory linked in, its modules.order
// and modules.builtin* copied.
func depmodTree(t *testing.T, dir, abi string) string {
	t.Helper()
	base := t.TempDir()
	mods := filepath.Join(base, "lib", "modules", abi)
	if err := os.MkdirAll(mods, 0o755); err != nil {
		t.Fatal(err)
	}
	src := corpus.Modules(dir, abi)
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(mods, e.Name())); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !strings.HasPrefix(e.Name(), "modules.order") && !strings.HasPrefix(e.Name(), "modules.builtin") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(mods, e.Name()), b, 0o644)
	}
	return base
}

var depmodOutputs = []string{"modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin", "modules.softdep",
	"modules.symbols", "modules.symbols.bin", "modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname"}

// TestDepmodKmod runs kmod's depmod and golink depmod on the same tree
// and compares the files they write, then their -n output and their
// -e warnings against the kernel's own Module.symvers and System.map.
func TestDepmodKmod(t *testing.T) {
	for _, abi := range kmodABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			corpus.Tools(t)
			base := depmodTree(t, dir, abi)
			mods := filepath.Join(base, "lib", "modules", abi)
			read := func() map[string]string {
				m := map[string]string{}
				for _, f := range depmodOutputs {
					b, err := os.ReadFile(filepath.Join(mods, f))
					if err != nil {
						t.Fatal(err)
					}
					m[f] = string(b)
				}
				return m
			}
			if _, errs, rc := oracle(t, "depmod", "-b", base, abi); rc != 0 {
				t.Fatalf("kmod depmod: status %d\n%s", rc, errs)
			}
			want := read()
			for _, f := range depmodOutputs {
				os.Remove(filepath.Join(mods, f))
			}
			if _, errs, rc := runGolink("depmod", "-b", base, abi); rc != 0 {
				t.Fatalf("golink depmod: status %d\n%s", rc, errs)
			}
			got := read()
			for _, f := range depmodOutputs {
				if got[f] != want[f] {
					if strings.HasSuffix(f, ".bin") {
						t.Errorf("%s differs from kmod's: %d bytes, kmod %d", f, len(got[f]), len(want[f]))
						continue
					}
					t.Errorf("%s differs from kmod's (-kmod +golink):\n%s", f, lineDiff(want[f], got[f]))
				}
			}
			t.Logf("%d lines of modules.dep, %d of modules.symbols identical", strings.Count(want["modules.dep"], "\n"), strings.Count(want["modules.symbols"], "\n"))

			variants := [][]string{
				{"-n", "-e", "-E", filepath.Join(dir, "Module.symvers")},
				{"-n", "-e", "-F", filepath.Join(dir, "System.map")},
			}
			if abi == xzABI {
				variants = variants[:1] // every run inflates the whole tree
			}
			for _, extra := range variants {
				args := append(slices.Clone(extra), "-b", base, abi)
				wantOut, wantErr, wantRC := oracle(t, "depmod", args...)
				gotOut, gotErr, rc := runGolink(append([]string{"depmod"}, args...)...)
				if rc != wantRC {
					t.Errorf("depmod %v: status %d, kmod %d", extra, rc, wantRC)
				}
				if gotOut != wantOut {
					t.Errorf("depmod %v: stdout differs (-kmod +golink):\n%s", extra, lineDiff(wantOut, gotOut))
				}
				if gotErr != wantErr {
					t.Errorf("depmod %v: stderr differs (-kmod +golink):\n%s", extra, lineDiff(wantErr, gotErr))
				}
			}
		})
	}
}

// TestDepmodRTSymvers checks the generic 6.1 tree against the PREEMPT_RT
// build's Module.symvers: every module disagrees with the RT kernel about
// some CRC, and golink must report the same (module, symbol) pairs, in
// the same words and order, as kmod's depmod -e -E.
func TestDepmodRTSymvers(t *testing.T) {
	const rt = "6.1.0-47-rt-amd64"
	dir := corpus.Dir(t, corpus.Default)
	rtDir := corpus.Dir(t, rt)
	corpus.Tools(t)
	base := depmodTree(t, dir, corpus.Default)
	args := []string{"-n", "-e", "-E", filepath.Join(rtDir, "Module.symvers"), "-b", base, corpus.Default}
	_, wantErr, wantRC := oracle(t, "depmod", args...)
	_, gotErr, rc := runGolink(append([]string{"depmod"}, args...)...)
	if rc != wantRC {
		t.Errorf("status %d, kmod %d", rc, wantRC)
	}
	if gotErr != wantErr {
		t.Errorf("findings differ (-kmod +golink):\n%s", lineDiff(wantErr, gotErr))
	}
	disagree := strings.Count(wantErr, " disagrees about version of symbol ")
	unknown := strings.Count(wantErr, " needs unknown symbol ")
	if disagree < 70000 {
		t.Errorf("kmod reports only %d disagreements; expected about 74,500", disagree)
	}
	t.Logf("%d disagreements and %d unknown symbols, identical to kmod's", disagree, unknown)
}

// lineDiff shows the first differing lines of two long texts.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b || i >= len(w) || i >= len(g) {
			lo, hi := max(0, i-2), i+3
			return fmt.Sprintf("line %d (%d lines from kmod, %d from golink):\n%s", i+1, len(w), len(g),
				cmp.Diff(w[lo:min(hi, len(w))], g[lo:min(hi, len(g))]))
		}
	}
	return ""
}

// TestDepmodKmodEdges builds a tree of fixture modules whose .modinfo
// strings exercise depmod's corners (bracketed and unmatched aliases,
// devname without a device number, block devices, odd numbers) and
// compares every file both depmods write, and their stderr.
func TestDepmodKmodEdges(t *testing.T) {
	corpus.Tools(t)
	base := t.TempDir()
	const ver = "6.1.0-edge"
	mods := filepath.Join(base, "lib", "modules", ver)
	src := filepath.Join("testdata", "mods", "mini.ko")
	for name, modinfo := range map[string]string{
		"kernel/a/brackets.ko": "alias=pci:v0000[8-9]d-x*\x00alias=usb:[ab-\x00alias=un]matched\x00alias=plain-dash-alias\x00",
		"kernel/a/nodev.ko":    "alias=devname:lonely\x00softdep=pre: a b post: c\x00softdep=post: d\x00",
		"kernel/b/blockdev.ko": "alias=block-major-8-*\x00alias=block-major-259-0\x00alias=devname:disk/x\x00",
		"kernel/b/odd-nums.ko": "alias=char-major- 7-+3x\x00alias=devname:oddity\x00alias=char-major-1-2\x00",
	} {
		mi := filepath.Join(base, "mi")
		os.WriteFile(mi, []byte(modinfo), 0o644)
		dst := filepath.Join(mods, name)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if out, err := exec.Command("objcopy", "--update-section", ".modinfo="+mi, src, dst).CombinedOutput(); err != nil {
			t.Fatalf("objcopy: %v\n%s", err, out)
		}
	}
	os.Remove(filepath.Join(base, "mi"))
	os.WriteFile(filepath.Join(mods, "modules.order"), []byte("kernel/b/odd-nums.ko\nkernel/a/brackets.ko\n"), 0o644)
	os.WriteFile(filepath.Join(mods, "modules.builtin"), []byte("kernel/x/built-in.ko\n9bad/line.ko\n"), 0o644)
	os.WriteFile(filepath.Join(mods, "modules.builtin.modinfo"), []byte("built_in.alias=bi-alias\x00built_in.alias=[x\x00other.license=GPL\x00built_in.alias=late\x00"), 0o644)
	read := func() map[string]string {
		m := map[string]string{}
		for _, f := range depmodOutputs {
			b, err := os.ReadFile(filepath.Join(mods, f))
			if err != nil {
				t.Fatal(err)
			}
			m[f] = string(b)
			os.Remove(filepath.Join(mods, f))
		}
		return m
	}
	_, wantErr, wantRC := oracle(t, "depmod", "-b", base, ver)
	want := read()
	_, gotErr, rc := runGolink("depmod", "-b", base, ver)
	got := read()
	if rc != wantRC || gotErr != wantErr {
		t.Errorf("status %d (kmod %d); stderr (-kmod +golink):\n%s", rc, wantRC, cmp.Diff(wantErr, gotErr))
	}
	for _, f := range depmodOutputs {
		if got[f] != want[f] {
			t.Errorf("%s differs (-kmod +golink):\n%s", f, cmp.Diff(want[f], got[f]))
		}
	}
}
