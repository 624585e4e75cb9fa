package golink_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/params"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// FuzzLink runs the whole pipeline — decode, checks, layout, resolution,
// relocation, image writing — on arbitrary bytes: hostile input must end in
// an error, never a panic or a write outside a buffer.
func FuzzLink(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/x86_64/*")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil && len(b) > 4 && string(b[1:4]) == "ELF" {
			f.Add(b)
		}
	}
	kernel := testKernel(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := gelf.Decode("fuzz.ko", data)
		if err != nil {
			return
		}
		m, err := golink.NewModule(obj, golink.Config{Arch: x86_64.New()})
		if err != nil {
			return
		}
		img, err := m.Link(golink.Placement{Core: 0xffffffffa0000000, Percpu: 0x35000}, kernel)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if _, err := img.WriteTo(&buf); err != nil {
			t.Fatalf("WriteTo: %v", err)
		}
	})
}

// FuzzImageRead: image.Read on damaged images returns an error or an
// image whose readers (parameters and their values, kallsyms, writing it
// again) return errors or results, never a panic.
func FuzzImageRead(f *testing.F) {
	kernel, err := symtab.LoadKernel("testdata/params/System.map", "")
	if err != nil {
		f.Fatal(err)
	}
	obj, err := gelf.Open("testdata/params/demo.o")
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
	if _, err := img.WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		back, err := image.Read("fuzz.elf", data)
		if err != nil {
			return
		}
		if ps, err := back.Params(); err == nil {
			for i := range ps {
				params.Get(&ps[i], back)
			}
		}
		back.Kallsyms()
		back.WriteTo(io.Discard)
	})
}
