package golink

import (
	"debug/elf"
	"encoding/binary"
	"io"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/reloc"
	"github.com/golink/golink/symtab"
)

var le = binary.LittleEndian

// Image is a linked module: its memory as the kernel's loader would leave it
// after relocation, and what it resolved and exports.
type Image struct {
	Module  *Module
	Name    string
	Machine elf.Machine

	Core, Init             reloc.Region
	CoreLayout, InitLayout Layout
	Percpu                 reloc.Region // zero if the module has no .data..percpu

	// Module memory: the core and init regions and the per-cpu template.
	CoreMem, InitMem, PercpuMem []byte

	Symbols     []reloc.Symbol  // final values, by symbol index
	Imports     []Import        // undefined symbols that resolved
	Exports     []symtab.Symbol // what the module exports (__ksymtab*)
	Relocations int             // relocations applied
	Taints      Taint           // taints the load set on the module
	Log         []LogLine       // what the kernel would have logged (taints, warnings)
	// Extra is what the arch added to the image (see reloc.Contributor):
	// nil for x86_64; ia64's __gp and kernel function descriptors.
	Extra *reloc.Contribution

	rm *reloc.Module
}

// Import is an undefined symbol and what it resolved to.
type Import struct {
	Name  string
	Addr  uint64
	Owner string // "" for the kernel, else the exporting module
	Weak  bool
}

// Sections returns every section of the module by index, with final
// addresses; loaded ones carry their bytes in Data (aliasing module memory).
func (img *Image) Sections() []*reloc.Section { return img.rm.Sections }

// Section returns the first loaded section called name, or nil.
func (img *Image) Section(name string) *reloc.Section {
	for _, s := range img.rm.Sections {
		if s.Loaded && s.Name == name {
			return s
		}
	}
	return nil
}

// Symbol returns the final value of the module's first symbol called name
// that is defined in it.
func (img *Image) Symbol(name string) (uint64, bool) {
	for i := range img.Symbols {
		s := &img.Symbols[i]
		if s.Name == name && s.Shndx != elf.SHN_UNDEF && img.Module.Symbols[i].Type() != elf.STT_SECTION {
			return s.Value, true
		}
	}
	return 0, false
}

// isKallsymsCopy reports whether the loaded section is the symbol or string
// table layout_symtab copies into init: module memory, but not a section of
// the module's own.
func (img *Image) isKallsymsCopy(s *reloc.Section) bool {
	return s.Index == img.Module.File.Symtab || s.Index == img.Module.Strtab
}

