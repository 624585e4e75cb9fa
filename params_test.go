package golink_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/golink/golink"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/params"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

const kmallocBase = 0xffff888000000000

// newValue picks a value for p that differs from cur, its current value
// as Get prints it, and that the kernel accepts; "" if there is none.
func newValue(p *params.Param, cur string) string {
	elem := func(k params.Kind, cur string) string {
		switch k {
		case params.Bool, params.Invbool, params.BoolEnableOnly:
			if cur == "Y" {
				if k == params.BoolEnableOnly {
					return "" // cannot be cleared
				}
				return "N"
			}
			return "Y"
		case params.Bint:
			if cur == "1" {
				return "0"
			}
			return "1"
		case params.Charp:
			return "golink"
		case params.Hexint:
			v, _ := strconv.ParseUint(strings.TrimPrefix(cur, "0x"), 16, 32)
			return fmt.Sprintf("%#x", uint32(v+1))
		case params.Short, params.Int, params.Long:
			v, _ := strconv.ParseInt(cur, 10, 64)
			if v > 0 {
				return strconv.FormatInt(v-1, 10)
			}
			return strconv.FormatInt(v+1, 10)
		default:
			v, _ := strconv.ParseUint(cur, 10, 64)
			if v > 0 {
				return strconv.FormatUint(v-1, 10)
			}
			return "1"
		}
	}
	switch {
	case p.Array:
		if p.Max == 0 {
			return ""
		}
		olds := strings.Split(cur, ",")
		var vals []string
		for i := 0; i < int(min(p.Max, 3)); i++ {
			o := ""
			if i < len(olds) {
				o = olds[i]
			}
			v := elem(p.Kind, o)
			if v == "" {
				v = "Y"
			}
			vals = append(vals, v)
		}
		return strings.Join(vals, ",")
	case p.Kind == params.String:
		if p.MaxLen < 2 {
			return ""
		}
		v := "g"
		if cur == v {
			v = "h"
		}
		return v
	}
	return elem(p.Kind, cur)
}

// paramSpans are the addresses parse_args may write for p: its variable
// and, for arrays, the element count.
func paramSpans(p *params.Param) [][2]uint64 {
	switch {
	case p.Array:
		s := [][2]uint64{{p.Var.Addr, p.Var.Addr + uint64(p.Max)*uint64(p.ElemSize)}}
		if !p.Num.Null {
			s = append(s, [2]uint64{p.Num.Addr, p.Num.Addr + 4})
		}
		return s
	case p.Kind == params.String:
		return [][2]uint64{{p.Var.Addr, p.Var.Addr + uint64(p.MaxLen)}}
	}
	return [][2]uint64{{p.Var.Addr, p.Var.Addr + uint64(p.Kind.Size())}}
}

