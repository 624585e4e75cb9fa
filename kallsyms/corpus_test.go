package kallsyms_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/golink/golink"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/kallsyms"
	"github.com/golink/golink/reloc/x86_64"
)

func modulePaths(t testing.TB, dir string) []string { return corpus.ModulePaths(t, dir) }

type kernel = corpus.Kernel

func loadKernel(t testing.TB, dir string) *kernel { return corpus.LoadKernel(t, dir) }

// link links every module of the corpus, calling out for each image.
func link(t testing.TB, k *kernel, paths []string, out func(img *image.Image) error) {
	b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: k.Table, Base: 0xffffffffa0000000, Percpu: k.Percpu, Output: out}
	res, err := b.Run(paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Path, r.Err)
		}
	}
}

// nmSymbols runs nm -f sysv over the images: per file, each symbol's
// address, letter, name and section.
type nmSym struct {
	addr          uint64
	letter        byte
	name, section string
}

func nmSymbols(t *testing.T, files []string) map[string][]nmSym {
	out := map[string][]nmSym{}
	for len(files) > 0 {
		n := min(len(files), 300)
		cmd := exec.Command("nm", append([]string{"-f", "sysv", "--defined-only"}, files[:n]...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("nm: %v\n%s", err, stderr.String())
		}
		cur := ""
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "Symbols from ") {
				cur = strings.TrimSuffix(strings.TrimPrefix(line, "Symbols from "), ":")
				continue
			}
			f := strings.Split(line, "|")
			if len(f) != 7 {
				continue
			}
			addr, err := strconv.ParseUint(strings.TrimSpace(f[1]), 16, 64)
			if err != nil {
				continue // the header line
			}
			out[cur] = append(out[cur], nmSym{addr: addr, letter: strings.TrimSpace(f[2])[0],
				name: strings.TrimSpace(f[0]), section: strings.TrimSpace(f[6])})
		}
		files = files[n:]
	}
	return out
}

// TestNMAgreement links every module of the corpus, writes the images,
// builds the kallsyms table from the image files, and checks that for each
// module the symbols golink lists are exactly those nm shows in golink's
// own image that the kernel keeps, with the same address, name and letter.
// The kernel's rules, applied to nm's view: symbols in .init* sections and
// absolute ones (the resolved imports) are not kept; a per-cpu symbol's
// letter is 'a'; otherwise the letter is nm's in lower case, upper case
// only for names the module exports with EXPORT_SYMBOL (Module.symvers,
// an independent record of the exports). The in-memory Image.Kallsyms must
// list the same as the file.
func TestNMAgreement(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) { testNM(t, abi) })
	}
}

func testNM(t *testing.T, abi string) {
	dir := corpus.Dir(t, abi)
	corpus.Tools(t)
	k := loadKernel(t, dir)
	paths := modulePaths(t, corpus.Modules(dir, abi))
	work := t.TempDir()
	var mu sync.Mutex
	memListing := map[string]string{}
	link(t, k, paths, func(img *image.Image) error {
		tab := kallsyms.New(kallsyms.Config{})
		tab.AddModule(img.Kallsyms())
		var buf bytes.Buffer
		tab.WriteTo(&buf)
		mu.Lock()
		memListing[img.Name] = buf.String()
		mu.Unlock()
		return writeImage(filepath.Join(work, img.Name+".elf"), img)
	})
	exported := map[string]map[string]bool{} // module name → EXPORT_SYMBOL names
	for _, e := range k.Symvers {
		if e.Module == "vmlinux" || e.GPLOnly {
			continue
		}
		m := strings.ReplaceAll(filepath.Base(e.Module), "-", "_")
		if exported[m] == nil {
			exported[m] = map[string]bool{}
		}
		exported[m][e.Name] = true
	}
	files, _ := filepath.Glob(filepath.Join(work, "*.elf"))
	sort.Strings(files)
	nm := nmSymbols(t, files)
	tab := kallsyms.New(kallsyms.Config{})
	if err := tab.SetKernel(k.Addrs); err != nil {
		t.Fatal(err)
	}
	bad, symbols, upper := 0, 0, 0
	for _, path := range files {
		f, err := image.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		m := f.Kallsyms()
		one := kallsyms.New(kallsyms.Config{})
		one.AddModule(m)
		tab.AddModule(m)
		var got []string
		for _, syms := range one.Modules() {
			for _, s := range syms {
				got = append(got, fmt.Sprintf("%016x %c %s", s.Addr, s.Type, s.Name))
			}
		}
		var want []string
		for _, s := range nm[path] {
			if strings.HasPrefix(s.section, ".init") || s.letter == 'A' || s.letter == 'a' || s.section == "*ABS*" {
				continue
			}
			c := s.letter | 0x20
			if s.section == ".data..percpu" {
				c = 'a'
			}
			if exported[f.Name][s.name] && s.letter >= 'A' && s.letter <= 'Z' {
				c &^= 0x20
				upper++
			}
			want = append(want, fmt.Sprintf("%016x %c %s", s.addr, c, s.name))
		}
		sort.Strings(got)
		sort.Strings(want)
		symbols += len(got)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			bad++
			if bad <= 10 {
				t.Errorf("%s: golink lists %d symbols, nm's view %d:\n%s", f.Name, len(got), len(want), firstDiff(want, got))
			}
		}
		var buf bytes.Buffer
		one.WriteTo(&buf)
		if buf.String() != memListing[f.Name] {
			bad++
			t.Errorf("%s: the image file's kallsyms differ from the in-memory image's", f.Name)
		}
	}
	t.Logf("%d modules, %d module symbols (%d exported, upper case) agree with nm of golink's images; table: %d symbols with the kernel's",
		len(files), symbols, upper, tab.Len())
	if bad > 0 {
		t.Errorf("%d modules disagree", bad)
	}
}