// ELF describes the image as an ELF file: one PT_LOAD per region class
// (text RX, read-only R, ro-after-init R, data RW, as module_enable_ro and
// module_enable_nx would map them), the module's loaded sections named as in
// the object with their load addresses, .modinfo and __versions kept as
// unloaded sections, and a symbol table holding the module's own symbols at
// their final addresses and each resolved undefined symbol as SHN_ABS.
func (img *Image) ELF() *gelf.Output {
	m := img.Module
	o := &gelf.Output{Machine: img.Machine, Type: elf.ET_EXEC, Flags: m.File.Flags}
	seg := func(mem []byte, base, lo, hi uint64, fl elf.ProgFlag) {
		if hi > lo {
			o.Segments = append(o.Segments, gelf.OutSegment{Flags: fl, Vaddr: base + lo, Data: mem[lo:hi]})
		}
	}
	// The data class of each region ends with its last section: what
	// follows is the loader's kallsyms bookkeeping (the init copy of the
	// symbol table, room for the core one), not the module's.
	var coreEnd, initEnd uint64
	for _, s := range img.rm.Sections {
		if s.Loaded && !img.isKallsymsCopy(s) {
			if s.Init {
				initEnd = max(initEnd, s.Offset+s.Size)
			} else {
				coreEnd = max(coreEnd, s.Offset+s.Size)
			}
		}
	}
	for _, r := range []struct {
		mem []byte
		l   Layout
		b   uint64
		end uint64
	}{{img.CoreMem, img.CoreLayout, img.Core.Base, coreEnd}, {img.InitMem, img.InitLayout, img.Init.Base, initEnd}} {
		seg(r.mem, r.b, 0, min(r.l.TextSize, r.end), elf.PF_R|elf.PF_X)
		seg(r.mem, r.b, r.l.TextSize, min(r.l.RoSize, r.end), elf.PF_R)
		seg(r.mem, r.b, r.l.RoSize, min(r.l.RoAfterInitSize, r.end), elf.PF_R)
		seg(r.mem, r.b, r.l.RoAfterInitSize, r.end, elf.PF_R|elf.PF_W)
	}
	seg(img.PercpuMem, img.Percpu.Base, 0, uint64(len(img.PercpuMem)), elf.PF_R|elf.PF_W)

	secs := img.rm.Sections
	outIdx := make([]int, len(secs))
	for i, s := range secs {
		outIdx[i] = -1
		switch {
		case s.Loaded && !img.isKallsymsCopy(s):
			outIdx[i] = len(o.Sections)
			o.Sections = append(o.Sections, gelf.OutSection{Name: s.Name, Type: s.Type, Flags: s.Flags,
				Addr: s.Addr, Size: s.Size, Align: s.Align, Entsize: entsize(m, i)})
		case i == m.Percpu && i != 0:
			outIdx[i] = len(o.Sections)
			o.Sections = append(o.Sections, gelf.OutSection{Name: s.Name, Type: s.Type, Flags: s.Flags | elf.SHF_ALLOC,
				Addr: img.Percpu.Base, Size: s.Size, Align: s.Align})
		case (i == m.ModinfoSec || i == m.Versions) && i != 0:
			o.Sections = append(o.Sections, gelf.OutSection{Name: s.Name, Type: elf.SHT_PROGBITS,
				Size: s.Size, Align: s.Align, Data: m.File.Bytes(i)})
		}
	}
	extraIdx := len(o.Sections)
	if x := img.Extra; x != nil {
		for _, s := range x.Sections {
			o.Sections = append(o.Sections, gelf.OutSection{Name: s.Name, Type: elf.SHT_PROGBITS, Flags: s.Flags | elf.SHF_ALLOC,
				Addr: s.Addr, Size: uint64(len(s.Data)), Align: s.Align, Data: s.Data})
		}
	}
	o.Symbols = make([]gelf.OutSymbol, 0, len(img.Symbols))
	for i := 1; i < len(img.Symbols); i++ {
		in := &m.Symbols[i]
		s := &img.Symbols[i]
		if in.Type() == elf.STT_SECTION {
			continue
		}
		out := gelf.OutSymbol{Name: in.Name, Value: s.Value, Size: in.Size, Info: in.Info, Other: in.Other, Section: -1}
		switch {
		case in.Shndx == elf.SHN_UNDEF && s.Resolved:
			out.Shndx = elf.SHN_ABS
		case in.Shndx == elf.SHN_UNDEF:
			out.Shndx = elf.SHN_UNDEF
		case in.Shndx >= elf.SHN_LORESERVE:
			out.Shndx = in.Shndx
		case int(in.Shndx) < len(outIdx) && outIdx[in.Shndx] >= 0:
			out.Section = outIdx[in.Shndx]
		default:
			continue // in a section that is not loaded
		}
		o.Symbols = append(o.Symbols, out)
	}
	if x := img.Extra; x != nil {
		for _, s := range x.Symbols {
			out := gelf.OutSymbol{Name: s.Name, Value: s.Value, Size: s.Size, Info: s.Info, Section: -1, Shndx: elf.SHN_ABS}
			if s.Section >= 0 && s.Section < len(x.Sections) {
				out.Section = extraIdx + s.Section
			}
			o.Symbols = append(o.Symbols, out)
		}
	}
	o.Sections = append(o.Sections, gelf.OutSection{Name: LayoutSection, Type: elf.SHT_PROGBITS, Align: 8, Data: img.layoutRecord()})
	if v, ok := img.Symbol("init_module"); ok {
		o.Entry = v
	}
	return o
}

// LayoutSection names the unloaded section in which an image records the
// loader's layout, since the segments show only the bytes the module's
// sections occupy: twelve little-endian u64 values, the core region's base,
// size, text size, read-only end and ro-after-init end, the same five for
// the init region, then the per-cpu area's base and size.
const LayoutSection = ".golink.layout"

func (img *Image) layoutRecord() []byte {
	var b []byte
	for _, v := range []uint64{
		img.Core.Base, img.CoreLayout.Size, img.CoreLayout.TextSize, img.CoreLayout.RoSize, img.CoreLayout.RoAfterInitSize,
		img.Init.Base, img.InitLayout.Size, img.InitLayout.TextSize, img.InitLayout.RoSize, img.InitLayout.RoAfterInitSize,
		img.Percpu.Base, img.Percpu.Size,
	} {
		b = le.AppendUint64(b, v)
	}
	return b
}

func entsize(m *Module, i int) uint64 {
	if i < len(m.File.Sections) {
		return m.File.Sections[i].Entsize
	}
	return 0
}

// WriteELF writes the image as an ELF file (see ELF).
func (img *Image) WriteELF(w io.Writer) error {
	_, err := img.ELF().WriteTo(w)
	return err
}
