package elf

import (
	"debug/elf"
	"fmt"
	"io"
	"sort"
	"sync"
)

// Output describes an ELF64 little-endian file to write: a linked image.
//
// Segments carry the bytes of module memory as the loader left them; a
// section inside a segment takes its contents (and file offset) from the
// segment, so the file mirrors memory and each PT_LOAD can be mapped as is.
// Sections outside every segment carry their own Data.
type Output struct {
	Machine  elf.Machine
	Type     elf.Type
	Flags    uint32
	Entry    uint64
	Segments []OutSegment
	Sections []OutSection // index i here becomes section i+1 in the file
	Symbols  []OutSymbol  // without the null symbol; locals are moved first
}

// OutSegment is one PT_LOAD: Data is the memory image at Vaddr.
type OutSegment struct {
	Flags elf.ProgFlag
	Vaddr uint64
	Data  []byte
}

// OutSection is one section of the output.
type OutSection struct {
	Name    string
	Type    elf.SectionType
	Flags   elf.SectionFlag
	Addr    uint64
	Size    uint64 // used for SHT_NOBITS and for sections inside a segment
	Align   uint64
	Entsize uint64
	Data    []byte // contents, for sections outside every segment
}

// OutSymbol is one symbol of the output. Shndx is its section index in
// the file, where Output.Sections[i] is section i+1, or a special index
// (SHN_UNDEF, SHN_ABS, SHN_COMMON, ...).
type OutSymbol struct {
	Name  string
	Value uint64
	Size  uint64
	Info  byte
	Other byte
	Shndx elf.SectionIndex
}

// Type is the symbol's STT_* type.
func (s *OutSymbol) Type() elf.SymType { return elf.ST_TYPE(s.Info) }

// Bind is the symbol's STB_* binding.
func (s *OutSymbol) Bind() elf.SymBind { return elf.ST_BIND(s.Info) }

const pageSize = 4096

// outLayout is where WriteTo puts everything: the file offsets of the
// segments and sections, the encoded symbol and string tables, and the
// section name offsets.
type outLayout struct {
	phoff       uint64
	segOff      []uint64
	secOff      []uint64
	inSeg       []bool // section i lies inside a segment and takes its bytes from it
	symtab      []byte // encoded Elf64_Sym entries, the null symbol first
	firstGlobal int
	strtab      *strtab
	shstr       *strtab
	names       []uint32 // sh_name of each output section, then .symtab, .strtab, .shstrtab
	symOff      uint64
	strOff      uint64
	shstrOff    uint64
	shoff       uint64
	shnum       int
}

// WriteTo writes the file. Its layout is deterministic: the ELF header,
// program headers, each segment at a page-congruent offset, the other
// sections' contents, .symtab, .strtab, .shstrtab, then the section headers.
func (o *Output) WriteTo(w io.Writer) (int64, error) {
	l, err := o.layout()
	if err != nil {
		return 0, err
	}
	bw := newSparseWriter(w)
	o.writeHeader(bw, l)
	o.writeProgHeaders(bw, l)
	o.writeContents(bw, l)
	bw.pad(l.symOff)
	bw.Write(l.symtab)
	bw.Write(l.strtab.b)
	bw.Write(l.shstr.b)
	bw.pad(l.shoff)
	o.writeSectionHeaders(bw, l)
	bw.flush()
	buf := bw.buf[:0]
	writeBuffers.Put(&buf)
	return bw.n, bw.err
}

// layout places the segments, then the sections outside them, then the
// tables WriteTo makes, and encodes the symbol table.
func (o *Output) layout() (*outLayout, error) {
	l := &outLayout{phoff: EhdrSize}
	off := l.phoff + uint64(len(o.Segments))*PhdrSize
	l.segOff = make([]uint64, len(o.Segments))
	for i, s := range o.Segments {
		off = alignCongruent(off, s.Vaddr, pageSize)
		l.segOff[i] = off
		off += uint64(len(s.Data))
	}

	nsec := len(o.Sections)
	l.secOff = make([]uint64, nsec)
	l.inSeg = make([]bool, nsec)
	for i := range o.Sections {
		s := &o.Sections[i]
		if s.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		for k, seg := range o.Segments {
			if s.Addr >= seg.Vaddr && s.Addr+s.Size <= seg.Vaddr+uint64(len(seg.Data)) && s.Addr+s.Size >= s.Addr {
				l.secOff[i] = l.segOff[k] + (s.Addr - seg.Vaddr)
				l.inSeg[i] = true
				break
			}
		}
	}
	for i := range o.Sections {
		s := &o.Sections[i]
		if l.inSeg[i] {
			continue
		}
		if s.Type == elf.SHT_NOBITS {
			l.secOff[i] = off
			continue
		}
		// File offsets of unloaded sections need no more than word
		// alignment; honouring a hostile sh_addralign would pad the file
		// to any size.
		off = alignUp(off, min(max(s.Align, 1), 16))
		l.secOff[i] = off
		off += uint64(len(s.Data))
	}

	if err := o.encodeSymbols(l); err != nil {
		return nil, err
	}
	l.shstr = newStrtab()
	l.names = make([]uint32, nsec+3)
	for i := range o.Sections {
		l.names[i] = l.shstr.add(o.Sections[i].Name)
	}
	l.names[nsec] = l.shstr.add(".symtab")
	l.names[nsec+1] = l.shstr.add(".strtab")
	l.names[nsec+2] = l.shstr.add(".shstrtab")

	off = alignUp(off, 8)
	l.symOff = off
	off += uint64(len(l.symtab))
	l.strOff = off
	off += uint64(len(l.strtab.b))
	l.shstrOff = off
	off += uint64(len(l.shstr.b))
	l.shoff = alignUp(off, 8)
	l.shnum = nsec + 4
	if l.shnum >= int(elf.SHN_LORESERVE) {
		return nil, fmt.Errorf("elf: %d sections is more than this writer supports", l.shnum)
	}
	return l, nil
}

