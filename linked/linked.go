// Package linked reads the images `golink link` writes: ELF64 ET_EXEC
// files whose PT_LOAD segments are the module's memory as the loader left
// it (core region, init region, per-cpu area, and the parameter area
// .golink.kmalloc when charp parameters were set), whose sections are the
// module's loaded sections at their final addresses plus .modinfo and
// __versions as unloaded sections, and whose symbol table holds the
// module's symbols at final values with each resolved import as SHN_ABS.
//
// From such a file it recovers what the kernel would know of the loaded
// module: its name, its regions and their text sizes, its symbols, its
// exports, its memory (File implements params.Memory) and parameters.
package linked

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// KmallocSection is the section of golink's parameter area (see
// golink.KmallocSection); it is not module memory.
const KmallocSection = ".golink.kmalloc"

// Region is a block of module memory: [Base, Base+Size), the first
// TextSize bytes executable.
type Region struct {
	Base, Size, TextSize uint64
}

// Contains reports whether addr is in the region.
func (r Region) Contains(addr uint64) bool { return addr-r.Base < r.Size }

// Section is one section header of the image.
type Section struct {
	Index int
	Name  string
	Type  elf.SectionType
	Flags elf.SectionFlag
	Addr  uint64
	Size  uint64
	Init  bool // in the init region
}

// Symbol is one entry of the image's symbol table.
type Symbol struct {
	Name  string
	Value uint64
	Size  uint64
	Info  byte
	Shndx elf.SectionIndex // section index in the image
}

// Segment is one PT_LOAD: module memory at Vaddr.
type Segment struct {
	Vaddr uint64
	Flags elf.ProgFlag
	Data  []byte
}

// File is a linked module image.
type File struct {
	Path      string
	Name      string // the module's name (.modinfo name=, else struct module's)
	Machine   elf.Machine
	Sections  []Section // by index, 0 the null section
	Symbols   []Symbol  // by index, 0 the null symbol
	Segments  []Segment // sorted by address
	Modinfo   []byte
	Core      Region
	Init      Region
	Percpu    Region // zero if the module has no .data..percpu
	PercpuSec int    // index of .data..percpu, 0 if none
	Kmalloc   Region // golink's parameter area, zero if none

	layout []byte // the .golink.layout record, if any
}

// FormatError is an image golink cannot have written.
type FormatError struct {
	Path string
	Msg  string
}

func (e *FormatError) Error() string { return e.Path + ": " + e.Msg }

// Open reads the image at path.
func Open(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Read(path, data)
}

// Read decodes an image from data; path is used in errors (*FormatError,
// or debug/elf's for a malformed ELF file).
func Read(path string, data []byte) (*File, error) {
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if ef.Type != elf.ET_EXEC || ef.Class != elf.ELFCLASS64 || ef.Data != elf.ELFDATA2LSB {
		return nil, &FormatError{path, fmt.Sprintf("%v %v %v file, not an image golink link wrote (ELF64 LSB ET_EXEC)", ef.Class, ef.Data, ef.Type)}
	}
	f := &File{Path: path, Machine: ef.Machine}
	for _, p := range ef.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if p.Filesz != p.Memsz || p.Off > uint64(len(data)) || p.Filesz > uint64(len(data))-p.Off {
			return nil, &FormatError{path, fmt.Sprintf("segment at %#x lies outside the file", p.Vaddr)}
		}
		f.Segments = append(f.Segments, Segment{Vaddr: p.Vaddr, Flags: p.Flags, Data: data[p.Off : p.Off+p.Filesz]})
	}
	sort.Slice(f.Segments, func(i, j int) bool { return f.Segments[i].Vaddr < f.Segments[j].Vaddr })
	f.Sections = make([]Section, len(ef.Sections))
	thisModule := -1
	for i, s := range ef.Sections {
		f.Sections[i] = Section{Index: i, Name: s.Name, Type: s.Type, Flags: s.Flags, Addr: s.Addr, Size: s.Size,
			Init: strings.HasPrefix(s.Name, ".init")}
		switch {
		case s.Name == ".modinfo" && s.Flags&elf.SHF_ALLOC == 0:
			if f.Modinfo, err = s.Data(); err != nil {
				return nil, fmt.Errorf("%s: .modinfo: %w", path, err)
			}
		case s.Name == ".data..percpu":
			f.PercpuSec = i
			f.Percpu = Region{Base: s.Addr, Size: s.Size}
		case s.Name == LayoutSection && s.Type == elf.SHT_PROGBITS && s.Size == 96:
			if f.layout, err = s.Data(); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", path, LayoutSection, err)
			}
		case s.Name == KmallocSection:
			f.Kmalloc = Region{Base: s.Addr, Size: s.Size}
		case s.Name == ".gnu.linkonce.this_module" && s.Flags&elf.SHF_ALLOC != 0:
			thisModule = i
		}
	}
	if thisModule < 0 {
		return nil, &FormatError{path, "no .gnu.linkonce.this_module: not a module image"}
	}
	if err := f.regions(thisModule); err != nil {
		return nil, err
	}
	for _, e := range bytes.Split(f.Modinfo, []byte{0}) {
		if v, ok := bytes.CutPrefix(e, []byte("name=")); ok {
			f.Name = string(v)
			break
		}
	}
	if f.Name == "" {
		// struct module: name[56] at offset 24.
		var name [56]byte
		if err := f.ReadAt(name[:], f.Sections[thisModule].Addr+24); err != nil {
			return nil, &FormatError{path, "cannot read struct module's name: " + err.Error()}
		}
		f.Name = string(bytes.TrimRight(name[:bytes.IndexByte(append(name[:], 0), 0)], "\x00"))
	}
	syms, err := ef.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.Symbols = make([]Symbol, 1, len(syms)+1)
	for _, s := range syms {
		f.Symbols = append(f.Symbols, Symbol{Name: s.Name, Value: s.Value, Size: s.Size, Info: s.Info, Shndx: s.Section})
	}
	return f, nil
}