// checkApply sets every standard parameter of img in turn, on a fresh copy
// of its memory each time, and checks that exactly the parameter's own
// bytes changed, that they hold the new value, and that the __param entry
// in the relocated image points where the relocations said. It returns
// how many parameters it set.
func checkApply(t testing.TB, img *image.Image, kernel *symtab.Table) (set, outside int, problems []string) {
	ps, err := img.Params()
	if err != nil {
		return 0, 0, []string{err.Error()}
	}
	// What the object's relocations say the entries hold.
	rps, err := relocParams(img)
	if err != nil {
		return 0, 0, []string{err.Error()}
	}
	if len(rps) != len(ps) {
		return 0, 0, []string{fmt.Sprintf("%s: %d parameters in memory, %d by the relocations", img.Name, len(ps), len(rps))}
	}
	inImage := func(addr uint64) bool { return img.InModule(addr) || img.Percpu.Contains(addr) }
	bad := func(format string, args ...any) {
		problems = append(problems, img.Name+": "+fmt.Sprintf(format, args...))
	}
	mem := img
	// The relocated __param entries point where the relocations said.
	if sec := img.Section("__param"); sec != nil {
		k := 0
		for i := range ps {
			p := &ps[i]
			if !p.InParamTable {
				continue
			}
			e := sec.Data[k*params.KernelParamSize:]
			k++
			ops := le64(e[16:])
			if p.Kind != params.Custom || p.Array {
				want, _ := kernel.Lookup(p.Ops)
				if ops != want.Addr {
					bad("%s: ops pointer %#x, want %s at %#x", p.Name, ops, p.Ops, want.Addr)
				}
			}
			if arg := le64(e[32:]); arg != rps[i].Arg.Addr {
				bad("%s: arg pointer %#x, relocation said %#x", p.Name, arg, rps[i].Arg.Addr)
			}
		}
	}
	n, outside := 0, 0
	core, init, percpu := bytes.Clone(img.CoreMem), bytes.Clone(img.InitMem), bytes.Clone(img.PercpuMem)
	for i := range ps {
		p := &ps[i]
		if !p.InParamTable || p.Kind == params.Custom {
			continue
		}
		if !inImage(p.Var.Addr) {
			// module_param on a variable of the kernel or another
			// module: not in this image. Apply must say so.
			r, err := params.Apply(img.Name, p.Name+"=1", ps[i:i+1], mem, nil, nil)
			if err != nil || len(r.NotApplied) != 1 || len(r.Applied) != 0 {
				bad("%s: variable %s outside the module: applied %+v, not applied %+v, %v", p.Name, p.Var.Sym, r.Applied, r.NotApplied, err)
			}
			outside++
			continue
		}
		cur, err := params.Get(p, mem)
		if err != nil {
			bad("%s: %v", p.Name, err)
			continue
		}
		val := newValue(p, cur)
		if val == "" {
			continue
		}
		area := &image.ParamArea{Base: kmallocBase}
		img.Kmalloc = area
		r, err := params.Apply(img.Name, p.Name+"="+val, ps[i:i+1], img, area, nil)
		if err != nil || r.Err() != nil {
			bad("%s=%s: %v %v", p.Name, val, err, r.Err())
			continue
		}
		if len(r.NotApplied) > 0 {
			if inImage(p.Var.Addr) {
				bad("%s=%s: not applied: %s", p.Name, val, r.NotApplied[0].Reason)
			}
			continue // a variable of the kernel's, not in the image
		}
		got, err := params.Get(p, img)
		want := val
		if p.Kind == params.Hexint {
			v, _ := strconv.ParseUint(val[2:], 16, 32)
			want = fmt.Sprintf("0x%06x", v)
		}
		if p.Array && p.Num.Null {
			// Without a count, get prints all max elements.
			got = strings.Join(strings.Split(got, ",")[:strings.Count(val, ",")+1], ",")
		}
		if err != nil || got != want {
			bad("%s=%s: reads back %q, %v", p.Name, val, got, err)
		}
		// Exactly the variable's bytes changed.
		spans := paramSpans(p)
		for _, reg := range []struct {
			base      uint64
			now, orig []byte
		}{{img.Core.Base, img.CoreMem, core}, {img.Init.Base, img.InitMem, init}, {img.Percpu.Base, img.PercpuMem, percpu}} {
			for off := range reg.now {
				if reg.now[off] == reg.orig[off] {
					continue
				}
				addr := reg.base + uint64(off)
				inside := false
				for _, s := range spans {
					inside = inside || (addr >= s[0] && addr < s[1])
				}
				if !inside {
					bad("%s=%s changed the byte at %#x, outside the variable", p.Name, val, addr)
					break
				}
			}
			copy(reg.now, reg.orig)
		}
		n++
	}
	return n, outside, problems
}

func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// linkParamsTestdata links testdata/params' objects against its kernel,
// handing each image to check (one at a time), and fails the test on a
// module that does not link.
func linkParamsTestdata(t *testing.T, check func(img *image.Image, kernel *symtab.Table)) {
	kernel, err := symtab.LoadKernel("testdata/params/System.map", "")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: kernel, Base: 0xffffffffa0000000, Percpu: 0x35000,
		Output: func(img *image.Image) error {
			mu.Lock()
			defer mu.Unlock()
			check(img, kernel)
			return nil
		}}
	res, err := b.Run([]string{"testdata/params/demo.o", "testdata/params/user.o"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Path, r.Err)
		}
	}
}

// TestApplyParamsTestdata links the test objects and sets each of their
// standard parameters.
func TestApplyParamsTestdata(t *testing.T) {
	linkParamsTestdata(t, func(img *image.Image, kernel *symtab.Table) {
		n, _, problems := checkApply(t, img, kernel)
		for _, p := range problems {
			t.Error(p)
		}
		if img.Name == "demo" && n != 21 {
			t.Errorf("demo: %d parameters set, want 21", n)
		}
	})
}

// TestApplyParamsCorpus links every module of the 6.1 tree and sets each
// standard parameter of each, checking that exactly the variable's bytes
// change (plus the element count of an array), that the value reads back,
// and that the relocated __param entries agree with the decoding.
func TestApplyParamsCorpus(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			kernel, percpu := loadKernel(t, dir)
			paths := modulePaths(t, corpus.Modules(dir, abi))
			var mu sync.Mutex
			var problems []string
			var set, mods, outside atomic.Int64
			b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: kernel, Base: 0xffffffffa0000000, Percpu: percpu,
				Output: func(img *image.Image) error {
					n, o, p := checkApply(t, img, kernel)
					set.Add(int64(n))
					outside.Add(int64(o))
					if n > 0 {
						mods.Add(1)
					}
					mu.Lock()
					problems = append(problems, p...)
					mu.Unlock()
					return nil
				}}
			res, err := b.Run(paths)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Err != nil {
					t.Errorf("%s: %v", filepath.Base(r.Path), r.Err)
				}
			}
			for i, p := range problems {
				if i == 20 {
					t.Errorf("... %d more", len(problems)-20)
					break
				}
				t.Error(p)
			}
			t.Logf("%d modules linked; %d standard parameters in %d modules set, each changing only its own bytes; %d on variables outside their module reported as not applied",
				len(paths), set.Load(), mods.Load(), outside.Load())
		})
	}
}
