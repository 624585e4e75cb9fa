package symtab_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink/elf"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/symtab"
)

func TestModuleName(t *testing.T) {
	for in, want := range map[string]string{
		"kernel/drivers/net/dummy.ko":    "dummy",
		"/x/snd-hda-codec-realtek.ko.xz": "snd_hda_codec_realtek",
		"a.b-c/intel-uncore.ko.zst":      "intel_uncore",
		"nodot":                          "nodot",
	} {
		if got := symtab.ModuleName(in); got != want {
			t.Errorf("ModuleName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProviders(t *testing.T) {
	p := symtab.NewProviders()
	p.Add("a", []symtab.Symbol{{Name: "x"}, {Name: "y"}})
	p.Add("b", []symtab.Symbol{{Name: "x", GPLOnly: true}})
	if s, ok := p.Provider("x"); !ok || s.Owner != "b" || !s.GPLOnly {
		t.Errorf("Provider(x) = %+v, %v; want b's", s, ok)
	}
	if got := len(p.Lookup("x")); got != 2 {
		t.Errorf("Lookup(x): %d providers, want 2", got)
	}
	if d := cmp.Diff([]string{"x"}, p.Duplicates()); d != "" {
		t.Errorf("Duplicates (-want +got):\n%s", d)
	}
	if p.Len() != 2 {
		t.Errorf("Len = %d, want 2", p.Len())
	}
}

// TestModuleExportsMatchSymvers reads the exports of every module of a
// Debian tree and compares them with that build's Module.symvers, which
// modpost wrote from the same objects: names, GPL-only flags, namespaces
// and CRCs must all agree.
func TestModuleExportsMatchSymvers(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			f, err := os.Open(filepath.Join(dir, "Module.symvers"))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := symtab.ParseSymvers(f, "Module.symvers")
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{} // module path without .ko -> rows
			for _, r := range rows {
				if r.Module != "vmlinux" {
					want[r.Module] = append(want[r.Module], row(r.Name, r.CRC, true, r.GPLOnly, r.Namespace))
				}
			}
			root := corpus.Modules(dir, abi)
			var paths []string
			filepath.WalkDir(filepath.Join(root, "kernel"), func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.Contains(d.Name(), ".ko") {
					paths = append(paths, p)
				}
				return err
			})
			var mu sync.Mutex
			got := map[string][]string{}
			var wg sync.WaitGroup
			ch := make(chan string)
			for range runtime.GOMAXPROCS(0) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for p := range ch {
						ef, err := elf.Open(p)
						if err != nil {
							t.Error(err)
							continue
						}
						syms, err := symtab.ModuleExports(ef, symtab.ModuleName(p))
						if err != nil {
							t.Error(err)
							continue
						}
						crcs, err := symtab.ReadCRCs(ef)
						if err != nil {
							t.Error(err)
						}
						if len(crcs) != len(syms) {
							t.Errorf("%s: %d __crc_ symbols for %d exports", p, len(crcs), len(syms))
						}
						for _, c := range crcs {
							i := sort.Search(len(syms), func(i int) bool { return syms[i].Name >= c.Name })
							if i == len(syms) || syms[i].Name != c.Name || uint64(syms[i].CRC) != c.CRC {
								t.Errorf("%s: ReadCRCs: %s %#x does not match ModuleExports", p, c.Name, c.CRC)
							}
						}
						rel, _ := filepath.Rel(root, p)
						key := strings.TrimPrefix(rel[:strings.Index(rel, ".ko")], "kernel/")
						mu.Lock()
						for _, s := range syms {
							got[key] = append(got[key], row(s.Name, s.CRC, s.HasCRC, s.GPLOnly, s.Namespace))
						}
						mu.Unlock()
					}
				}()
			}
			for _, p := range paths {
				ch <- p
			}
			close(ch)
			wg.Wait()
			n := 0
			for _, l := range want {
				sort.Strings(l)
				n += len(l)
			}
			for _, l := range got {
				sort.Strings(l)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("exports differ from Module.symvers (-symvers +golink):\n%s", d)
			}
			t.Logf("%d modules, %d exports compared with Module.symvers", len(paths), n)
		})
	}
}

func row(name string, crc uint32, hasCRC, gpl bool, ns string) string {
	typ := "EXPORT_SYMBOL"
	if gpl {
		typ += "_GPL"
	}
	c := "none"
	if hasCRC {
		c = "0x" + strings.ToLower(strings.TrimLeft(hex8(crc), ""))
	}
	return c + "\t" + name + "\t" + typ + "\t" + ns
}

func hex8(v uint32) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return string(b)
}
