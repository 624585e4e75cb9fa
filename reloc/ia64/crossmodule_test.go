package ia64_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/golink/golink"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/reloc/ia64"
)

// TestCrossModule links exporter.o and importer.o as one batch: importer's
// call to foo must reach a stub that loads exporter's gp and branches to
// foo's entry, both read from the descriptor exporter's __ksymtab points to.
func TestCrossModule(t *testing.T) {
	corpus.Tools(t)
	k := loadKernelMap(t)
	opts := k.options(linkCfg{})
	opts.Descriptors = ia64.NewDescriptors()
	var mu sync.Mutex
	imgs := map[string]*image.Image{}
	b := &golink.Batch{
		Config: golink.Config{Arch: ia64.New(opts)},
		Kernel: k.table,
		Base:   coreBase,
		Output: func(img *image.Image) error {
			mu.Lock()
			imgs[img.Name] = img
			mu.Unlock()
			return nil
		},
	}
	// importer first on the command line: the batch still links exporter first.
	res, err := b.Run([]string{filepath.Join(fixtureDir, "importer.o"), filepath.Join(fixtureDir, "exporter.o")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Path, r.Err)
		}
	}
	exp, imp := imgs["exporter"], imgs["importer"]
	foo, _ := exp.Symbol("foo")
	var expGP uint64
	for _, s := range exp.Extra.Symbols {
		if s.Name == "__gp" {
			expGP = s.Value
		}
	}
	if len(exp.Exports) != 1 || exp.Exports[0].Name != "foo" {
		t.Fatalf("exporter exports %+v", exp.Exports)
	}
	e := newImageEnv(imp, k, linkCfg{})
	stub, err := e.call("br", []value{{n: must(t, e, "call_foo") + 2}})
	if err != nil {
		t.Fatal(err)
	}
	ip, _ := e.call("stub_ip", []value{{n: stub}})
	gp, _ := e.call("stub_gp", []value{{n: stub}})
	if ip != foo || gp != expGP {
		t.Errorf("importer's stub goes to %#x with gp %#x, want foo %#x with exporter's gp %#x", ip, gp, foo, expGP)
	}
	if gp == e.gp {
		t.Errorf("stub loads the importer's own gp")
	}
	// @fptr(foo) in importer is exporter's descriptor itself.
	p, _ := e.symbol("p_foo")
	d, err := e.call("*8", []value{{n: p}})
	if err != nil || d != exp.Exports[0].Addr {
		t.Errorf("p_foo holds %#x (%v), want exporter's descriptor %#x", d, err, exp.Exports[0].Addr)
	}
}

func must(t *testing.T, e *imageEnv, name string) uint64 {
	t.Helper()
	v, err := e.symbol(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
