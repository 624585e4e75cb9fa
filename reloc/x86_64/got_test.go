package x86_64_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/reloc"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// anyKernel exports every name asked for, at consecutive addresses from base.
type anyKernel struct {
	base  uint64
	addrs map[string]uint64
}

func (k *anyKernel) Lookup(name string) (symtab.Symbol, bool) {
	if k.addrs == nil {
		k.addrs = map[string]uint64{}
	}
	a, ok := k.addrs[name]
	if !ok {
		a = k.base + uint64(len(k.addrs))*0x100
		k.addrs[name] = a
	}
	return symtab.Symbol{Name: name, Addr: a, Type: 'T'}, true
}

func link(t *testing.T, path string, opts x86_64.Options, core uint64, k *anyKernel) (*image.Image, error) {
	t.Helper()
	obj, err := gelf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { obj.Close() })
	m, err := golink.NewModule(obj, golink.Config{Arch: x86_64.New(opts)})
	if err != nil {
		t.Fatal(err)
	}
	return m.Link(golink.Placement{Core: core, Percpu: core - 0x100000}, k)
}

var le = binary.LittleEndian

// relocSite returns the P and addend of the first relocation of type typ
// against sym in the object, with the image's section holding it.
func relocSite(t *testing.T, img *image.Image, typ elf.R_X86_64, sym string) (*image.Section, uint64, int64) {
	t.Helper()
	obj, err := gelf.Open(img.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	syms, err := obj.Symbols(obj.Symtab)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range obj.Sections {
		if s.Type != elf.SHT_RELA {
			continue
		}
		rels, err := obj.Relas(i, len(syms))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rels {
			if elf.R_X86_64(r.Type()) == typ && syms[r.Sym()].Name == sym {
				return img.Section(obj.Sections[s.Info].Name), r.Off, r.Addend
			}
		}
	}
	t.Fatalf("%s: no %v against %s", img.Name, typ, sym)
	return nil, 0, 0
}

// A load through the GOT (R_X86_64_REX_GOTPCRELX): the kernel refuses it;
// with Options.GOT the displacement reaches a .got entry holding kfree.
func TestGOTPCRELX(t *testing.T) {
	k := &anyKernel{base: 0x401000}
	_, err := link(t, "../../testdata/x86_64/gotpcrel.ko", x86_64.Options{}, 0x40000000, k)
	var re *reloc.Error
	if !errors.As(err, &re) || re.Type != "R_X86_64_REX_GOTPCRELX" {
		t.Fatalf("without GOT: error %v, want the kernel's refusal of R_X86_64_REX_GOTPCRELX", err)
	}
	img, err := link(t, "../../testdata/x86_64/gotpcrel.ko", x86_64.Options{GOT: true}, 0x40000000, k)
	if err != nil {
		t.Fatal(err)
	}
	got := img.Section(".got")
	if got == nil || got.Size != 8 || got.Flags != elf.SHF_ALLOC {
		t.Fatalf(".got = %+v, want one read-only 8-byte entry", got)
	}
	if v := le.Uint64(got.Data); v != k.addrs["kfree"] {
		t.Errorf(".got[0] = %#x, want kfree's %#x", v, k.addrs["kfree"])
	}
	sec, off, A := relocSite(t, img, elf.R_X86_64_REX_GOTPCRELX, "kfree")
	P := sec.Addr + off
	disp := int64(int32(le.Uint32(sec.Data[off:])))
	if target := P + uint64(disp) - uint64(A); target != got.Addr {
		t.Errorf("displacement at %#x reaches %#x, want the GOT entry at %#x", P, target, got.Addr)
	}
	if img.Section(".plt") != nil {
		t.Error("a module without PLT32 calls got a .plt")
	}
}

// Calls through R_X86_64_PLT32: direct while the callee is within reach,
// through a stub (jmp *0(%rip); .quad target) when it is not.
func TestPLTStubs(t *testing.T) {
	const obj = "../../testdata/x86_64/hello-pie.o"
	for _, tc := range []struct {
		name       string
		core, host uint64
		viaStub    bool
	}{
		{"near", 0x40000000, 0x401000, false},
		{"far", 0x40000000, 0x7f0000001000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &anyKernel{base: tc.host}
			img, err := link(t, obj, x86_64.Options{GOT: true}, tc.core, k)
			if err != nil {
				t.Fatal(err)
			}
			plt := img.Section(".plt")
			if plt == nil || plt.Flags != elf.SHF_ALLOC|elf.SHF_EXECINSTR || plt.Size%16 != 0 {
				t.Fatalf(".plt = %+v", plt)
			}
			stubs := map[uint64]uint64{} // stub address → target
			for i := uint64(0); i < plt.Size; i += 16 {
				s := plt.Data[i : i+16]
				if !bytes.Equal(s[:6], []byte{0xff, 0x25, 0, 0, 0, 0}) || s[14] != 0xcc || s[15] != 0xcc {
					t.Fatalf("stub %d = % x", i/16, s)
				}
				stubs[plt.Addr+i] = le.Uint64(s[6:])
			}
			sec, off, A := relocSite(t, img, elf.R_X86_64_PLT32, "_printk")
			P := sec.Addr + off
			target := P + uint64(int64(int32(le.Uint32(sec.Data[off:])))) - uint64(A)
			if tc.viaStub {
				if stubs[target] != k.addrs["_printk"] {
					t.Errorf("call at %#x reaches %#x, want a stub jumping to _printk %#x (stubs %#x)", P, target, k.addrs["_printk"], stubs)
				}
			} else if target != k.addrs["_printk"] {
				t.Errorf("call at %#x reaches %#x, want _printk %#x directly", P, target, k.addrs["_printk"])
			}
			found := false
			for _, s := range img.Extra.Symbols {
				found = found || s.Name == "_printk@plt"
			}
			if !found {
				t.Errorf("no _printk@plt among %+v", img.Extra.Symbols)
			}
		})
	}
}

