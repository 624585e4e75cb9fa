package main

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golink/golink/internal/corpus"
)

var ia64Dir = filepath.Join("..", "..", "testdata", "ia64")

// TestLinkIA64 runs "golink link" on the ia64 fixtures with the fixtures'
// System.map: every module links, exporter before importer, and the images
// are EM_IA_64 files whose PLT, GOT and OPD hold contents, with __gp.
func TestLinkIA64(t *testing.T) {
	corpus.Tools(t)
	for _, plt := range []string{"", "--ia64-plt48"} {
		out := t.TempDir()
		args := []string{"link", "--kernel", filepath.Join(ia64Dir, "kernel.map"), "--base", "0xa000000200000000", "-q", "-o", out}
		if plt != "" {
			args = append(args, plt)
		}
		for _, m := range []string{"importer", "calls", "data", "exporter", "got", "lds"} {
			args = append(args, filepath.Join(ia64Dir, m+".o"))
		}
		var stdout, stderr bytes.Buffer
		if rc := Main(args, &stdout, &stderr); rc != 0 {
			t.Fatalf("golink %s: exit %d\n%s%s", strings.Join(args, " "), rc, stdout.String(), stderr.String())
		}
		if !strings.HasPrefix(stdout.String(), "linked 6 of 6 modules, 75 relocations") {
			t.Errorf("stdout %q", stdout.String())
		}
		f, err := elf.Open(filepath.Join(out, "calls.elf"))
		if err != nil {
			t.Fatal(err)
		}
		if f.Machine != elf.EM_IA_64 {
			t.Errorf("machine %v", f.Machine)
		}
		for _, name := range []string{".core.plt", ".init.plt", ".got", ".opd", ".kernel.opd"} {
			s := f.Section(name)
			if s == nil || s.Type != elf.SHT_PROGBITS {
				t.Errorf("%s: %+v, want PROGBITS", name, s)
				continue
			}
			b, _ := s.Data()
			if bytes.Count(b, []byte{0}) == len(b) {
				t.Errorf("%s holds only zeros", name)
			}
		}
		syms, _ := f.Symbols()
		found := false
		for _, s := range syms {
			found = found || (s.Name == "__gp" && s.Section == elf.SHN_ABS)
		}
		if !found {
			t.Errorf("no SHN_ABS __gp in calls.elf")
		}
		f.Close()
		dis, err := exec.Command("ia64-linux-gnu-objdump", "-d", filepath.Join(out, "calls.elf")).CombinedOutput()
		if err != nil {
			t.Fatalf("objdump: %v\n%s", err, dis)
		}
		if want := "br.call.sptk.many b0="; !strings.Contains(string(dis), want) {
			t.Errorf("objdump shows no %q", want)
		}
	}
}

// TestLinkIA64Refused: a module with relocations the kernel refuses fails
// with one line per relocation naming type, symbol and location, the
// kernel's own message under it, and exit status 1.
func TestLinkIA64Refused(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	rc := Main([]string{"link", "--kernel", filepath.Join(ia64Dir, "kernel.map"), "-q", "-o", out, filepath.Join(ia64Dir, "refuse.o")}, &stdout, &stderr)
	if rc != 1 {
		t.Fatalf("exit %d, want 1", rc)
	}
	for _, want := range []string{
		"refuse: .text+0x0: relocation R_IA64_IMM14 against small_const: ",
		"\tkernel: refuse: format 1 needed by IMM14 reloc is not supported\n",
		"refuse: .text+0x10: relocation R_IA64_GPREL22 against jiffies out of range: ",
		"\tkernel: refuse: TPREL22 reloc not supported\n",
		"refuse: .text+0x40: relocation R_IA64_IMM64 against var: ",
		"\tkernel: refuse: invalid slot number 0 for IMM64\n",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if !strings.HasPrefix(stdout.String(), "linked 0 of 1 modules") {
		t.Errorf("stdout %q", stdout.String())
	}
}

// TestLinkIA64NoGP: an ia64 module needs the kernel's gp.
func TestLinkIA64NoGP(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(dir, "System.map")
	if err := writeFile(m, "a000000100010000 T printk\n"); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	rc := Main([]string{"link", "--kernel", m, "-o", dir, filepath.Join(ia64Dir, "calls.o")}, &stdout, &stderr)
	if rc != 1 || !strings.Contains(stderr.String(), "has no __gp") {
		t.Errorf("exit %d, stderr %q", rc, stderr.String())
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }
