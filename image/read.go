package image

import (
	"debug/elf"
	"fmt"
	"os"

	gelf "github.com/golink/golink/elf"

	"github.com/golink/golink/modinfo"
)

// FormatError is a file that is not an image golink wrote, or a damaged
// one.
type FormatError struct {
	Path string
	Msg  string
}

func (e *FormatError) Error() string { return e.Path + ": " + e.Msg }

// maxMemory bounds the module memory a file may describe beyond its own
// bytes (zero-filled sections, the kallsyms room, page padding), so that a
// hostile layout record cannot claim gigabytes.
const maxMemory = 128 << 20

// Open reads the image at path (see Read).
func Open(path string) (*Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Read(path, data)
}

// Read decodes an image that ELF wrote from data (elf.DecodeExecutable
// validates it as an ELF file first); the image's loaded sections then
// alias its rebuilt memory. path names the file in errors: *FormatError,
// or *elf.FormatError for a malformed ELF file.
func Read(path string, data []byte) (*Image, error) {
	if len(data) >= gelf.EhdrSize && string(data[:4]) == elf.ELFMAG {
		if h := gelf.DecodeHeader64(data); elf.Type(h.Type) != elf.ET_EXEC {
			return nil, &FormatError{path, fmt.Sprintf("%v file, not an image golink link wrote (ET_EXEC)", elf.Type(h.Type))}
		}
	}
	ef, err := gelf.DecodeExecutable(path, data)
	if err != nil {
		return nil, err
	}
	img := &Image{Path: path, Machine: ef.Machine, Flags: ef.Flags}
	r := &reader{img: img, ef: ef}
	for _, step := range []func() error{r.layout, r.memory, r.sections, r.symbols, r.name} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if v, ok := img.Symbol("init_module"); ok {
		img.Entry = v
	}
	if img.Exports, err = img.ReadExports(); err != nil {
		return nil, &FormatError{path, err.Error()}
	}
	return img, nil
}

// reader is the state of one Read.
type reader struct {
	img   *Image
	ef    *gelf.File
	remap []int // file section index -> image section index (0: not kept)
}

// section returns the index of the first section called name, 0 if none.
func (r *reader) section(name string) int {
	for i := 1; i < len(r.ef.Sections); i++ {
		if r.ef.Sections[i].Name == name {
			return i
		}
	}
	return 0
}

func (r *reader) errorf(format string, args ...any) error {
	return &FormatError{r.img.Path, fmt.Sprintf(format, args...)}
}

// layout takes the regions from the LayoutSection record.
func (r *reader) layout() error {
	i := r.section(LayoutSection)
	if i == 0 || r.ef.Sections[i].Type != elf.SHT_PROGBITS || r.ef.Sections[i].Size != layoutRecordSize {
		return r.errorf("no %s record of %d bytes: not an image golink link wrote", LayoutSection, layoutRecordSize)
	}
	b := r.ef.Bytes(i)
	v := func(i int) uint64 { return le.Uint64(b[8*i:]) }
	region := func(i int) Region {
		return Region{Base: v(i), Layout: Layout{Size: v(i + 1), TextSize: v(i + 2), RoSize: v(i + 3), RoAfterInitSize: v(i + 4)}}
	}
	img := r.img
	img.Core, img.Init = region(0), region(5)
	img.Percpu = Region{Base: v(10), Layout: Layout{Size: v(11)}}
	for _, x := range []Region{img.Core, img.Init} {
		if x.TextSize > x.RoSize || x.RoSize > x.RoAfterInitSize || x.RoAfterInitSize > x.Size {
			return r.errorf("%s: region at %#x has its class boundaries out of order: %+v", LayoutSection, x.Base, x.Layout)
		}
	}
	if total := img.Core.Size + img.Init.Size + img.Percpu.Size; total < img.Core.Size || total > uint64(len(r.ef.Data))+maxMemory {
		return r.errorf("%s: %#x bytes of module memory, more than a %d-byte file justifies", LayoutSection, total, len(r.ef.Data))
	}
	return nil
}

