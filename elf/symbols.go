package elf

import (
	"debug/elf"
	"fmt"
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
	r := DecodeRela64(b)
	return Rela{Off: r.Off, Info: r.Info, Addend: r.Addend}
}

// AppendRela appends the Elf64_Rela encoding of each r to b.
func AppendRela(b []byte, rels ...Rela) []byte {
	for _, r := range rels {
		var e [RelaSize]byte
		PutRela64(e[:], &elf.Rela64{Off: r.Off, Info: r.Info, Addend: r.Addend})
		b = append(b, e[:]...)
	}
	return b
}

// DecodeRel decodes the Elf64_Rel at the start of b.
func DecodeRel(b []byte) Rela {
	r := DecodeRel64(b)
	return Rela{Off: r.Off, Info: r.Info}
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
		// r_offset and r_info lead both Elf64_Rel and Elf64_Rela.
		if sym := elf.R_SYM64(DecodeRel64(data[k:]).Info); uint64(sym) >= uint64(nsyms) {
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
			out[k] = DecodeRela(data[k*RelaSize:])
		}
	case elf.SHT_REL:
		out = make([]Rela, len(data)/RelSize)
		for k := range out {
			out[k] = DecodeRel(data[k*RelSize:])
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
