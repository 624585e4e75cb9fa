package ia64_test

import (
	"bufio"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/reloc"
	"github.com/golink/golink/reloc/ia64"
	"github.com/golink/golink/symtab"
)

// Where the fixtures are linked: modules in region 5 above the kernel, as
// ia64 Linux's module area is, and the synthetic kernel .opd between them.
const (
	coreBase   = 0xa000000200000000
	kernelText = 0xa000000100000000
	kernelOPD  = 0xa000000180000000
)

var fixtureDir = filepath.Join("..", "..", "testdata", "ia64")

// fixture is one testdata/ia64/*.s with the directives it carries:
//
//	// link: NAME [init=OFFSET] [plt48] [slot2only]
//	// check[NAME,...]: EXPR == EXPR      (no [..]: every link)
//	// error: TYPE SYMBOL [words the message must contain...]
type fixture struct {
	name   string
	links  []linkCfg
	checks []check
	errors []wantErr
}

type linkCfg struct {
	name      string
	initOff   uint64
	plt48     bool
	slot2only bool
}

type check struct {
	line int
	only []string
	expr string
}

type wantErr struct {
	line     int
	typ, sym string
	mustHave []string
}

func readFixture(t *testing.T, name string) *fixture {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, name+".s"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fx := &fixture{name: name}
	sc := bufio.NewScanner(f)
	for ln := 1; sc.Scan(); ln++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "//") {
			continue
		}
		line = strings.TrimSpace(line[2:])
		switch {
		case strings.HasPrefix(line, "link:"):
			w := strings.Fields(line[5:])
			c := linkCfg{name: w[0]}
			for _, o := range w[1:] {
				switch {
				case strings.HasPrefix(o, "init="):
					c.initOff, err = strconv.ParseUint(o[5:], 0, 64)
					if err != nil {
						t.Fatalf("%s.s:%d: %v", name, ln, err)
					}
				case o == "plt48":
					c.plt48 = true
				case o == "slot2only":
					c.slot2only = true
				default:
					t.Fatalf("%s.s:%d: unknown link option %q", name, ln, o)
				}
			}
			fx.links = append(fx.links, c)
		case strings.HasPrefix(line, "check"):
			i := strings.IndexByte(line, ':')
			c := check{line: ln, expr: strings.TrimSpace(line[i+1:])}
			if tag := line[5:i]; tag != "" {
				c.only = strings.Split(strings.Trim(tag, "[]"), ",")
			}
			fx.checks = append(fx.checks, c)
		case strings.HasPrefix(line, "error:"):
			w := strings.Fields(line[6:])
			fx.errors = append(fx.errors, wantErr{line: ln, typ: w[0], sym: w[1], mustHave: w[2:]})
		}
	}
	if len(fx.links) == 0 {
		t.Fatalf("%s.s: no // link: line", name)
	}
	return fx
}

// kernelMap is the fixtures' kernel: testdata/ia64/kernel.map.
type kernelMap struct {
	table *symtab.Table
	gp    uint64
}

func loadKernelMap(t testing.TB) *kernelMap {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, "kernel.map"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	addrs, err := symtab.ParseSystemMap(f, "kernel.map")
	if err != nil {
		t.Fatal(err)
	}
	k := &kernelMap{}
	for _, s := range addrs {
		if s.Name == "__gp" {
			k.gp = s.Addr
		}
	}
	if k.table, err = symtab.KernelTable(addrs, nil); err != nil {
		t.Fatal(err)
	}
	return k
}

func (k *kernelMap) options(c linkCfg) ia64.Options {
	return ia64.Options{PLT48: c.plt48, Slot2Only: c.slot2only, KernelGP: k.gp, KernelText: kernelText, KernelOPD: kernelOPD}
}