func firstDiff(want, got []string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	for _, s := range got {
		g[s] = true
	}
	var out []string
	for _, s := range want {
		if !g[s] && len(out) < 5 {
			out = append(out, "  nm only:     "+s)
		}
	}
	for _, s := range got {
		if !w[s] && len(out) < 10 {
			out = append(out, "  golink only: "+s)
		}
	}
	return strings.Join(out, "\n")
}

func writeImage(path string, img *image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if _, err := img.WriteTo(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var bench struct {
	once  sync.Once
	tab   *kallsyms.Table
	addrs []uint64 // every symbol address, sorted: the baseline's table
	probe []uint64 // addresses to look up
}

func benchTable(b *testing.B) {
	abi := corpus.ABIs()[0]
	dir := corpus.Dir(b, abi)
	bench.once.Do(func() {
		k := loadKernel(b, dir)
		tab := kallsyms.New(kallsyms.Config{})
		if err := tab.SetKernel(k.Addrs); err != nil {
			b.Fatal(err)
		}
		var mu sync.Mutex
		var mods []*kallsyms.Module
		link(b, k, modulePaths(b, corpus.Modules(dir, abi)), func(img *image.Image) error {
			mu.Lock()
			mods = append(mods, img.Kallsyms())
			mu.Unlock()
			return nil
		})
		sort.Slice(mods, func(i, j int) bool { return mods[i].Core.Base < mods[j].Core.Base })
		var ranges [][2]uint64
		for _, m := range mods {
			tab.AddModule(m)
			ranges = append(ranges, [2]uint64{m.Core.Base, m.Core.Base + m.Core.Size})
		}
		var addrs []uint64
		for _, s := range tab.Kernel() {
			addrs = append(addrs, s.Addr)
		}
		for _, ms := range tab.Modules() {
			for _, s := range ms {
				addrs = append(addrs, s.Addr)
			}
		}
		sort.Slice(addrs, func(i, j int) bool { return addrs[i] < addrs[j] })
		bench.tab, bench.addrs = tab, addrs
		stext, _ := tab.Addr("_stext")
		end, _ := tab.Addr("_end")
		r := rand.New(rand.NewSource(1))
		for i := 0; i < 1<<16; i++ {
			if i%2 == 0 {
				bench.probe = append(bench.probe, stext+uint64(r.Int63n(int64(end-stext))))
			} else {
				rg := ranges[r.Intn(len(ranges))]
				bench.probe = append(bench.probe, rg[0]+uint64(r.Int63n(int64(rg[1]-rg[0]))))
			}
		}
		tab.Lookup(0) // build the index outside the timing
	})
}

// BenchmarkLookup looks up random addresses of the kernel and of every
// 6.1 module (half each) in the full table: the interval index beside a
// plain sort.Search over the same symbol addresses (which only finds the
// preceding address, doing less than a lookup).
func BenchmarkLookup(b *testing.B) {
	benchTable(b)
	b.Logf("%d symbols, %d distinct addresses", bench.tab.Len(), len(bench.addrs))
	b.Run("index", func(b *testing.B) {
		p := bench.probe
		n := 0
		for i := 0; i < b.N; i++ {
			if _, ok := bench.tab.Lookup(p[i&(len(p)-1)]); ok {
				n++
			}
		}
		if n == 0 {
			b.Fatal("nothing found")
		}
	})
	b.Run("sort.Search", func(b *testing.B) {
		p, a := bench.probe, bench.addrs
		n := 0
		for i := 0; i < b.N; i++ {
			x := p[i&(len(p)-1)]
			n += sort.Search(len(a), func(j int) bool { return a[j] > x })
		}
		if n == 0 {
			b.Fatal("nothing found")
		}
	})
}

// BenchmarkAddr looks up names, kernel and module ones.
func BenchmarkAddr(b *testing.B) {
	benchTable(b)
	var names []string
	for _, s := range bench.tab.Kernel()[:1000] {
		names = append(names, s.Name)
	}
	for _, ms := range bench.tab.Modules()[:200] {
		for _, s := range ms[:min(5, len(ms))] {
			names = append(names, s.Name)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bench.tab.Addr(names[i%len(names)])
	}
}
