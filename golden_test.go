package golink_test

import (
	"bytes"
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// testKernel is the small kernel the testdata objects link against: a
// subset of Debian 6.1.0-47's System.map and Module.symvers.
func testKernel(t testing.TB) *symtab.Table {
	t.Helper()
	k, err := symtab.LoadKernel("testdata/kernel/System.map", "testdata/kernel/Module.symvers")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestGolden links each x86_64 test object at fixed addresses and compares
// a text rendering of the result (layout, sections, symbols, imports,
// exports, every relocation with the bytes it left) with its golden file.
func TestGolden(t *testing.T) {
	objs, _ := filepath.Glob("testdata/x86_64/*.ko")
	more, _ := filepath.Glob("testdata/x86_64/*.o")
	objs = append(objs, more...)
	if len(objs) == 0 {
		t.Fatal("no test objects in testdata/x86_64")
	}
	kernel := testKernel(t)
	for _, path := range objs {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			got := renderLink(t, path, kernel)
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("%s (-want +got):\n%s", golden, d)
			}
		})
	}
}

func renderLink(t *testing.T, path string, kernel *symtab.Table) string {
	var b strings.Builder
	obj, err := gelf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	arch := x86_64.New()
	m, err := golink.NewModule(obj, golink.Config{Arch: arch})
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	fmt.Fprintf(&b, "module %s\n", m.Name)
	img, err := m.Link(golink.Placement{Core: 0xffffffffa0000000, Percpu: 0x35000}, kernel)
	if err != nil {
		fmt.Fprintf(&b, "link error:\n%v\n", err)
		return b.String()
	}
	l := img.Core.Layout
	fmt.Fprintf(&b, "core   %#x size %#x (text %#x, ro %#x, ro_after_init %#x)\n", img.Core.Base, l.Size, l.TextSize, l.RoSize, l.RoAfterInitSize)
	l = img.Init.Layout
	fmt.Fprintf(&b, "init   %#x size %#x (text %#x, ro %#x)\n", img.Init.Base, l.Size, l.TextSize, l.RoSize)
	fmt.Fprintf(&b, "percpu %#x size %#x\n", img.Percpu.Base, img.Percpu.Size)
	fmt.Fprintf(&b, "taints %q\n", img.Taints.String())
	for _, l := range img.Log {
		fmt.Fprintf(&b, "log: %s\n", l.Text)
	}
	// Sections and symbols as the object has them, at the places the link
	// gave them: by the object's section indexes and in its symbol order.
	b.WriteString("sections:\n")
	for i, os := range obj.Sections {
		s := img.Section(os.Name)
		if i == 0 || s == nil || !s.Loaded {
			continue
		}
		where := "core"
		if s.Init {
			where = "init"
		}
		fmt.Fprintf(&b, "  [%2d] %-28s %#x %#6x %s %v\n", i, s.Name, s.Addr, s.Size, where, s.Flags)
	}
	b.WriteString("symbols:\n")
	for i, s := range m.Symbols {
		if i == 0 || s.Type() == elf.STT_SECTION || s.Type() == elf.STT_FILE {
			continue
		}
		fmt.Fprintf(&b, "  %016x %-10v %-11v %s\n", finalValue(obj, img, &s), s.Bind(), objShndxName(obj, s.Shndx), s.Name)
	}
	b.WriteString("imports:\n")
	for _, im := range img.Imports {
		owner := im.Owner
		if owner == "" {
			owner = "kernel"
		}
		fmt.Fprintf(&b, "  %-20s %#x %s\n", im.Name, im.Addr, owner)
	}
	b.WriteString("exports:\n")
	for _, e := range img.Exports {
		crc := "none"
		if e.HasCRC {
			crc = fmt.Sprintf("%#08x", e.CRC)
		}
		fmt.Fprintf(&b, "  %-20s %#x gpl=%v ns=%q crc=%s\n", e.Name, e.Addr, e.GPLOnly, e.Namespace, crc)
	}
	b.WriteString("relocations:\n")
	objSecs := m.File.Sections
	for _, rs := range m.RelocSections() {
		target := img.Section(objSecs[rs.Target].Name)
		if target == nil || !target.Loaded {
			fmt.Fprintf(&b, "  %s: not applied (%s is not loaded)\n", objSecs[rs.Index].Name, objSecs[rs.Target].Name)
			continue
		}
		for _, r := range rs.All() {
			sym := &m.Symbols[r.Sym()]
			if sym.Type() == elf.STT_SECTION {
				sym = &gelf.Symbol{Name: objSecs[sym.Shndx].Name}
			}
			width := map[elf.R_X86_64]uint64{elf.R_X86_64_64: 8, elf.R_X86_64_PC64: 8, elf.R_X86_64_NONE: 0}[elf.R_X86_64(r.Type())]
			if _, ok := map[elf.R_X86_64]bool{elf.R_X86_64_64: true, elf.R_X86_64_PC64: true, elf.R_X86_64_NONE: true}[elf.R_X86_64(r.Type())]; !ok {
				width = 4
			}
			fmt.Fprintf(&b, "  %s+%#x %-16s %s%+d -> % x\n", target.Name, r.Off, arch.TypeName(r.Type()), sym.Name, r.Addend,
				target.Data[r.Off:r.Off+width])
		}
	}
	var out bytes.Buffer
	if _, err := img.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	if _, err := elf.NewFile(bytes.NewReader(out.Bytes())); err != nil {
		t.Errorf("debug/elf cannot read the image: %v", err)
	}
	return b.String()
}

// finalValue is the value the link gave an object symbol: its section's
// address plus its offset (an unloaded section's address is the scratch
// copy's, 0 + sh_offset here), the address an import resolved to, or its
// own value.
func finalValue(obj *gelf.File, img *image.Image, s *gelf.Symbol) uint64 {
	switch {
	case s.Shndx == elf.SHN_UNDEF:
		for _, im := range img.Imports {
			if im.Name == s.Name {
				return im.Addr
			}
		}
		return s.Value
	case s.Shndx >= elf.SHN_LORESERVE || int(s.Shndx) >= len(obj.Sections):
		return s.Value
	}
	os := &obj.Sections[s.Shndx]
	if is := img.Section(os.Name); is != nil && (is.Loaded || is.Index == img.PercpuSec) {
		return is.Addr + s.Value
	}
	return os.Offset + s.Value
}

func objShndxName(obj *gelf.File, i elf.SectionIndex) string {
	switch {
	case i == elf.SHN_UNDEF:
		return "UND"
	case i == elf.SHN_ABS:
		return "ABS"
	case i == elf.SHN_COMMON:
		return "COM"
	case int(i) < len(obj.Sections):
		return obj.Sections[i].Name
	}
	return fmt.Sprint(uint16(i))
}
