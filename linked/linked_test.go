package linked_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/linked"
	"github.com/golink/golink/params"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// summary is what both decodings must agree on.
func summary(ps []params.Param) []string {
	var out []string
	for _, p := range ps {
		s := fmt.Sprintf("%s type=%q kind=%v perm=%o array=%v max=%d elemsize=%d maxlen=%d desc=%q inparam=%v",
			p.Name, p.Type(), p.Kind, p.Perm, p.Array, p.Max, p.ElemSize, p.MaxLen, p.Desc, p.InParamTable)
		if p.InParamTable {
			s += fmt.Sprintf(" arg=%#x var=%#x num=%#x/%v noarg=%v", p.Arg.Addr, p.Var.Addr, p.Num.Addr, p.Num.Null, p.NoArg())
			if p.Kind != params.Custom || p.Array {
				s += " ops=" + p.Ops
			}
		}
		out = append(out, s)
	}
	return out
}

// image writes img (with area) as golink link would and reads it back.
func image(t testing.TB, img *golink.Image, area *golink.ParamArea) *linked.File {
	var buf bytes.Buffer
	if _, err := img.ELFWithParams(area).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := linked.Read(img.Name+".elf", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// check compares the parameters decoded through the object's relocations
// (Image.Params) with those read from the written image's relocated
// memory (File.Params), and the values both report.
func check(t testing.TB, img *golink.Image, area *golink.ParamArea) []string {
	var problems []string
	fromRelocs, err := img.Params()
	if err != nil {
		return []string{err.Error()}
	}
	f := image(t, img, area)
	fromImage, err := f.Params()
	if err != nil {
		return []string{err.Error()}
	}
	if diff := cmp.Diff(summary(fromRelocs), summary(fromImage)); diff != "" {
		problems = append(problems, fmt.Sprintf("%s: relocations (-) and image memory (+) disagree:\n%s", img.Name, diff))
	}
	if f.Name != img.Name || f.Core.Base != img.Core.Base || f.Core.Size != img.Core.Size || f.Core.TextSize != img.CoreLayout.TextSize {
		problems = append(problems, fmt.Sprintf("%s: image says %s core %+v", img.Name, f.Name, f.Core))
	}
	if len(fromImage) == len(fromRelocs) {
		for i := range fromImage {
			a, errA := params.Get(&fromRelocs[i], img.Memory(area))
			b, errB := params.Get(&fromImage[i], f)
			if a != b || (errA == nil) != (errB == nil) {
				problems = append(problems, fmt.Sprintf("%s: %s = %q (%v) in memory, %q (%v) in the image", img.Name, fromImage[i].Name, a, errA, b, errB))
			}
		}
	}
	return problems
}

func TestParamsFromImage(t *testing.T) {
	kernel, err := symtab.LoadKernel("../testdata/params/System.map", "")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: kernel, Base: 0xffffffffa0000000, Percpu: 0x35000,
		Output: func(img *golink.Image) error {
			area := &golink.ParamArea{Base: 0xffff888000000000}
			if img.Name == "demo" {
				if _, r, err := img.ApplyParams("name=x names=a,b greeting=hey ints=3", area, nil); err != nil || r.Err() != nil {
					t.Errorf("apply: %v %v", err, r.Err())
				}
			}
			p := check(t, img, area)
			mu.Lock()
			defer mu.Unlock()
			for _, s := range p {
				t.Error(s)
			}
			return nil
		}}
	if _, err := b.Run([]string{"../testdata/params/demo.o", "../testdata/params/user.o"}); err != nil {
		t.Fatal(err)
	}
}

// TestParamsFromImageCorpus: for every module of the 6.1 tree, reading
// the parameters back from the image golink writes gives what decoding the
// object's relocations gave, values included.
func TestParamsFromImageCorpus(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			kernel, err := symtab.LoadKernel(filepath.Join(dir, "System.map"), filepath.Join(dir, "Module.symvers"))
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			filepath.WalkDir(corpus.Modules(dir, abi), func(p string, d fs.DirEntry, err error) error {
				if err == nil && strings.HasSuffix(p, ".ko") {
					paths = append(paths, p)
				}
				return err
			})
			sort.Strings(paths)
			var mu sync.Mutex
			var problems []string
			var n atomic.Int64
			b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: kernel, Base: 0xffffffffa0000000, Percpu: 0x35000,
				Output: func(img *golink.Image) error {
					if img.Section("__param") == nil {
						return nil
					}
					n.Add(1)
					p := check(t, img, nil)
					mu.Lock()
					problems = append(problems, p...)
					mu.Unlock()
					return nil
				}}
			if _, err := b.Run(paths); err != nil {
				t.Fatal(err)
			}
			for i, p := range problems {
				if i == 10 {
					t.Errorf("... %d more", len(problems)-10)
					break
				}
				t.Error(p)
			}
			t.Logf("%d modules with parameters: image and relocations agree on each", n.Load())
		})
	}
}

// FuzzRead: a damaged image is refused with an error, never a panic, and
// what is read can be listed.
func FuzzRead(f *testing.F) {
	kernel, err := symtab.LoadKernel("../testdata/params/System.map", "")
	if err != nil {
		f.Fatal(err)
	}
	obj, err := gelf.Open("../testdata/params/demo.o")
	if err != nil {
		f.Fatal(err)
	}
	m, err := golink.NewModule(obj, golink.Config{Arch: x86_64.New()})
	if err != nil {
		f.Fatal(err)
	}
	img, err := m.Link(golink.Placement{Core: 0xffffffffa0000000}, kernel)
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	img.WriteELF(&buf)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := linked.Read("fuzz.elf", data)
		if err != nil {
			return
		}
		if ps, err := lf.Params(); err == nil {
			for i := range ps {
				params.Get(&ps[i], lf)
			}
		}
		lf.Kallsyms()
	})
}

// FuzzDecode: params.Decode on damaged objects (that the ELF reader
// accepts) returns an error or parameters, never a panic.
func FuzzDecode(f *testing.F) {
	data, err := os.ReadFile("../testdata/params/demo.o")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := gelf.Decode("fuzz.o", data)
		if err != nil {
			return
		}
		ps, err := params.Decode(obj)
		if err == nil {
			params.Merge(ps, nil)
		}
	})
}
