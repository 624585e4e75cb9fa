package ia64_test

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/reloc/ia64"
)

// The plan Size returns is shared by every link of a module and must stay
// immutable: links of one Module, run concurrently (and under -race),
// give the same bytes as a link run alone, GOT, descriptors and PLT stubs
// included.
func TestConcurrentLink(t *testing.T) {
	k := loadKernelMap(t)
	for _, name := range []string{"calls", "data", "got"} {
		for _, c := range readFixture(t, name).links {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				obj, err := gelf.Open(filepath.Join(fixtureDir, name+".o"))
				if err != nil {
					t.Fatal(err)
				}
				mod, err := golink.NewModule(obj, golink.Config{Arch: ia64.New(k.options(c))})
				if err != nil {
					t.Fatal(err)
				}
				p := golink.Placement{Core: coreBase}
				if c.initOff != 0 {
					p.Init = coreBase + c.initOff
				}
				want, err := mod.Link(p, k.table)
				if err != nil {
					t.Fatal(err)
				}
				imgs := make([]*image.Image, 8)
				errs := make([]error, len(imgs))
				var wg sync.WaitGroup
				for i := range imgs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						imgs[i], errs[i] = mod.Link(p, k.table)
					}()
				}
				wg.Wait()
				for i, img := range imgs {
					if errs[i] != nil {
						t.Fatalf("link %d: %v", i, errs[i])
					}
					if !bytes.Equal(img.CoreMem, want.CoreMem) || !bytes.Equal(img.InitMem, want.InitMem) {
						t.Errorf("link %d: module memory differs from a link run alone", i)
					}
					if gp, _ := img.Symbol("__gp"); len(img.Extra.Symbols) != len(want.Extra.Symbols) || gp != 0 && img.Extra.Symbols[0] != want.Extra.Symbols[0] {
						t.Errorf("link %d: contribution differs: %+v, want %+v", i, img.Extra.Symbols, want.Extra.Symbols)
					}
				}
			})
		}
	}
}
