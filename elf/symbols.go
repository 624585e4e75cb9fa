package elf

import (
	"debug/elf"
	"fmt"
	"strings"
)

// Symbol is one decoded Elf64_Sym.
type Symbol struct {
	Name    string
	NameOff uint32
	Info    byte
	Other   byte
	Shndx   elf.SectionIndex
	Value   uint64
	Size    uint64
}

// Bind returns the symbol's binding (STB_LOCAL, STB_GLOBAL, STB_WEAK...).
func (s *Symbol) Bind() elf.SymBind { return elf.ST_BIND(s.Info) }

// Type returns the symbol's type (STT_FUNC, STT_OBJECT, STT_SECTION...).
func (s *Symbol) Type() elf.SymType { return elf.ST_TYPE(s.Info) }

// Symbols decodes the symbol table at section index symtab (normally
// f.Symtab), entry 0 included, so that slice indexes equal symbol indexes.
// It returns a *FormatError if a name lies outside the string table.
func (f *File) Symbols(symtab int) ([]Symbol, error) {
	if symtab <= 0 || symtab >= len(f.Sections) || f.Sections[symtab].Type != elf.SHT_SYMTAB {
		return nil, &FormatError{File: f.Name, Section: symtab, Off: -1, Msg: "not a symbol table"}
	}
	sec := &f.Sections[symtab]
	data := f.Bytes(symtab)
	// One string for the whole table: names are substrings of it, so
	// decoding allocates once per table, not once per symbol.
	strtab := string(f.Bytes(int(sec.Link))) // validated: a NUL-terminated SHT_STRTAB
	syms := make([]Symbol, len(data)/SymSize)
	for i := range syms {
		b := data[i*SymSize:]
		s := &syms[i]
		s.NameOff = le.Uint32(b[0:])
		s.Info = b[4]
		s.Other = b[5]
		s.Shndx = elf.SectionIndex(le.Uint16(b[6:]))
		s.Value = le.Uint64(b[8:])
		s.Size = le.Uint64(b[16:])
		if uint64(s.NameOff) >= uint64(len(strtab)) {
			return nil, &FormatError{File: f.Name, Section: symtab, Name: sec.Name,
				Off: int64(sec.Offset) + int64(i)*SymSize, Msg: "symbol name outside the string table",
				Detail: fmt.Sprintf("symbol %d: st_name %#x, string table size %#x", i, s.NameOff, len(strtab))}
		}
		if s.NameOff != 0 {
			name := strtab[s.NameOff:]
			s.Name = name[:strings.IndexByte(name, 0)]
		}
	}
	return syms, nil
}

// Rela is one decoded Elf64_Rela (Addend 0 for an Elf64_Rel).
type Rela struct {
	Off    uint64
	Info   uint64
	Addend int64
}

// Sym returns the symbol index, ELF64_R_SYM.
func (r Rela) Sym() uint32 { return uint32(r.Info >> 32) }

// Type returns the relocation type, ELF64_R_TYPE.
func (r Rela) Type() uint32 { return uint32(r.Info) }

// DecodeRela decodes the Elf64_Rela at the start of b.
func DecodeRela(b []byte) Rela {
	_ = b[RelaSize-1]
	return Rela{Off: le.Uint64(b), Info: le.Uint64(b[8:]), Addend: int64(le.Uint64(b[16:]))}
}

// AppendRela appends the Elf64_Rela encoding of each r to b.
func AppendRela(b []byte, rels ...Rela) []byte {
	for _, r := range rels {
		b = le.AppendUint64(b, r.Off)
		b = le.AppendUint64(b, r.Info)
		b = le.AppendUint64(b, uint64(r.Addend))
	}
	return b
}

// DecodeRel decodes the Elf64_Rel at the start of b.
func DecodeRel(b []byte) Rela {
	_ = b[RelSize-1]
	return Rela{Off: le.Uint64(b), Info: le.Uint64(b[8:])}
}

// CheckRelocs checks, without decoding into memory, that every entry of the
// SHT_RELA or SHT_REL section i refers to a symbol below nsyms. A bad index
// is a *FormatError.
func (f *File) CheckRelocs(i int, nsyms int) error {
	sec := &f.Sections[i]
	data := f.Bytes(i)
	var entsize int
	switch sec.Type {
	case elf.SHT_RELA:
		entsize = RelaSize
	case elf.SHT_REL:
		entsize = RelSize
	default:
		return &FormatError{File: f.Name, Section: i, Name: sec.Name, Off: -1, Msg: "not a relocation section"}
	}
	for k := 0; k+entsize <= len(data); k += entsize {
		if sym := le.Uint32(data[k+12:]); uint64(sym) >= uint64(nsyms) {
			return &FormatError{File: f.Name, Section: i, Name: sec.Name, Off: int64(sec.Offset) + int64(k),
				Msg:    "relocation refers to a symbol beyond the symbol table",
				Detail: fmt.Sprintf("relocation %d: symbol index %d, %d symbols", k/entsize, sym, nsyms)}
		}
	}
	return nil
}

// Relas decodes the SHT_RELA or SHT_REL section i. Every symbol index is
// checked against nsyms, the number of entries in the symbol table the
// caller resolves against; a bad index is a *FormatError.
func (f *File) Relas(i int, nsyms int) ([]Rela, error) {
	sec := &f.Sections[i]
	data := f.Bytes(i)
	var out []Rela
	switch sec.Type {
	case elf.SHT_RELA:
		out = make([]Rela, len(data)/RelaSize)
		for k := range out {
			b := data[k*RelaSize:]
			out[k] = Rela{Off: le.Uint64(b), Info: le.Uint64(b[8:]), Addend: int64(le.Uint64(b[16:]))}
		}
	case elf.SHT_REL:
		out = make([]Rela, len(data)/RelSize)
		for k := range out {
			b := data[k*RelSize:]
			out[k] = Rela{Off: le.Uint64(b), Info: le.Uint64(b[8:])}
		}
	default:
		return nil, &FormatError{File: f.Name, Section: i, Name: sec.Name, Off: -1, Msg: "not a relocation section"}
	}
	entsize := uint64(RelaSize)
	if sec.Type == elf.SHT_REL {
		entsize = RelSize
	}
	for k, r := range out {
		if uint64(r.Sym()) >= uint64(nsyms) {
			return nil, &FormatError{File: f.Name, Section: i, Name: sec.Name, Off: int64(sec.Offset + uint64(k)*entsize),
				Msg:    "relocation refers to a symbol beyond the symbol table",
				Detail: fmt.Sprintf("relocation %d: symbol index %d, %d symbols", k, r.Sym(), nsyms)}
		}
	}
	return out, nil
}
