package golink_test

import (
	"bytes"
	"debug/elf"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/kallsyms"
	"github.com/golink/golink/params"
	"github.com/golink/golink/reloc/ia64"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// relocParams decodes img's parameters the other way: from the object's
// __param relocations (params.Decode), each reference located in img by
// the name of the object's section or symbol it targets.
func relocParams(img *image.Image) ([]params.Param, error) {
	obj, err := gelf.Open(img.Path)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	syms, err := obj.Symbols(obj.Symtab)
	if err != nil {
		return nil, err
	}
	ps, err := params.Decode(obj)
	if err != nil {
		return nil, err
	}
	ps = params.Merge(ps, img.Modinfo)
	secAddr := func(i int) (uint64, error) {
		s := img.Section(obj.Sections[i].Name)
		if s == nil || !s.Loaded && s.Index != img.PercpuSec {
			return 0, fmt.Errorf("%s is not in memory", obj.Sections[i].Name)
		}
		return s.Addr, nil
	}
	locate := func(r *params.Ref) error {
		switch {
		case r.Null:
		case r.Section != 0:
			a, err := secAddr(r.Section)
			r.Addr = a + r.Off
			return err
		case r.Sym != "":
			s := &syms[r.SymIndex]
			switch {
			case s.Shndx == elf.SHN_UNDEF:
				for _, is := range img.Symbols {
					if is.Name == s.Name && is.Shndx == elf.SHN_ABS {
						r.Addr = is.Value
					}
				}
			case s.Shndx == elf.SHN_ABS:
				r.Addr = s.Value
			default:
				a, err := secAddr(int(s.Shndx))
				if err != nil {
					return err
				}
				r.Addr = a + s.Value
			}
			r.Addr += uint64(r.Addend)
		}
		return nil
	}
	for i := range ps {
		p := &ps[i]
		if !p.InParamTable {
			continue
		}
		for _, r := range []*params.Ref{&p.Arg, &p.Var, &p.Num} {
			if err := locate(r); err != nil {
				return nil, fmt.Errorf("%s: parameter %s: %w", img.Name, p.Name, err)
			}
		}
	}
	return ps, nil
}

// paramSummary is what both decodings of the parameters must agree on.
func paramSummary(ps []params.Param) []string {
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

// kallsymsText is the module's /proc/kallsyms lines.
func kallsymsText(img *image.Image) string {
	tab := kallsyms.New(kallsyms.Config{})
	tab.AddModule(img.Kallsyms())
	var b bytes.Buffer
	tab.WriteTo(&b)
	return b.String()
}

// roundTrip checks that img, written and read back, is the same image to
// every reader: regions, exports, parameters (decoded from memory, and the
// same as the object's relocations say), their values, kallsyms, and that
// it writes the same bytes again.
func roundTrip(img *image.Image) []string {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, img.Name+": "+fmt.Sprintf(format, args...))
	}
	var buf bytes.Buffer
	if _, err := img.WriteTo(&buf); err != nil {
		return []string{err.Error()}
	}
	back, err := image.Read(img.Name+".elf", buf.Bytes())
	if err != nil {
		return []string{err.Error()}
	}
	if back.Name != img.Name || back.Core != img.Core || back.Init != img.Init || back.Percpu != img.Percpu {
		bad("read back as %s core %+v init %+v percpu %+v, want core %+v init %+v percpu %+v",
			back.Name, back.Core, back.Init, back.Percpu, img.Core, img.Init, img.Percpu)
	}
	if d := cmp.Diff(img.Exports, back.Exports); d != "" {
		bad("exports (-linked +read back):\n%s", d)
	}
	if d := cmp.Diff(kallsymsText(img), kallsymsText(back)); d != "" {
		bad("kallsyms (-linked +read back):\n%s", d)
	}
	mine, err := img.Params()
	if err != nil {
		return append(problems, err.Error())
	}
	theirs, err := back.Params()
	if err != nil {
		return append(problems, err.Error())
	}
	if d := cmp.Diff(paramSummary(mine), paramSummary(theirs)); d != "" {
		bad("parameters (-linked +read back):\n%s", d)
	}
	if img.Machine == elf.EM_X86_64 {
		fromRelocs, err := relocParams(img)
		if err != nil {
			return append(problems, err.Error())
		}
		if d := cmp.Diff(paramSummary(fromRelocs), paramSummary(mine)); d != "" {
			bad("parameters (-object's relocations +image memory):\n%s", d)
		}
	}
	for i := range mine {
		a, errA := params.Get(&mine[i], img)
		b, errB := params.Get(&theirs[i], back)
		if a != b || (errA == nil) != (errB == nil) {
			bad("%s = %q (%v) linked, %q (%v) read back", mine[i].Name, a, errA, b, errB)
		}
	}
	var again bytes.Buffer
	if _, err := back.WriteTo(&again); err != nil {
		return append(problems, err.Error())
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		bad("writing the image read back gives other bytes (%d, then %d)", buf.Len(), again.Len())
	}
	return problems
}

