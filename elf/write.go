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

// OutSymbol is one symbol of the output. Section is an index into
// Output.Sections, or -1 with Shndx giving a special index (SHN_ABS,
// SHN_UNDEF).
type OutSymbol struct {
	Name    string
	Value   uint64
	Size    uint64
	Info    byte
	Other   byte
	Section int
	Shndx   elf.SectionIndex
}

const pageSize = 4096

// WriteTo writes the file. Its layout is deterministic: the ELF header,
// program headers, each segment at a page-congruent offset, the other
// sections' contents, .symtab, .strtab, .shstrtab, then the section headers.
func (o *Output) WriteTo(w io.Writer) (int64, error) {
	bw := newSparseWriter(w)
	phoff := uint64(EhdrSize)
	off := phoff + uint64(len(o.Segments))*56

	segOff := make([]uint64, len(o.Segments))
	for i, s := range o.Segments {
		off = alignCongruent(off, s.Vaddr, pageSize)
		segOff[i] = off
		off += uint64(len(s.Data))
	}

	nsec := len(o.Sections)
	secOff := make([]uint64, nsec)
	inSeg := make([]bool, nsec)
	for i := range o.Sections {
		s := &o.Sections[i]
		if s.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		for k, seg := range o.Segments {
			if s.Addr >= seg.Vaddr && s.Addr+s.Size <= seg.Vaddr+uint64(len(seg.Data)) && s.Addr+s.Size >= s.Addr {
				secOff[i] = segOff[k] + (s.Addr - seg.Vaddr)
				inSeg[i] = true
				break
			}
		}
	}
	for i := range o.Sections {
		s := &o.Sections[i]
		if inSeg[i] {
			continue
		}
		if s.Type == elf.SHT_NOBITS {
			secOff[i] = off
			continue
		}
		// File offsets of unloaded sections need no more than word
		// alignment; honouring a hostile sh_addralign would pad the file
		// to any size.
		off = alignUp(off, min(max(s.Align, 1), 16))
		secOff[i] = off
		off += uint64(len(s.Data))
	}

	// Symbol table: locals first, as ELF requires.
	syms := make([]OutSymbol, 0, len(o.Symbols))
	for _, s := range o.Symbols {
		if elf.ST_BIND(s.Info) == elf.STB_LOCAL {
			syms = append(syms, s)
		}
	}
	firstGlobal := len(syms) + 1
	for _, s := range o.Symbols {
		if elf.ST_BIND(s.Info) != elf.STB_LOCAL {
			syms = append(syms, s)
		}
	}
	// Symbol names are appended as they come: hashing them to share
	// duplicates would cost more than the few bytes it saves.
	n := 1
	for _, s := range syms {
		n += len(s.Name) + 1
	}
	strtab := &strtab{b: make([]byte, 1, n)}
	symtab := make([]byte, SymSize*(len(syms)+1))
	for i, s := range syms {
		b := symtab[SymSize*(i+1):]
		le.PutUint32(b, strtab.put(s.Name))
		b[4], b[5] = s.Info, s.Other
		shndx := uint16(s.Shndx)
		if s.Section >= 0 {
			if s.Section >= nsec {
				return 0, fmt.Errorf("elf: symbol %s refers to output section %d of %d", s.Name, s.Section, nsec)
			}
			shndx = uint16(s.Section + 1)
		}
		le.PutUint16(b[6:], shndx)
		le.PutUint64(b[8:], s.Value)
		le.PutUint64(b[16:], s.Size)
	}
	shstr := newStrtab()
	names := make([]uint32, nsec+3)
	for i := range o.Sections {
		names[i] = shstr.add(o.Sections[i].Name)
	}
	names[nsec] = shstr.add(".symtab")
	names[nsec+1] = shstr.add(".strtab")
	names[nsec+2] = shstr.add(".shstrtab")

	off = alignUp(off, 8)
	symOff := off
	off += uint64(len(symtab))
	strOff := off
	off += uint64(len(strtab.b))
	shstrOff := off
	off += uint64(len(shstr.b))
	shoff := alignUp(off, 8)
	shnum := nsec + 4

	// ELF header.
	var eh [EhdrSize]byte
	copy(eh[:], elf.ELFMAG)
	eh[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	eh[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	eh[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	le.PutUint16(eh[16:], uint16(o.Type))
	le.PutUint16(eh[18:], uint16(o.Machine))
	le.PutUint32(eh[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(eh[24:], o.Entry)
	if len(o.Segments) > 0 {
		le.PutUint64(eh[32:], phoff)
	}
	le.PutUint64(eh[40:], shoff)
	le.PutUint32(eh[48:], o.Flags)
	le.PutUint16(eh[52:], EhdrSize)
	le.PutUint16(eh[54:], 56)
	le.PutUint16(eh[56:], uint16(len(o.Segments)))
	le.PutUint16(eh[58:], ShdrSize)
	if shnum >= int(elf.SHN_LORESERVE) {
		return 0, fmt.Errorf("elf: %d sections is more than this writer supports", shnum)
	}
	le.PutUint16(eh[60:], uint16(shnum))
	le.PutUint16(eh[62:], uint16(shnum-1))
	bw.Write(eh[:])

	for i, s := range o.Segments {
		var ph [56]byte
		le.PutUint32(ph[0:], uint32(elf.PT_LOAD))
		le.PutUint32(ph[4:], uint32(s.Flags))
		le.PutUint64(ph[8:], segOff[i])
		le.PutUint64(ph[16:], s.Vaddr)
		le.PutUint64(ph[24:], s.Vaddr)
		le.PutUint64(ph[32:], uint64(len(s.Data)))
		le.PutUint64(ph[40:], uint64(len(s.Data)))
		le.PutUint64(ph[48:], pageSize)
		bw.Write(ph[:])
	}
	for i, s := range o.Segments {
		bw.pad(segOff[i])
		bw.writeSparse(s.Data)
	}
	// Non-segment contents, in offset order.
	order := make([]int, 0, nsec)
	for i := range o.Sections {
		if !inSeg[i] && o.Sections[i].Type != elf.SHT_NOBITS {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return secOff[order[a]] < secOff[order[b]] })
	for _, i := range order {
		bw.pad(secOff[i])
		bw.Write(o.Sections[i].Data)
	}
	bw.pad(symOff)
	bw.Write(symtab)
	bw.Write(strtab.b)
	bw.Write(shstr.b)
	bw.pad(shoff)

	// Section headers.
	var sh [ShdrSize]byte
	bw.Write(sh[:]) // null section
	for i := range o.Sections {
		s := &o.Sections[i]
		size := s.Size
		if !inSeg[i] && s.Type != elf.SHT_NOBITS {
			size = uint64(len(s.Data))
		}
		putShdr(&sh, names[i], s.Type, s.Flags, s.Addr, secOff[i], size, 0, 0, s.Align, s.Entsize)
		bw.Write(sh[:])
	}
	putShdr(&sh, names[nsec], elf.SHT_SYMTAB, 0, 0, symOff, uint64(len(symtab)), uint32(nsec+2), uint32(firstGlobal), 8, SymSize)
	bw.Write(sh[:])
	putShdr(&sh, names[nsec+1], elf.SHT_STRTAB, 0, 0, strOff, uint64(len(strtab.b)), 0, 0, 1, 0)
	bw.Write(sh[:])
	putShdr(&sh, names[nsec+2], elf.SHT_STRTAB, 0, 0, shstrOff, uint64(len(shstr.b)), 0, 0, 1, 0)
	bw.Write(sh[:])
	bw.flush()
	buf := bw.buf[:0]
	writeBuffers.Put(&buf)
	return bw.n, bw.err
}

func putShdr(b *[ShdrSize]byte, name uint32, typ elf.SectionType, flags elf.SectionFlag, addr, off, size uint64, link, info uint32, align, entsize uint64) {
	le.PutUint32(b[0:], name)
	le.PutUint32(b[4:], uint32(typ))
	le.PutUint64(b[8:], uint64(flags))
	le.PutUint64(b[16:], addr)
	le.PutUint64(b[24:], off)
	le.PutUint64(b[32:], size)
	le.PutUint32(b[40:], link)
	le.PutUint32(b[44:], info)
	le.PutUint64(b[48:], align)
	le.PutUint64(b[56:], entsize)
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
