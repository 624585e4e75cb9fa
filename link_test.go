package golink_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/reloc"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

var cfg = golink.Config{Arch: x86_64.New()}

func newModule(t *testing.T, path string) *golink.Module {
	t.Helper()
	obj, err := gelf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := golink.NewModule(obj, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// patched returns the module at path with edit applied to its bytes.
func patched(t *testing.T, path string, edit func(f *gelf.File, b []byte)) *golink.Module {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gelf.Decode(path, b)
	if err != nil {
		t.Fatal(err)
	}
	edit(f, b)
	obj, err := gelf.Decode(path, b)
	if err != nil {
		t.Fatal(err)
	}
	m, err := golink.NewModule(obj, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func section(f *gelf.File, name string) int {
	for i, s := range f.Sections {
		if s.Name == name {
			return i
		}
	}
	panic("no section " + name)
}

// A Module links concurrently, at different addresses, with the same result
// shifted.
func TestConcurrentLink(t *testing.T) {
	m := newModule(t, "testdata/x86_64/hello.ko")
	kernel := testKernel(t)
	var wg sync.WaitGroup
	imgs := make([]*image.Image, 8)
	errs := make([]error, 8)
	for i := range imgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			imgs[i], errs[i] = m.Link(golink.Placement{Core: 0xffffffffa0000000 + uint64(i)<<20, Percpu: 0x35000}, kernel)
		}()
	}
	wg.Wait()
	for i := range imgs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		a0, _ := imgs[0].Symbol("hello_add")
		ai, _ := imgs[i].Symbol("hello_add")
		if ai-a0 != uint64(i)<<20 {
			t.Errorf("link %d: hello_add at %#x, link 0 at %#x", i, ai, a0)
		}
		if !bytes.Equal(imgs[i].Section(".rodata.str1.1").Data, imgs[0].Section(".rodata.str1.1").Data) {
			t.Errorf("link %d: .rodata.str1.1 differs", i)
		}
	}
}

func TestRelocationOutsideSection(t *testing.T) {
	m := patched(t, "testdata/x86_64/hello.ko", func(f *gelf.File, b []byte) {
		rs := &f.Sections[section(f, ".rela.text")]
		binary.LittleEndian.PutUint64(b[rs.Offset:], 0x1000) // r_offset of the first entry
	})
	_, err := m.Link(golink.Placement{Core: 0xffffffffa0000000, Percpu: 0x35000}, testKernel(t))
	var re *reloc.Error
	if !errors.As(err, &re) || re.Section != ".text" || re.Off != 0x1000 || !strings.Contains(re.Msg, "outside .text") {
		t.Errorf("relocation at .text+0x1000: %v", err)
	}
}

func TestInvalidSymbolSection(t *testing.T) {
	m := patched(t, "testdata/x86_64/hello.ko", func(f *gelf.File, b []byte) {
		syms, _ := f.Symbols(f.Symtab)
		for i, s := range syms {
			if s.Name == "hello_total" {
				editSymbol(b, f.Sections[f.Symtab].Offset, i, func(s *elf.Sym64) { s.Shndx = 0x1234 })
			}
		}
	})
	_, err := m.Link(golink.Placement{Core: 0xffffffffa0000000, Percpu: 0x35000}, testKernel(t))
	if err == nil || !strings.Contains(err.Error(), "hello: Symbol hello_total has an invalid section index 4660 (max 31)") {
		t.Errorf("symbol in section 0x1234: %v", err)
	}
}

// SHT_REL goes to the backend, which refuses it as the kernel does.
func TestRELRefused(t *testing.T) {
	m := patched(t, "testdata/x86_64/hello.ko", func(f *gelf.File, b []byte) {
		i := section(f, ".rela.text") // two entries: 48 bytes, three REL entries
		editSection(b, i, func(s *elf.Section64) { s.Type = uint32(elf.SHT_REL) })
	})
	_, err := m.Link(golink.Placement{Core: 0xffffffffa0000000, Percpu: 0x35000}, testKernel(t))
	var re *reloc.Error
	if !errors.As(err, &re) || re.Kernel != "module hello: REL relocation unsupported" {
		t.Errorf("SHT_REL section: %v", err)
	}
}

func TestNoSymbols(t *testing.T) {
	b, err := os.ReadFile("testdata/x86_64/hello.ko")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := gelf.Decode("hello.ko", b)
	// Turn every relocation section and the symbol table into plain data.
	for i, s := range f.Sections {
		if s.Type == elf.SHT_RELA || s.Type == elf.SHT_SYMTAB {
			editSection(b, i, func(s *elf.Section64) { s.Type = uint32(elf.SHT_PROGBITS) })
		}
	}
	obj, err := gelf.Decode("hello.ko", b)
	if err != nil {
		t.Fatal(err)
	}
	_, err = golink.NewModule(obj, cfg)
	if err == nil || err.Error() != "hello: module has no symbols (stripped?)" {
		t.Errorf("stripped module: %v", err)
	}
}

func TestWrongArch(t *testing.T) {
	b, _ := os.ReadFile("testdata/x86_64/hello.ko")
	editHeader(b, func(h *elf.Header64) { h.Machine = uint16(elf.EM_IA_64) })
	obj, err := gelf.Decode("hello.ko", b)
	if err != nil {
		t.Fatal(err)
	}
	_, err = golink.NewModule(obj, cfg)
	var ke *golink.KernelError
	if !errors.As(err, &ke) || ke.Msg != "Invalid architecture in ELF header: 50" {
		t.Errorf("ia64 object for the x86_64 backend: %v", err)
	}
}

// The weak undefined symbol of unknown.c stays 0, as the kernel leaves it.
func TestWeakUndefined(t *testing.T) {
	m := newModule(t, "testdata/x86_64/unknown.ko")
	k := testKernel(t).Clone()
	k.Add("", []symtab.Symbol{{Name: "frobnicate", Addr: 0xffffffff81001000}})
	img, err := m.Link(golink.Placement{Core: 0xffffffffa0000000}, k)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range img.Symbols {
		if s.Name == "maybe_there" && (s.Value != 0 || s.Shndx != elf.SHN_UNDEF) {
			t.Errorf("weak maybe_there = %#x in section %v, want 0 undefined", s.Value, s.Shndx)
		}
	}
}

// A refusal names its module in KernelError.Module, as in its message.
func TestKernelErrorModule(t *testing.T) {
	obj, err := gelf.Open("testdata/x86_64/nomodule.ko")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	_, err = golink.NewModule(obj, cfg)
	var ke *golink.KernelError
	if !errors.As(err, &ke) || ke.Module == "" || !strings.HasPrefix(ke.Msg, ke.Module+": ") {
		t.Errorf("nomodule.ko: %#v, want a *KernelError whose Module is the name its message starts with", err)
	}
}