// memory rebuilds module memory from the PT_LOAD segments: each lies in the
// core region, the init region, the per-cpu area or the Kmalloc area.
func (r *reader) memory() error {
	img := r.img
	img.CoreMem, img.InitMem, img.PercpuMem = make([]byte, img.Core.Size), make([]byte, img.Init.Size), make([]byte, img.Percpu.Size)
	var kmalloc *gelf.Section
	if k := r.section(KmallocSection); k != 0 && r.ef.Sections[k].Flags&elf.SHF_ALLOC != 0 {
		kmalloc = &r.ef.Sections[k]
	}
	for _, p := range r.ef.Progs {
		if elf.ProgType(p.Type) != elf.PT_LOAD {
			continue
		}
		if p.Filesz != p.Memsz {
			return r.errorf("segment at %#x has %#x bytes in the file and %#x in memory: not an image golink wrote", p.Vaddr, p.Filesz, p.Memsz)
		}
		b := r.ef.Data[p.Off : p.Off+p.Filesz]
		if kmalloc != nil && p.Vaddr == kmalloc.Addr {
			img.Kmalloc = &ParamArea{Base: p.Vaddr, Data: b[:len(b):len(b)]}
			continue
		}
		placed := false
		for _, m := range [...]struct {
			base uint64
			mem  []byte
		}{{img.Core.Base, img.CoreMem}, {img.Init.Base, img.InitMem}, {img.Percpu.Base, img.PercpuMem}} {
			if off := p.Vaddr - m.base; p.Vaddr >= m.base && off <= uint64(len(m.mem)) && p.Filesz <= uint64(len(m.mem))-off {
				copy(m.mem[off:], b)
				placed = true
				break
			}
		}
		if !placed {
			return r.errorf("segment at %#x (%#x bytes) is in no region of the layout record", p.Vaddr, p.Filesz)
		}
	}
	return nil
}

// sections takes every section but the file's own tables and golink's
// records; those in memory alias it.
func (r *reader) sections() error {
	img := r.img
	r.remap = make([]int, len(r.ef.Sections))
	img.Sections = []Section{{}}
	for i, s := range r.ef.Sections {
		if i == 0 || i == r.ef.ShStrNdx || s.Type == elf.SHT_SYMTAB || s.Name == LayoutSection || s.Name == KmallocSection || r.isSymbolStrings(i) {
			continue
		}
		sec := Section{Index: len(img.Sections), Name: s.Name, Type: s.Type, Flags: s.Flags, Addr: s.Addr, Size: s.Size,
			Align: s.Addralign, Entsize: s.Entsize}
		switch {
		case s.Name == ".data..percpu" && img.Percpu.Size > 0 && s.Addr == img.Percpu.Base:
			img.PercpuSec = sec.Index
			sec.Data = img.PercpuMem[:min(s.Size, img.Percpu.Size)]
		case s.Flags&elf.SHF_ALLOC != 0 && (img.Core.Contains(s.Addr) || img.Init.Contains(s.Addr)):
			sec.Loaded, sec.Init = true, img.Init.Contains(s.Addr)
			b, err := img.Slice(s.Addr, s.Size)
			if err != nil {
				return r.errorf("section %s: %v", s.Name, err)
			}
			sec.Data = b
		case s.Type != elf.SHT_NOBITS:
			sec.Data = r.ef.Bytes(i)
		}
		r.remap[i] = sec.Index
		img.Sections = append(img.Sections, sec)
	}
	return nil
}

// isSymbolStrings reports whether file section i is a symbol table's
// string table.
func (r *reader) isSymbolStrings(i int) bool {
	for _, s := range r.ef.Sections {
		if s.Type == elf.SHT_SYMTAB && int(s.Link) == i {
			return true
		}
	}
	return false
}

func (r *reader) symbols() error {
	img := r.img
	img.Symbols = []Symbol{{}}
	if r.ef.Symtab == 0 {
		return nil
	}
	tab, err := r.ef.SymTab(r.ef.Symtab)
	if err != nil {
		return err
	}
	for i, s := range tab.All() {
		if i == 0 {
			continue
		}
		shndx := s.Shndx
		if shndx != elf.SHN_UNDEF && shndx < elf.SHN_LORESERVE {
			if int(shndx) >= len(r.remap) || r.remap[shndx] == 0 {
				return r.errorf("symbol %s is in section %d, which the image does not describe", s.Name, shndx)
			}
			shndx = elf.SectionIndex(r.remap[shndx])
		}
		img.Symbols = append(img.Symbols, Symbol{Name: s.Name, Value: s.Value, Size: s.Size, Info: s.Info, Other: s.Other, Shndx: shndx})
	}
	return nil
}

// name takes the module's name from .modinfo, else from struct module.
func (r *reader) name() error {
	img := r.img
	if s := img.Section(".modinfo"); s != nil && s.Flags&elf.SHF_ALLOC == 0 {
		img.Modinfo = s.Data
	}
	if v, ok := img.Modinfo.Get("name"); ok {
		img.Name = v
		return nil
	}
	s := img.loaded(".gnu.linkonce.this_module")
	if s == nil {
		return r.errorf("no .gnu.linkonce.this_module: not a module image")
	}
	name, err := modinfo.ThisModuleName(s.Data)
	if err != nil {
		return r.errorf("%v", err)
	}
	img.Name = name
	return nil
}