// regions finds the core and init regions: core runs from the first
// module segment to the end of the segment holding struct module (the
// last class of core, its data); init is the run of segments after it.
// The per-cpu area and the parameter area are not module memory.
func (f *File) regions(thisModule int) error {
	if f.layoutRecord() {
		return nil
	}
	var mod []Segment
	for _, s := range f.Segments {
		if (f.Percpu.Size > 0 && s.Vaddr == f.Percpu.Base) || (f.Kmalloc.Size > 0 && s.Vaddr == f.Kmalloc.Base) {
			continue
		}
		mod = append(mod, s)
	}
	tm := f.Sections[thisModule].Addr
	end := -1
	for i, s := range mod {
		if tm >= s.Vaddr && tm < s.Vaddr+uint64(len(s.Data)) {
			end = i
		}
	}
	if end < 0 {
		return &FormatError{f.Path, "struct module lies in no segment"}
	}
	f.Core = span(mod[:end+1])
	if rest := mod[end+1:]; len(rest) > 0 {
		f.Init = span(rest)
	}
	return nil
}

// LayoutSection is the section in which golink records the loader's
// layout (see golink.LayoutSection): twelve little-endian u64 values, core
// base, size, text size, read-only end, ro-after-init end, the same for
// init, then the per-cpu base and size.
const LayoutSection = ".golink.layout"

// layoutRecord takes the regions from the image's layout record, if it has
// one; images without it are read from their segments.
func (f *File) layoutRecord() bool {
	if len(f.layout) != 96 {
		return false
	}
	v := func(i int) uint64 { return binary.LittleEndian.Uint64(f.layout[8*i:]) }
	f.Core = Region{Base: v(0), Size: v(1), TextSize: v(2)}
	f.Init = Region{Base: v(5), Size: v(6), TextSize: v(7)}
	if f.Init.Size == 0 {
		f.Init = Region{}
	}
	return true
}

func span(segs []Segment) Region {
	last := segs[len(segs)-1]
	r := Region{Base: segs[0].Vaddr, Size: last.Vaddr + uint64(len(last.Data)) - segs[0].Vaddr}
	if segs[0].Flags&elf.PF_X != 0 {
		r.TextSize = uint64(len(segs[0].Data))
	}
	return r
}

func (f *File) span(addr uint64, n int) ([]byte, error) { return f.Slice(addr, uint64(n)) }

// Slice returns the n bytes of memory at addr, aliasing the file's data,
// or an error if they do not lie within one segment.
func (f *File) Slice(addr, n uint64) ([]byte, error) {
	for _, s := range f.Segments {
		off := addr - s.Vaddr
		if addr >= s.Vaddr && off < uint64(len(s.Data)) && n <= uint64(len(s.Data))-off {
			return s.Data[off : off+n : off+n], nil
		}
	}
	return nil, fmt.Errorf("%#x+%d is not in %s's memory", addr, n, f.Name)
}

// ReadAt reads module memory at addr (any segment: core, init, per-cpu,
// parameter area).
func (f *File) ReadAt(p []byte, addr uint64) error {
	s, err := f.span(addr, len(p))
	if err == nil {
		copy(p, s)
	}
	return err
}

// WriteAt writes module memory in place (the file's bytes in memory, not
// on disk).
func (f *File) WriteAt(p []byte, addr uint64) error {
	s, err := f.span(addr, len(p))
	if err == nil {
		copy(s, p)
	}
	return err
}

// Section returns the section called name, or nil.
func (f *File) Section(name string) *Section {
	for i := range f.Sections {
		if f.Sections[i].Name == name {
			return &f.Sections[i]
		}
	}
	return nil
}

// SymbolAt returns the name of a defined symbol whose value is addr,
// preferring functions and objects; imports (SHN_ABS) count.
func (f *File) SymbolAt(addr uint64) (string, bool) {
	best, rank := "", 3
	for i := 1; i < len(f.Symbols); i++ {
		s := &f.Symbols[i]
		if s.Value != addr || s.Name == "" || s.Shndx == elf.SHN_UNDEF {
			continue
		}
		r := 2
		switch elf.ST_TYPE(s.Info) {
		case elf.STT_FUNC, elf.STT_OBJECT:
			r = 0
		case elf.STT_NOTYPE:
			r = 1
		}
		if r < rank {
			best, rank = s.Name, r
		}
	}
	return best, rank < 3
}
