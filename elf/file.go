package elf

import (
	"bytes"
	"debug/elf"
	"fmt"
	"slices"
	"sort"
)

// Special section indexes the kernel's loader knows beyond debug/elf's.
const (
	SHN_LIVEPATCH elf.SectionIndex = 0xff20 // livepatch symbols, resolved by the livepatch core
)

// Section flags the kernel's loader knows beyond debug/elf's.
const (
	SHF_RELA_LIVEPATCH elf.SectionFlag = 0x00100000
	SHF_RO_AFTER_INIT  elf.SectionFlag = 0x00200000
	SHF_IA_64_SHORT    elf.SectionFlag = 0x10000000
)

// Section is one decoded section header (Elf64_Shdr) and its name.
type Section struct {
	Name      string
	NameOff   uint32
	Type      elf.SectionType
	Flags     elf.SectionFlag
	Addr      uint64
	Offset    uint64
	Size      uint64
	Link      uint32
	Info      uint32
	Addralign uint64
	Entsize   uint64
}

// File is a validated ELF64 little-endian relocatable object.
type File struct {
	Name        string     // the name it was opened by, for messages
	Compression string     // "", "xz", "gzip" or "zstd"
	Data        []byte     // the ELF image: the file, decompressed, without its signature
	Signature   *Signature // the appended module signature, or nil
	Machine     elf.Machine
	Type        elf.Type
	Flags       uint32 // e_flags
	ShStrNdx    int
	Sections    []Section
	Symtab      int          // index of the first SHT_SYMTAB section, 0 if none
	Progs       []elf.Prog64 // program headers: DecodeExecutable decodes them, Decode does not

	release  func()
	raw      []byte    // what Open read, while it holds the buffer
	id       fileID    // the file Open read
	detached *detached // set by Detach
}

// Open reads, decompresses, unsigns and validates the object at path.
// It returns a *FormatError for an object that cannot be used (one that is
// truncated, or shrinks while read, included) or an *os.PathError. The
// file is read into a recycled buffer (see ReadFile); Close gives it back.
func Open(path string) (*File, error) {
	data, release, id, err := readFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Decode(path, data)
	if err != nil {
		release()
		return nil, err
	}
	if f.Compression == "" {
		f.release, f.raw, f.id = release, data, id
	} else {
		release() // Data is a decompressed copy
	}
	return f, nil
}

// Close gives the file's buffer back, if Open read it into one. The File
// and every slice of its Data must not be used afterwards. It returns nil.
func (f *File) Close() error {
	if f.release != nil {
		f.release()
		f.release, f.raw = nil, nil
	}
	return nil
}

// Decode validates data, the contents of a file called name, as a relocatable
// ELF64 little-endian object, decompressing it and cutting off an appended
// module signature first. The returned File aliases data (or the
// decompressed copy). Errors are *FormatError values.
func Decode(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	raw, comp, err := decompress(data)
	if err != nil {
		return nil, withFile(err, name)
	}
	f.Compression = comp
	f.Data, f.Signature, err = splitSignature(raw)
	if err != nil {
		return nil, withFile(err, name)
	}
	if err := f.validate(elf.ET_REL); err != nil {
		return nil, withFile(err, name)
	}
	return f, nil
}

// DecodeExecutable validates data, the contents of a file called name, as
// an ELF64 little-endian executable or shared object (ET_EXEC or ET_DYN:
// a vmlinux, or an image golink wrote), to read its sections, program
// headers and symbol tables. It makes the checks Decode makes of the ELF
// header and the section headers, except that it wants ET_EXEC or ET_DYN,
// and decodes the program headers into Progs, checking that the table and
// each segment's file contents lie inside the file. Nothing is
// decompressed or unsigned. The returned File aliases data. Errors are
// *FormatError values.
func DecodeExecutable(name string, data []byte) (*File, error) {
	f := &File{Name: name, Data: data}
	if err := f.validate(elf.ET_EXEC, elf.ET_DYN); err != nil {
		return nil, withFile(err, name)
	}
	if err := f.decodeProgs(); err != nil {
		return nil, withFile(err, name)
	}
	return f, nil
}

