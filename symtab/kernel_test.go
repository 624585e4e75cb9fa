package symtab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSystemMap(t *testing.T) {
	in := "ffffffff81000000 T _text\n\nffffffff819fcd44 T _printk\n0000000000035000 D __per_cpu_end\n"
	got, err := ParseSystemMap(strings.NewReader(in), "System.map")
	if err != nil {
		t.Fatal(err)
	}
	want := []MapSymbol{{0xffffffff81000000, 'T', "_text"}, {0xffffffff819fcd44, 'T', "_printk"}, {0x35000, 'D', "__per_cpu_end"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{"ffffffff81000000 T\n", "zzzz T x\n", "ffffffff81000000 TT x\n"} {
		_, err := ParseSystemMap(strings.NewReader(bad), "System.map")
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 1 {
			t.Errorf("ParseSystemMap(%q) error %v, want a *ParseError on line 1", bad, err)
		}
	}
}

func TestParseSymvers(t *testing.T) {
	in := "0x92997ed8\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n" +
		"0xec3adc8b\tcrypto_cipher_setkey\tvmlinux\tEXPORT_SYMBOL_GPL\tCRYPTO_INTERNAL\n" +
		"0x12345678\tsnd_pcm_new\tsound/core/snd-pcm\tEXPORT_SYMBOL\n" // no namespace field (pre-5.4)
	got, err := ParseSymvers(strings.NewReader(in), "Module.symvers")
	if err != nil {
		t.Fatal(err)
	}
	want := []SymversEntry{
		{CRC: 0x92997ed8, Name: "_printk", Module: "vmlinux"},
		{CRC: 0xec3adc8b, Name: "crypto_cipher_setkey", Module: "vmlinux", GPLOnly: true, Namespace: "CRYPTO_INTERNAL"},
		{CRC: 0x12345678, Name: "snd_pcm_new", Module: "sound/core/snd-pcm"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{"0x1\tx\tvmlinux\n", "0xzz\tx\tvmlinux\tEXPORT_SYMBOL\t\n", "0x1\tx\tvmlinux\tEXPORT_SYMBOL_FOO\t\n", "0x1\t\tvmlinux\tEXPORT_SYMBOL\t\n"} {
		if _, err := ParseSymvers(strings.NewReader(bad), "Module.symvers"); err == nil {
			t.Errorf("ParseSymvers(%q) accepted", bad)
		}
	}
}

func TestKernelTable(t *testing.T) {
	addrs := []MapSymbol{
		{0xffffffff81001000, 't', "helper"}, // a local of the same name as a global below
		{0xffffffff81002000, 'T', "helper"},
		{0xffffffff819fcd44, 'T', "_printk"},
		{0xffffffff81003000, 't', "static_fn"},
	}
	// With Module.symvers only the vmlinux rows are exports.
	k, err := KernelTable(addrs, []SymversEntry{
		{CRC: 1, Name: "_printk", Module: "vmlinux"},
		{CRC: 2, Name: "helper", Module: "vmlinux", GPLOnly: true, Namespace: "NS"},
		{CRC: 3, Name: "modsym", Module: "drivers/foo"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := k.Lookup("helper"); !ok || s.Addr != 0xffffffff81002000 || !s.GPLOnly || s.Namespace != "NS" || s.CRC != 2 || !s.HasCRC || s.Owner != "" {
		t.Errorf("helper = %+v, %v", s, ok)
	}
	for _, name := range []string{"static_fn", "modsym"} {
		if _, ok := k.Lookup(name); ok {
			t.Errorf("%s is exported, want not", name)
		}
	}
	// Without, every symbol is, globals winning over locals.
	k, err = KernelTable(addrs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := k.Lookup("helper"); !ok || s.Addr != 0xffffffff81002000 || s.HasCRC {
		t.Errorf("helper without symvers = %+v", s)
	}
	if _, ok := k.Lookup("static_fn"); !ok {
		t.Error("static_fn not exported without symvers")
	}
	// An export the map lacks means the two files disagree.
	_, err = KernelTable(addrs, []SymversEntry{{Name: "nowhere", Module: "vmlinux"}})
	if err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("export missing from the map: %v", err)
	}
}

func TestTableAddDuplicate(t *testing.T) {
	tb := New()
	if err := tb.Add("", []Symbol{{Name: "a", Addr: 1}}); err != nil {
		t.Fatal(err)
	}
	err := tb.Add("mod", []Symbol{{Name: "b"}, {Name: "a"}})
	var de *DuplicateError
	if !errors.As(err, &de) || de.Error() != "mod: exports duplicate symbol a (owned by kernel)" {
		t.Errorf("duplicate: %v", err)
	}
	if _, ok := tb.Lookup("b"); ok {
		t.Error("a failed Add left b behind")
	}
	tb.Add("mod", []Symbol{{Name: "b"}})
	tb.Remove("mod")
	if _, ok := tb.Lookup("b"); ok || tb.Len() != 1 {
		t.Errorf("Remove left %d symbols", tb.Len())
	}
}

func TestTableConcurrent(t *testing.T) {
	tb := New()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				name := string(rune('a'+g)) + strings.Repeat("x", i)
				tb.Add("m", []Symbol{{Name: name}})
				tb.Lookup(name)
			}
		}()
	}
	wg.Wait()
	if tb.Len() != 800 {
		t.Errorf("%d symbols, want 800", tb.Len())
	}
}

// A vmlinux ELF stands in for System.map: build a tiny one with the
// system's toolchain and read its symbols back with the letters nm gives.
func TestVmlinuxStandsIn(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "k.c")
	os.WriteFile(src, []byte("int kdata = 1; static int klocal; int kfunc(void) { return klocal + kdata; }\n"), 0o644)
	bin := filepath.Join(dir, "vmlinux")
	if out, err := exec.Command("gcc", "-nostdlib", "-static", "-Wl,-e,kfunc", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	syms, err := ReadAddresses(bin)
	if err != nil {
		t.Fatal(err)
	}
	nm, err := exec.Command("nm", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(string(nm), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			want[f[2]] = f[0] + " " + f[1]
		}
	}
	n := 0
	for _, s := range syms {
		if w, ok := want[s.Name]; ok {
			n++
			got := fmt.Sprintf("%016x %c", s.Addr, s.Type)
			if got != w {
				t.Errorf("%s: golink %q, nm %q", s.Name, got, w)
			}
		}
	}
	if n < 3 {
		t.Errorf("only %d of nm's symbols found in %v", n, syms)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("ffffffff81000000 T _text\n", "0x92997ed8\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n")
	f.Fuzz(func(t *testing.T, m, sv string) {
		addrs, err1 := ParseSystemMap(strings.NewReader(m), "m")
		entries, err2 := ParseSymvers(strings.NewReader(sv), "s")
		if err1 == nil && err2 == nil {
			KernelTable(addrs, entries)
		}
	})
}