func TestImageRoundTrip(t *testing.T) {
	linkParamsTestdata(t, func(img *image.Image, _ *symtab.Table) {
		if img.Name == "demo" {
			area := &image.ParamArea{Base: 0xffff888000000000}
			if _, r, err := img.ApplyParams("name=x names=a,b greeting=hey ints=3", area, nil); err != nil || r.Err() != nil {
				t.Errorf("apply: %v %v", err, r.Err())
			}
		}
		for _, s := range roundTrip(img) {
			t.Error(s)
		}
	})
}

// TestImageRoundTripIA64: an ia64 image golink wrote reads back, its
// 24-byte __ksymtab entries included (the reader once refused them), with
// the same exports and kallsyms.
func TestImageRoundTripIA64(t *testing.T) {
	k, err := symtab.ReadKernel("testdata/ia64/kernel.map", "")
	if err != nil {
		t.Fatal(err)
	}
	gp, ok := k.Table.Lookup("__gp")
	if !ok {
		t.Fatal("testdata/ia64/kernel.map has no __gp")
	}
	opts := ia64.Options{KernelGP: gp.Addr, KernelText: 0xa000000100000000, KernelOPD: 0xa000000180000000}
	paths, _ := filepath.Glob("testdata/ia64/*.o")
	if len(paths) == 0 {
		t.Fatal("no ia64 fixtures in testdata/ia64")
	}
	sort.Strings(paths)
	exports := 0
	for _, p := range paths {
		obj, err := gelf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := golink.NewModule(obj, golink.Config{Arch: ia64.New(opts)})
		if err != nil {
			continue
		}
		img, err := m.Link(golink.Placement{Core: 0xa000000200000000}, k.Table)
		if err != nil {
			continue
		}
		exports += len(img.Exports)
		for _, s := range roundTrip(img) {
			t.Error(s)
		}
	}
	if exports == 0 {
		t.Fatal("no ia64 fixture with exports linked: the test proves nothing")
	}
}

// TestImageRoundTripCorpus: every module of each corpus build, linked,
// written and read back, is the same image to every reader.
func TestImageRoundTripCorpus(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			k := corpus.LoadKernel(t, dir)
			paths := corpus.ModulePaths(t, corpus.Modules(dir, abi))
			var mu sync.Mutex
			var problems []string
			b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: k.Table, Base: 0xffffffffa0000000, Percpu: k.Percpu,
				Output: func(img *image.Image) error {
					p := roundTrip(img)
					mu.Lock()
					problems = append(problems, p...)
					mu.Unlock()
					return nil
				}}
			if _, err := b.Run(paths); err != nil {
				t.Fatal(err)
			}
			for i, p := range problems {
				if i == 20 {
					t.Errorf("... %d more", len(problems)-20)
					break
				}
				t.Error(p)
			}
			t.Logf("%d modules linked, written and read back", len(paths))
		})
	}
}