func linkFixture(t *testing.T, k *kernelMap, name string, c linkCfg) (*image.Image, *gelf.File, error) {
	t.Helper()
	obj, err := gelf.Open(filepath.Join(fixtureDir, name+".o"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := golink.NewModule(obj, golink.Config{Arch: ia64.New(k.options(c))})
	if err != nil {
		t.Fatalf("%s: NewModule: %v", name, err)
	}
	p := golink.Placement{Core: coreBase}
	if c.initOff != 0 {
		p.Init = coreBase + c.initOff
	}
	img, err := mod.Link(p, k.table)
	return img, obj, err
}

var fixtures = []string{"calls", "data", "got", "lds", "refuse"}

// TestFixtures links every fixture in every configuration it names and
// evaluates its assertions against the linked memory; a fixture that
// expects errors must fail with exactly those, each naming its type,
// symbol and location.
func TestFixtures(t *testing.T) {
	k := loadKernelMap(t)
	for _, name := range fixtures {
		fx := readFixture(t, name)
		for _, c := range fx.links {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				img, obj, err := linkFixture(t, k, name, c)
				if len(fx.errors) > 0 {
					checkErrors(t, fx, obj, err)
					return
				}
				if err != nil {
					t.Fatalf("link: %v", err)
				}
				e := newImageEnv(img, k, c)
				n := 0
				for _, ch := range fx.checks {
					if ch.only != nil && !contains(ch.only, c.name) {
						continue
					}
					n++
					l, r, err := evalCheck(e, ch.expr)
					if err != nil {
						t.Errorf("%s.s:%d: %s: %v", name, ch.line, ch.expr, err)
						continue
					}
					if l != r {
						t.Errorf("%s.s:%d: %s: %#x != %#x", name, ch.line, ch.expr, l, r)
					}
				}
				if n == 0 {
					t.Errorf("no checks for link %s", c.name)
				}
				t.Logf("%d checks", n)
			})
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// checkErrors matches the link's errors with the fixture's expectations:
// each expected refusal's relocation is found in the object (by type and
// symbol), and one error must name the type, the symbol and section+offset.
func checkErrors(t *testing.T, fx *fixture, obj *gelf.File, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("link succeeded; want errors")
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	used := make([]bool, len(errs))
	syms, _ := obj.Symbols(obj.Symtab)
	for _, w := range fx.errors {
		loc := ""
		for i := range obj.Sections {
			s := &obj.Sections[i]
			if s.Type != elf.SHT_RELA {
				continue
			}
			rels, _ := obj.Relas(i, len(syms))
			for _, r := range rels {
				sym := syms[r.Sym()].Name
				if syms[r.Sym()].Type() == elf.STT_SECTION {
					sym = obj.Sections[syms[r.Sym()].Shndx].Name
				}
				if ia64.TypeName(r.Type()) == w.typ && sym == w.sym {
					loc = fmt.Sprintf("%s+%#x", obj.Sections[s.Info].Name, r.Off)
				}
			}
		}
		if loc == "" {
			t.Errorf("%s.s:%d: the object has no %s against %s", fx.name, w.line, w.typ, w.sym)
			continue
		}
		found := false
		for i, e := range errs {
			msg := e.Error()
			if used[i] || !strings.Contains(msg, w.typ) || !strings.Contains(msg, w.sym) || !strings.Contains(msg, loc) {
				continue
			}
			ok := true
			for _, word := range w.mustHave {
				ok = ok && strings.Contains(msg, word)
			}
			var re *reloc.Error
			var oe *reloc.OverflowError
			if !errors.As(e, &re) && !errors.As(e, &oe) {
				ok = false
			}
			if ok {
				used[i], found = true, true
				t.Logf("%s", msg)
				break
			}
		}
		if !found {
			t.Errorf("%s.s:%d: no error names %s, %s and %s (with %q); got:\n%v", fx.name, w.line, w.typ, w.sym, loc, w.mustHave, err)
		}
	}
	for i, e := range errs {
		if !used[i] {
			t.Errorf("unexpected error: %v", e)
		}
	}
}

// imageEnv evaluates fixture expressions against a linked image.
type imageEnv struct {
	img  *image.Image
	k    *kernelMap
	c    linkCfg
	syms map[string]uint64
	gp   uint64
}

func newImageEnv(img *image.Image, k *kernelMap, c linkCfg) *imageEnv {
	e := &imageEnv{img: img, k: k, c: c, syms: map[string]uint64{}}
	for i, s := range img.Symbols {
		if i == 0 || s.Name == "" || s.Type() == elf.STT_SECTION {
			continue
		}
		if _, dup := e.syms[s.Name]; !dup {
			e.syms[s.Name] = s.Value
		}
	}
	for _, s := range img.Extra.Symbols {
		if s.Name == "__gp" {
			e.gp = s.Value
		}
	}
	return e
}

func (e *imageEnv) constant(name string) (uint64, bool) {
	switch name {
	case "gp":
		return e.gp, true
	case "kgp":
		return e.k.gp, true
	case "pltsize":
		if e.c.plt48 {
			return 48, true
		}
		return 32, true
	case "core":
		return e.img.Core.Base, true
	case "init":
		return e.img.Init.Base, true
	}
	return 0, false
}

func (e *imageEnv) symbol(name string) (uint64, error) {
	if v, ok := e.syms[name]; ok {
		return v, nil
	}
	return 0, fmt.Errorf("no symbol %s", name)
}

// read returns n bytes of memory at addr: module memory or a kernel
// function descriptor golink made.
func (e *imageEnv) read(addr uint64, n int) ([]byte, error) {
	for _, s := range e.img.Sections {
		if s.Loaded && addr-s.Addr < s.Size && addr-s.Addr+uint64(n) <= s.Size {
			return s.Data[addr-s.Addr:][:n], nil
		}
	}
	for _, s := range e.img.Extra.Sections {
		if addr-s.Addr < uint64(len(s.Data)) && addr-s.Addr+uint64(n) <= uint64(len(s.Data)) {
			return s.Data[addr-s.Addr:][:n], nil
		}
	}
	return nil, fmt.Errorf("%#x: not module memory nor a kernel descriptor", addr)
}

func (e *imageEnv) section(name string) *image.Section {
	return e.img.Section(name)
}

func (e *imageEnv) call(fn string, args []value) (uint64, error) {
	arg := func(i int) uint64 {
		if i < len(args) {
			return args[i].n
		}
		return 0
	}
	bundleAt := func(a uint64) (ia64.Bundle, error) {
		b, err := e.read(a&^15, 16)
		if err != nil {
			return ia64.Bundle{}, err
		}
		return ia64.LoadBundle(b), nil
	}
	switch fn {
	case "*8", "*4":
		n := 8
		if fn == "*4" {
			n = 4
		}
		b, err := e.read(arg(0), n)
		if err != nil {
			return 0, err
		}
		if n == 4 {
			return uint64(le32(b)), nil
		}
		return le64(b), nil
	case "lo32":
		return uint64(uint32(arg(0))), nil
	case "br":
		b, err := bundleAt(arg(0))
		if err != nil {
			return 0, err
		}
		t, ok := ia64.BranchTarget(b, arg(0)&^15, int(arg(0)&15))
		if !ok {
			return 0, fmt.Errorf("no IP-relative branch at %#x", arg(0))
		}
		return t, nil
	case "movl":
		b, err := bundleAt(arg(0))
		if err != nil {
			return 0, err
		}
		if b.Units() != [3]ia64.Unit{ia64.UnitM, ia64.UnitL, ia64.UnitX} {
			return 0, fmt.Errorf("%#x: not an MLX bundle", arg(0))
		}
		return ia64.DecodeImm64(b), nil
	case "addl", "opcode":
		b, err := bundleAt(arg(0))
		if err != nil {
			return 0, err
		}
		slot := b.Slot(int(arg(0) & 15 % 3))
		if fn == "opcode" {
			return uint64(ia64.Opcode(slot)), nil
		}
		if ia64.Opcode(slot) != 9 {
			return 0, fmt.Errorf("%#x: not an addl (opcode %d)", arg(0), ia64.Opcode(slot))
		}
		return uint64(ia64.DecodeImm22(slot)), nil
	case "stub_ip", "stub_gp":
		size := 32
		if e.c.plt48 {
			size = 48
		}
		b, err := e.read(arg(0), size)
		if err != nil {
			return 0, err
		}
		ip, gp, ok := ia64.PLTTarget(b, arg(0), e.c.plt48)
		if !ok {
			return 0, fmt.Errorf("%#x: not a PLT stub", arg(0))
		}
		if fn == "stub_ip" {
			return ip, nil
		}
		return gp, nil
	case "in":
		s := e.section(args[1].s)
		if s == nil {
			return 0, fmt.Errorf("no section %s", args[1].s)
		}
		if arg(0)-s.Addr < s.Size {
			return 1, nil
		}
		return 0, nil
	case "sec":
		s := e.section(args[0].s)
		if s == nil {
			return 0, fmt.Errorf("no section %s", args[0].s)
		}
		return s.Addr, nil
	case "entry":
		name := args[0].ident
		for _, im := range e.img.Imports {
			if im.Name == name {
				return im.Addr, nil
			}
		}
		return e.symbol(name)
	}
	return 0, fmt.Errorf("unknown function %s", fn)
}

func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

var _ = corpus.Tools
var _ = sort.Strings