// encodeSymbols builds .symtab and .strtab: locals first, as ELF requires.
func (o *Output) encodeSymbols(l *outLayout) error {
	// Symbol names are appended as they come: hashing them to share
	// duplicates would cost more than the few bytes it saves.
	n, locals := 1, 0
	for i := range o.Symbols {
		n += len(o.Symbols[i].Name) + 1
		if o.Symbols[i].Bind() == elf.STB_LOCAL {
			locals++
		}
	}
	l.firstGlobal = locals + 1
	l.strtab = &strtab{b: make([]byte, 1, n)}
	l.symtab = make([]byte, SymSize*(len(o.Symbols)+1))
	nsec := len(o.Sections)
	k := 1
	for _, local := range [...]bool{true, false} {
		for i := range o.Symbols {
			s := &o.Symbols[i]
			if (s.Bind() == elf.STB_LOCAL) != local {
				continue
			}
			if s.Shndx != elf.SHN_UNDEF && s.Shndx < elf.SHN_LORESERVE && int(s.Shndx) > nsec {
				return fmt.Errorf("elf: symbol %s refers to section %d of %d", s.Name, s.Shndx, nsec)
			}
			sym := elf.Sym64{Name: l.strtab.put(s.Name), Info: s.Info, Other: s.Other, Shndx: uint16(s.Shndx), Value: s.Value, Size: s.Size}
			PutSym64(l.symtab[SymSize*k:], &sym)
			k++
		}
	}
	return nil
}

// writeHeader writes the ELF header.
func (o *Output) writeHeader(bw *sparseWriter, l *outLayout) {
	h := elf.Header64{
		Type:      uint16(o.Type),
		Machine:   uint16(o.Machine),
		Version:   uint32(elf.EV_CURRENT),
		Entry:     o.Entry,
		Shoff:     l.shoff,
		Flags:     o.Flags,
		Ehsize:    EhdrSize,
		Phentsize: PhdrSize,
		Phnum:     uint16(len(o.Segments)),
		Shentsize: ShdrSize,
		Shnum:     uint16(l.shnum),
		Shstrndx:  uint16(l.shnum - 1),
	}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	if len(o.Segments) > 0 {
		h.Phoff = l.phoff
	}
	var b [EhdrSize]byte
	PutHeader64(b[:], &h)
	bw.Write(b[:])
}

// writeProgHeaders writes one PT_LOAD per segment.
func (o *Output) writeProgHeaders(bw *sparseWriter, l *outLayout) {
	var b [PhdrSize]byte
	for i, s := range o.Segments {
		n := uint64(len(s.Data))
		PutProg64(b[:], &elf.Prog64{Type: uint32(elf.PT_LOAD), Flags: uint32(s.Flags), Off: l.segOff[i],
			Vaddr: s.Vaddr, Paddr: s.Vaddr, Filesz: n, Memsz: n, Align: pageSize})
		bw.Write(b[:])
	}
}

// writeContents writes the segments, then the contents of the sections
// outside them in offset order.
func (o *Output) writeContents(bw *sparseWriter, l *outLayout) {
	for i, s := range o.Segments {
		bw.pad(l.segOff[i])
		bw.writeSparse(s.Data)
	}
	order := make([]int, 0, len(o.Sections))
	for i := range o.Sections {
		if !l.inSeg[i] && o.Sections[i].Type != elf.SHT_NOBITS {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return l.secOff[order[a]] < l.secOff[order[b]] })
	for _, i := range order {
		bw.pad(l.secOff[i])
		bw.Write(o.Sections[i].Data)
	}
}