// Without the option, objects without GOT relocations link exactly as
// before, and with it an object with neither GOT nor PLT relocations gets
// neither section.
func TestGOTOptionLeavesKernelObjectsAlone(t *testing.T) {
	k := &anyKernel{base: 0xffffffff81000000}
	a, err := link(t, "../../testdata/x86_64/hello.ko", x86_64.Options{}, 0xffffffffa0000000, k)
	if err != nil {
		t.Fatal(err)
	}
	b, err := link(t, "../../testdata/x86_64/hello.ko", x86_64.Options{GOT: true}, 0xffffffffa0000000, k)
	if err != nil {
		t.Fatal(err)
	}
	if a.Section(".got") != nil || a.Section(".plt") != nil || a.Extra != nil {
		t.Error("the kernel's backend made a GOT or PLT")
	}
	// hello.ko calls _printk and friends with PLT32: stubs exist but the
	// calls reach their callees directly, so the text is the same.
	at, bt := a.Section(".init.text"), b.Section(".init.text")
	if at.Addr == bt.Addr && !bytes.Equal(at.Data, bt.Data) {
		t.Error(".init.text differs though every call is within reach")
	}
}

// The plan Size returns is shared by every link of a module and must stay
// immutable: concurrent links of one Module (run under -race), each at its
// own address, with PLT stubs in use, give the bytes each gives
// when run alone.
func TestConcurrentLinkGOT(t *testing.T) {
	obj, err := gelf.Open("../../testdata/x86_64/hello-pie.o")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { obj.Close() })
	m, err := golink.NewModule(obj, golink.Config{Arch: x86_64.New(x86_64.Options{GOT: true})})
	if err != nil {
		t.Fatal(err)
	}
	k := &anyKernel{base: 0x7f0000001000} // far: calls go through the stubs
	place := func(i int) golink.Placement {
		core := uint64(0x40000000) + uint64(i)<<24
		return golink.Placement{Core: core, Percpu: core - 0x100000}
	}
	const n = 8
	want := make([]*image.Image, n)
	for i := range want {
		if want[i], err = m.Link(place(i), k); err != nil { // also fills k, read-only from here
			t.Fatal(err)
		}
	}
	got := make([]*image.Image, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = m.Link(place(i), k)
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("link %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i].CoreMem, want[i].CoreMem) || !bytes.Equal(got[i].InitMem, want[i].InitMem) {
			t.Errorf("link %d: module memory differs from the same link run alone", i)
		}
		if g := got[i].Section(".plt"); g == nil || g.Addr != want[i].Section(".plt").Addr {
			t.Errorf("link %d: .plt at %+v", i, g)
		}
	}
}
