package image

import (
	"bytes"
	"debug/elf"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/reloc"
)

// Linked is what the linker knows of a module once its relocations are
// applied, in the object's terms: New turns it into an Image.
type Linked struct {
	Name, Path string
	Object     *gelf.File
	Symbols    []gelf.Symbol // the object's symbol table, entry 0 included
	Module     *reloc.Module // the laid-out sections (by object index, then the arch's) and final symbol values
	Core, Init Region
	Percpu     Region
	// Module memory; the sections of Module alias it.
	CoreMem, InitMem, PercpuMem []byte
	// Object section indexes, 0 when absent: .data..percpu, .modinfo and
	// __versions, which an image keeps though the loader does not load
	// them.
	PercpuSec, ModinfoSec, VersionsSec int
	Extra                              *reloc.Contribution
}

// New makes the image of a linked module: the sections in memory (without
// the loader's kallsyms copies of the symbol and string tables, which are
// its bookkeeping, not the module's), the per-cpu template, .modinfo and
// __versions, then what the arch added; the module's symbols at their final
// values (a resolved import as SHN_ABS; section symbols and symbols in
// sections the loader drops are left out), then the arch's (a written
// file has the locals of both first, as ELF requires). Exports are decoded
// from the relocated memory.
func New(l *Linked) (*Image, error) {
	obj := l.Object
	img := &Image{Name: l.Name, Path: l.Path, Machine: obj.Machine, Flags: obj.Flags,
		Core: l.Core, Init: l.Init, Percpu: l.Percpu, CoreMem: l.CoreMem, InitMem: l.InitMem, PercpuMem: l.PercpuMem,
		Extra: l.Extra}
	if l.ModinfoSec != 0 {
		// Copied, as is everything an image keeps of the object: the
		// object's bytes may go once the link is done.
		img.Modinfo = bytes.Clone(obj.Bytes(l.ModinfoSec))
	}
	index := img.takeSections(l)
	img.takeSymbols(l, index)
	if v, ok := img.Symbol("init_module"); ok {
		img.Entry = v
	}
	var err error
	img.Exports, err = img.ReadExports()
	return img, err
}

// takeSections fills Sections and returns the image index of each section
// of l.Module (-1: left out).
func (img *Image) takeSections(l *Linked) []int {
	obj := l.Object
	strtab := -1
	if obj.Symtab != 0 {
		strtab = int(obj.Sections[obj.Symtab].Link)
	}
	secs := l.Module.Sections
	index := make([]int, len(secs))
	n := len(secs) + 1
	if l.Extra != nil {
		n += len(l.Extra.Sections)
	}
	img.Sections = make([]Section, 1, n)
	for i, s := range secs {
		index[i] = -1
		var entsize uint64
		if i < len(obj.Sections) {
			entsize = obj.Sections[i].Entsize
		}
		out := Section{Index: len(img.Sections), Name: s.Name, Type: s.Type, Flags: s.Flags, Addr: s.Addr, Size: s.Size, Align: s.Align}
		switch {
		case s.Loaded && i != obj.Symtab && i != strtab:
			out.Entsize, out.Loaded, out.Init, out.Data = entsize, true, s.Init, s.Data
		case i == l.PercpuSec && i != 0:
			out.Flags |= elf.SHF_ALLOC
			out.Addr, out.Data = l.Percpu.Base, l.PercpuMem
			img.PercpuSec = out.Index
		case (i == l.ModinfoSec || i == l.VersionsSec) && i != 0:
			// Kept for what they say, not as memory: their symbols are
			// left out.
			out.Type, out.Flags, out.Addr, out.Data = elf.SHT_PROGBITS, 0, 0, bytes.Clone(obj.Bytes(i))
			img.Sections = append(img.Sections, out)
			continue
		default:
			continue
		}
		index[i] = out.Index
		img.Sections = append(img.Sections, out)
	}
	if x := l.Extra; x != nil {
		for _, s := range x.Sections {
			img.Sections = append(img.Sections, Section{Index: len(img.Sections), Name: s.Name, Type: elf.SHT_PROGBITS,
				Flags: s.Flags | elf.SHF_ALLOC, Addr: s.Addr, Size: uint64(len(s.Data)), Align: s.Align, Data: s.Data})
		}
	}
	return index
}

// takeSymbols fills Symbols.
func (img *Image) takeSymbols(l *Linked, index []int) {
	final := l.Module.Symbols
	n := len(l.Symbols) + 1
	if l.Extra != nil {
		n += len(l.Extra.Symbols)
	}
	syms := make([]Symbol, 1, n) // the null symbol first
	for i := 1; i < len(l.Symbols) && i < len(final); i++ {
		in := &l.Symbols[i]
		if in.Type() == elf.STT_SECTION {
			continue
		}
		out := Symbol{Name: in.Name, Value: final[i].Value, Size: in.Size, Info: in.Info, Other: in.Other, Shndx: in.Shndx}
		switch {
		case in.Shndx == elf.SHN_UNDEF && final[i].Resolved:
			out.Shndx = elf.SHN_ABS
		case in.Shndx == elf.SHN_UNDEF || in.Shndx >= elf.SHN_LORESERVE:
		case int(in.Shndx) < len(index) && index[in.Shndx] >= 0:
			out.Shndx = elf.SectionIndex(index[in.Shndx])
		default:
			continue // in a section that is not loaded
		}
		syms = append(syms, out)
	}
	if x := l.Extra; x != nil {
		extra := len(img.Sections) - len(x.Sections)
		for _, s := range x.Symbols {
			out := Symbol{Name: s.Name, Value: s.Value, Size: s.Size, Info: s.Info, Shndx: elf.SHN_ABS}
			if s.Section >= 0 && s.Section < len(x.Sections) {
				out.Shndx = elf.SectionIndex(extra + s.Section)
			}
			syms = append(syms, out)
		}
	}
	img.Symbols = syms
}