// writeSectionHeaders writes the null section header, one per output
// section, then those of .symtab, .strtab and .shstrtab.
func (o *Output) writeSectionHeaders(bw *sparseWriter, l *outLayout) {
	var b [ShdrSize]byte
	put := func(sh elf.Section64) {
		PutSection64(b[:], &sh)
		bw.Write(b[:])
	}
	put(elf.Section64{}) // null section
	for i := range o.Sections {
		s := &o.Sections[i]
		size := s.Size
		if !l.inSeg[i] && s.Type != elf.SHT_NOBITS {
			size = uint64(len(s.Data))
		}
		put(elf.Section64{Name: l.names[i], Type: uint32(s.Type), Flags: uint64(s.Flags), Addr: s.Addr,
			Off: l.secOff[i], Size: size, Addralign: s.Align, Entsize: s.Entsize})
	}
	nsec := len(o.Sections)
	put(elf.Section64{Name: l.names[nsec], Type: uint32(elf.SHT_SYMTAB), Off: l.symOff, Size: uint64(len(l.symtab)),
		Link: uint32(nsec + 2), Info: uint32(l.firstGlobal), Addralign: 8, Entsize: SymSize})
	put(elf.Section64{Name: l.names[nsec+1], Type: uint32(elf.SHT_STRTAB), Off: l.strOff, Size: uint64(len(l.strtab.b)), Addralign: 1})
	put(elf.Section64{Name: l.names[nsec+2], Type: uint32(elf.SHT_STRTAB), Off: l.shstrOff, Size: uint64(len(l.shstr.b)), Addralign: 1})
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) &^ (a - 1) }

// alignCongruent returns the least offset ≥ off with offset ≡ addr (mod page).
func alignCongruent(off, addr, page uint64) uint64 {
	want := addr % page
	if off%page <= want {
		return off - off%page + want
	}
	return off - off%page + page + want
}

type strtab struct {
	b   []byte
	idx map[string]uint32
}

func newStrtab() *strtab { return &strtab{b: []byte{0}, idx: map[string]uint32{"": 0}} }

// put appends s without looking for an equal string.
func (t *strtab) put(s string) uint32 {
	if s == "" {
		return 0
	}
	i := uint32(len(t.b))
	t.b = append(t.b, s...)
	t.b = append(t.b, 0)
	return i
}

// add returns the offset of s, appending it only if not there yet.
func (t *strtab) add(s string) uint32 {
	if i, ok := t.idx[s]; ok {
		return i
	}
	i := uint32(len(t.b))
	t.b = append(t.b, s...)
	t.b = append(t.b, 0)
	t.idx[s] = i
	return i
}

// sparseWriter writes a file front to back. Small writes are gathered in
// a buffer; when the destination can seek, whole pages of zeros in module
// memory (padding, .bss, alignment gaps) are skipped, leaving holes that
// read back as zeros, so an image costs the disk only what it holds.
type sparseWriter struct {
	w   io.Writer
	ws  io.Seeker // nil if w cannot seek
	buf []byte
	n   int64 // bytes written or skipped so far
	err error
}

var writeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func newSparseWriter(w io.Writer) *sparseWriter {
	sw := &sparseWriter{w: w, buf: (*writeBuffers.Get().(*[]byte))[:0]}
	if ws, ok := w.(io.Seeker); ok {
		// Only a seeker positioned at its start can be skipped through.
		if off, err := ws.Seek(0, io.SeekCurrent); err == nil && off == 0 {
			sw.ws = ws
		}
	}
	return sw
}

func (c *sparseWriter) flush() {
	if len(c.buf) > 0 && c.err == nil {
		_, c.err = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
}

func (c *sparseWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if len(c.buf)+len(p) > cap(c.buf) {
		c.flush()
		if len(p) >= cap(c.buf) {
			if c.err == nil {
				_, c.err = c.w.Write(p)
			}
			c.n += int64(len(p))
			return len(p), c.err
		}
	}
	c.buf = append(c.buf, p...)
	c.n += int64(len(p))
	return len(p), c.err
}

var zeros [pageSize]byte

// pad advances to file offset off with zeros: a hole where possible.
func (c *sparseWriter) pad(off uint64) {
	n := int64(off) - c.n
	if n <= 0 || c.err != nil {
		return
	}
	if c.ws != nil && n >= pageSize {
		c.flush()
		if c.err == nil {
			_, c.err = c.ws.Seek(n, io.SeekCurrent)
		}
		c.n += n
		return
	}
	for n > 0 && c.err == nil {
		k := min(n, int64(len(zeros)))
		c.Write(zeros[:k])
		n -= k
	}
}

// writeSparse writes p, turning page-aligned runs of zero pages into holes.
// The caller writes something after it, so the file never ends in a hole.
func (c *sparseWriter) writeSparse(p []byte) {
	if c.ws == nil {
		c.Write(p)
		return
	}
	for len(p) > 0 && c.err == nil {
		// Up to the next page boundary of the file.
		k := pageSize - int(c.n%pageSize)
		if k > len(p) {
			k = len(p)
		}
		if k == pageSize && allZero(p[:k]) {
			z := k
			for z+pageSize <= len(p) && allZero(p[z:z+pageSize]) {
				z += pageSize
			}
			c.pad(uint64(c.n) + uint64(z))
			p = p[z:]
			continue
		}
		// Copy a run of pages that are not all zero.
		j := k
		for j+pageSize <= len(p) && !allZero(p[j:j+pageSize]) {
			j += pageSize
		}
		c.Write(p[:j])
		p = p[j:]
	}
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if le.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