// decodeProgs decodes and checks the program header table.
func (f *File) decodeProgs() error {
	h := DecodeHeader64(f.Data)
	if h.Phnum == 0 {
		return nil
	}
	n := uint64(len(f.Data))
	if h.Phentsize != PhdrSize {
		return formatErr(-1, 54, "program header size is not that of an Elf64_Phdr", "e_phentsize %d, want %d", h.Phentsize, PhdrSize)
	}
	if h.Phoff < EhdrSize || h.Phoff >= n || uint64(h.Phnum)*PhdrSize > n-h.Phoff {
		return formatErr(-1, 32, "program header table lies outside the file",
			"e_phoff %#x + e_phnum %d * %d, file size %#x", h.Phoff, h.Phnum, PhdrSize, n)
	}
	f.Progs = make([]elf.Prog64, h.Phnum)
	for i := range f.Progs {
		off := h.Phoff + uint64(i)*PhdrSize
		p := DecodeProg64(f.Data[off:])
		if p.Off > n || p.Filesz > n-p.Off {
			return formatErr(-1, int64(off), "segment contents lie outside the file",
				"program header %d: offset %#x + size %#x, file size %#x", i, p.Off, p.Filesz, n)
		}
		f.Progs[i] = p
	}
	return nil
}

func withFile(err error, name string) error {
	if fe, ok := err.(*FormatError); ok && fe.File == "" {
		fe.File = name
	}
	return err
}

// validate runs the kernel's elf_validity_check (6.1, in its order and with
// its messages) followed by golink's stricter checks. types are the
// e_type values accepted, the first one named in the error (the kernel's
// check is for ET_REL).
func (f *File) validate(types ...elf.Type) error {
	d := f.Data
	n := uint64(len(d))
	if n < EhdrSize {
		return formatErr(-1, 0, fmt.Sprintf("Invalid ELF header len %d", n), "")
	}
	h := DecodeHeader64(d)
	if !bytes.Equal(h.Ident[:4], []byte(elf.ELFMAG)) {
		return formatErr(-1, 0, "Invalid ELF header magic: != \\x7fELF", "")
	}
	f.Type = elf.Type(h.Type)
	if !slices.Contains(types, f.Type) {
		return formatErr(-1, 16, fmt.Sprintf("Invalid ELF header type: %d != %d", h.Type, types[0]), "")
	}
	// The kernel compares e_machine with its own arch here. Which machines
	// golink links is the linker's decision (golink.NewModule refuses an
	// object its Arch cannot link), so any e_machine decodes.
	f.Machine = elf.Machine(h.Machine)
	// Not checked by the kernel, but everything below assumes them.
	if c := h.Ident[elf.EI_CLASS]; c != byte(elf.ELFCLASS64) {
		return formatErr(-1, int64(elf.EI_CLASS), "not an ELF64 object", "EI_CLASS %d", c)
	}
	if c := h.Ident[elf.EI_DATA]; c != byte(elf.ELFDATA2LSB) {
		return formatErr(-1, int64(elf.EI_DATA), "not a little-endian object", "EI_DATA %d", c)
	}
	f.Flags = h.Flags
	shoff := h.Shoff
	shnum := uint64(h.Shnum)
	shstrndx := uint64(h.Shstrndx)
	if h.Shentsize != ShdrSize {
		return formatErr(-1, 58, "Invalid ELF section header size", "e_shentsize %d, want %d", h.Shentsize, ShdrSize)
	}
	if shoff >= n || shnum*ShdrSize > n-shoff {
		return formatErr(-1, 40, "Invalid ELF section header overflow",
			"e_shoff %#x + e_shnum %d * 64 > file size %#x", shoff, shnum, n)
	}
	if shstrndx == 0 || shstrndx >= shnum {
		return formatErr(-1, 62, fmt.Sprintf("Invalid ELF section name index: %d || e_shstrndx (%d) >= e_shnum (%d)",
			shstrndx, shstrndx, shnum), "")
	}
	if shoff < EhdrSize {
		return formatErr(-1, 40, "section header table overlaps the ELF header", "e_shoff %#x", shoff)
	}

	f.ShStrNdx = int(shstrndx)
	f.Sections = make([]Section, shnum)
	for i := range f.Sections {
		sh := DecodeSection64(d[shoff+uint64(i)*ShdrSize:])
		f.Sections[i] = Section{
			NameOff:   sh.Name,
			Type:      elf.SectionType(sh.Type),
			Flags:     elf.SectionFlag(sh.Flags),
			Addr:      sh.Addr,
			Offset:    sh.Off,
			Size:      sh.Size,
			Link:      sh.Link,
			Info:      sh.Info,
			Addralign: sh.Addralign,
			Entsize:   sh.Entsize,
		}
	}

	strhdr := &f.Sections[shstrndx]
	if !inFile(strhdr, n) {
		return formatErr(int(shstrndx), int64(shoff+shstrndx*ShdrSize),
			fmt.Sprintf("Invalid ELF section hdr(type %d)", uint32(strhdr.Type)),
			"offset %#x + size %#x beyond file size %#x", strhdr.Offset, strhdr.Size, n)
	}
	if strhdr.Size == 0 {
		return formatErr(int(shstrndx), -1, "empty section name table", "")
	}
	shstr := d[strhdr.Offset : strhdr.Offset+strhdr.Size]
	if shstr[len(shstr)-1] != 0 {
		return formatErr(int(shstrndx), int64(strhdr.Offset+strhdr.Size-1),
			"ELF Spec violation: section name table isn't null terminated", "")
	}
	if s0 := f.Sections[0]; s0.Type != elf.SHT_NULL || s0.Size != 0 || s0.Addr != 0 {
		return formatErr(0, int64(shoff),
			fmt.Sprintf("ELF Spec violation: section 0 type(%d)!=SH_NULL or non-zero len or addr", uint32(s0.Type)), "")
	}

	for i := 1; i < len(f.Sections); i++ {
		s := &f.Sections[i]
		switch s.Type {
		case elf.SHT_NULL, elf.SHT_NOBITS:
			// The kernel skips these entirely.
		default:
			if s.Type == elf.SHT_SYMTAB && (s.Link == 0 || uint64(s.Link) >= shnum) {
				return formatErr(i, -1, fmt.Sprintf("Invalid ELF sh_link!=SHN_UNDEF(%d) or (sh_link(%d) >= hdr->e_shnum(%d)",
					s.Link, s.Link, shnum), "")
			}
			if !inFile(s, n) {
				return formatErr(i, int64(shoff+uint64(i)*ShdrSize),
					fmt.Sprintf("Invalid ELF section in module (section %d type %d)", i, uint32(s.Type)),
					"offset %#x + size %#x beyond file size %#x", s.Offset, s.Size, n)
			}
			if s.Flags&elf.SHF_ALLOC != 0 && uint64(s.NameOff) >= strhdr.Size {
				return formatErr(i, -1, fmt.Sprintf("Invalid ELF section name in module (section %d type %d)", i, uint32(s.Type)),
					"sh_name %#x, name table size %#x", s.NameOff, strhdr.Size)
			}
		}
	}

	// golink's own checks: what the kernel trusts without checking.
	for i := 1; i < len(f.Sections); i++ {
		s := &f.Sections[i]
		if uint64(s.NameOff) >= strhdr.Size {
			return formatErr(i, -1, "section name outside the section name table",
				"sh_name %#x, name table size %#x", s.NameOff, strhdr.Size)
		}
		s.Name = cstring(shstr[s.NameOff:])
		if s.Addralign&(s.Addralign-1) != 0 {
			return &FormatError{Section: i, Name: s.Name, Off: -1, Msg: "sh_addralign is not a power of two",
				Detail: fmt.Sprintf("%#x", s.Addralign)}
		}
		if err := f.checkLinks(i, s); err != nil {
			return err
		}
	}
	if err := f.checkOverlap(shoff, shnum); err != nil {
		return err
	}
	for i := range f.Sections {
		if f.Sections[i].Type == elf.SHT_SYMTAB {
			f.Symtab = i
			break
		}
	}
	return nil
}

// inFile reports whether the section's contents lie inside a file of n bytes,
// without overflow (the kernel's validate_section_offset).
func inFile(s *Section, n uint64) bool {
	end := s.Offset + s.Size
	return end >= s.Offset && end <= n
}

func (f *File) secErr(i int, msg, detail string, args ...any) *FormatError {
	e := formatErr(i, -1, msg, detail, args...)
	e.Name = f.Sections[i].Name
	return e
}

// checkLinks checks the sh_link/sh_info and entry-size rules of the section
// types whose contents golink decodes.
func (f *File) checkLinks(i int, s *Section) error {
	shnum := uint32(len(f.Sections))
	switch s.Type {
	case elf.SHT_SYMTAB:
		if s.Size%SymSize != 0 {
			return f.secErr(i, "symbol table is not made of whole entries", "size %#x is not a multiple of %d", s.Size, SymSize)
		}
		if s.Size == 0 {
			return f.secErr(i, "empty symbol table", "")
		}
		str := &f.Sections[s.Link]
		if str.Type != elf.SHT_STRTAB {
			return f.secErr(i, "symbol table's sh_link is not a string table", "sh_link %d has type %v", s.Link, str.Type)
		}
		if str.Size == 0 || f.Data[str.Offset+str.Size-1] != 0 {
			return f.secErr(int(s.Link), "string table isn't null terminated", "")
		}
		if s.Info > uint32(s.Size/SymSize) {
			return f.secErr(i, "symbol table's sh_info (first global) is beyond its end", "sh_info %d, %d symbols", s.Info, s.Size/SymSize)
		}
	case elf.SHT_STRTAB:
		if s.Size > 0 && f.Data[s.Offset+s.Size-1] != 0 {
			return f.secErr(i, "string table isn't null terminated", "")
		}
	case elf.SHT_RELA, elf.SHT_REL:
		size := uint64(RelaSize)
		if s.Type == elf.SHT_REL {
			size = RelSize
		}
		if s.Size%size != 0 {
			return f.secErr(i, "relocation table is not made of whole entries", "size %#x is not a multiple of %d", s.Size, size)
		}
		if s.Info >= shnum {
			return f.secErr(i, "relocation section's sh_info is out of range", "sh_info %d >= e_shnum %d", s.Info, shnum)
		}
		if f.Type != elf.ET_REL && (s.Link == 0 || s.Link < shnum && f.Sections[s.Link].Type == elf.SHT_DYNSYM) {
			// An executable's dynamic relocations refer to .dynsym, or
			// (static ones, .rela.iplt) to no table at all.
			break
		}
		if s.Link == 0 || s.Link >= shnum || f.Sections[s.Link].Type != elf.SHT_SYMTAB {
			return f.secErr(i, "relocation section's sh_link is not a symbol table", "sh_link %d", s.Link)
		}
	case elf.SHT_GROUP, elf.SHT_SYMTAB_SHNDX:
		if s.Link == 0 || s.Link >= shnum || f.Sections[s.Link].Type != elf.SHT_SYMTAB {
			return f.secErr(i, "section's sh_link is not a symbol table", "sh_link %d", s.Link)
		}
	}
	return nil
}

// checkOverlap refuses sections whose contents overlap the ELF header, the
// section header table or each other.
func (f *File) checkOverlap(shoff, shnum uint64) error {
	type span struct {
		lo, hi uint64
		sec    int
	}
	spans := []span{{0, EhdrSize, -1}, {shoff, shoff + shnum*ShdrSize, -2}}
	for i := 1; i < len(f.Sections); i++ {
		s := &f.Sections[i]
		if s.Type == elf.SHT_NOBITS || s.Type == elf.SHT_NULL || s.Size == 0 {
			continue
		}
		spans = append(spans, span{s.Offset, s.Offset + s.Size, i})
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].lo < spans[b].lo })
	what := func(sec int) string {
		switch sec {
		case -1:
			return "the ELF header"
		case -2:
			return "the section header table"
		}
		return fmt.Sprintf("section %d (%s)", sec, f.Sections[sec].Name)
	}
	for k := 1; k < len(spans); k++ {
		a, b := spans[k-1], spans[k]
		if b.lo < a.hi {
			i, other := b.sec, a.sec
			if i < 0 {
				i, other = a.sec, b.sec
			}
			e := f.secErr(i, "contents overlap "+what(other), "offsets [%#x, %#x) and [%#x, %#x)", a.lo, a.hi, b.lo, b.hi)
			e.Off = int64(b.lo)
			return e
		}
	}
	return nil
}

// Bytes returns the contents of section i: nil for SHT_NOBITS and SHT_NULL.
// The slice aliases the file; callers must not modify it.
func (f *File) Bytes(i int) []byte {
	s := &f.Sections[i]
	if s.Type == elf.SHT_NOBITS || s.Type == elf.SHT_NULL {
		return nil
	}
	return f.Data[s.Offset : s.Offset+s.Size : s.Offset+s.Size]
}

// SectionByName returns the index of the first section called name whose
// flags include all of want (0 for any), or 0 if there is none. With
// want = SHF_ALLOC this is the kernel's find_sec.
func (f *File) SectionByName(name string, want elf.SectionFlag) int {
	for i := 1; i < len(f.Sections); i++ {
		s := &f.Sections[i]
		if s.Flags&want == want && s.Name == name {
			return i
		}
	}
	return 0
}

func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
