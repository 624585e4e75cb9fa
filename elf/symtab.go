package elf

import (
	"bytes"
	"debug/elf"
	"iter"
	"strings"
)

// SymTab is a validated SHT_SYMTAB (or SHT_DYNSYM) section of a File: the
// one reader of symbol tables, which (*File).Symbols, kmod and symtab use.
// It decodes entries on demand, so scanning a table costs no allocation.
// The zero SymTab is an empty table.
type SymTab struct {
	sec    int
	data   []byte // whole Elf64_Sym entries
	strtab []byte // the linked string table, NUL-terminated
}

// SymTab returns the symbol table at section index i, checked: a
// SHT_SYMTAB or SHT_DYNSYM section of whole SymSize entries (sh_entsize
// SymSize, or 0 as some tools leave it), whose sh_link names a
// NUL-terminated SHT_STRTAB, and every entry's st_name inside that string
// table. Errors are *FormatError values.
func (f *File) SymTab(i int) (SymTab, error) {
	if i <= 0 || i >= len(f.Sections) {
		return SymTab{}, &FormatError{File: f.Name, Section: i, Off: -1, Msg: "not a symbol table", Detail: "no such section"}
	}
	sec := &f.Sections[i]
	bad := func(msg, detail string, args ...any) (SymTab, error) {
		e := f.secErr(i, msg, detail, args...)
		e.File = f.Name
		return SymTab{}, e
	}
	if sec.Type != elf.SHT_SYMTAB && sec.Type != elf.SHT_DYNSYM {
		return bad("not a symbol table", "type %v", sec.Type)
	}
	if sec.Entsize != SymSize && sec.Entsize != 0 {
		return bad("symbol table's sh_entsize is not the size of an Elf64_Sym", "sh_entsize %d, want %d", sec.Entsize, SymSize)
	}
	if sec.Size%SymSize != 0 {
		return bad("symbol table is not made of whole entries", "size %#x is not a multiple of %d", sec.Size, SymSize)
	}
	if sec.Link == 0 || int(sec.Link) >= len(f.Sections) || f.Sections[sec.Link].Type != elf.SHT_STRTAB {
		return bad("symbol table's sh_link is not a string table", "sh_link %d", sec.Link)
	}
	strtab := f.Bytes(int(sec.Link))
	if len(strtab) == 0 || strtab[len(strtab)-1] != 0 {
		return bad("string table isn't null terminated", "sh_link %d", sec.Link)
	}
	t := SymTab{sec: i, data: f.Bytes(i), strtab: strtab}
	for k := range t.Len() {
		if off := le.Uint32(t.data[k*SymSize:]); uint64(off) >= uint64(len(strtab)) {
			_, err := bad("symbol name outside the string table", "symbol %d: st_name %#x, string table size %#x", k, off, len(strtab))
			err.(*FormatError).Off = int64(sec.Offset) + int64(k)*SymSize
			return SymTab{}, err
		}
	}
	return t, nil
}

// Section returns the section index of the table, 0 for the zero SymTab.
func (t SymTab) Section() int { return t.sec }

// Len returns the number of entries, the null symbol 0 included.
func (t SymTab) Len() int { return len(t.data) / SymSize }

// Sym returns entry i as it is on disk. It panics if i is not in [0, Len()).
func (t SymTab) Sym(i int) elf.Sym64 {
	return DecodeSym64(t.data[i*SymSize : (i+1)*SymSize])
}

// NameBytes returns the name of entry i as a slice of the string table,
// without copying: valid only while the File's data is, and not to be
// modified. It is nil for an unnamed symbol or an i out of range.
func (t SymTab) NameBytes(i int) []byte {
	if i < 0 || i >= t.Len() {
		return nil
	}
	off := le.Uint32(t.data[i*SymSize:])
	if off == 0 || uint64(off) >= uint64(len(t.strtab)) {
		return nil
	}
	b := t.strtab[off:]
	return b[:bytes.IndexByte(b, 0)] // the table ends with a NUL
}

// Name returns the name of entry i: "" for an unnamed symbol or an i out of
// range.
func (t SymTab) Name(i int) string { return string(t.NameBytes(i)) }

// Symbol returns entry i decoded. It panics if i is not in [0, Len()).
func (t SymTab) Symbol(i int) Symbol {
	return decodeSymbol(t.Sym(i), t.Name(i))
}

// All yields every entry in order, the null symbol 0 included. The names
// of one iteration share one copy of the string table, so a whole pass
// allocates once.
func (t SymTab) All() iter.Seq2[int, Symbol] {
	return func(yield func(int, Symbol) bool) {
		strs := string(t.strtab)
		for i := range t.Len() {
			s := t.Sym(i)
			name := ""
			if s.Name != 0 {
				name = strs[s.Name:]
				name = name[:strings.IndexByte(name, 0)]
			}
			if !yield(i, decodeSymbol(s, name)) {
				return
			}
		}
	}
}

func decodeSymbol(s elf.Sym64, name string) Symbol {
	return Symbol{Name: name, NameOff: s.Name, Info: s.Info, Other: s.Other,
		Shndx: elf.SectionIndex(s.Shndx), Value: s.Value, Size: s.Size}
}

// Symbols decodes the symbol table at section index symtab (normally
// f.Symtab), entry 0 included, so that slice indexes equal symbol indexes.
// It returns the *FormatError of SymTab for a table that is not valid, for
// example one with a name outside its string table.
func (f *File) Symbols(symtab int) ([]Symbol, error) {
	t, err := f.SymTab(symtab)
	if err != nil {
		return nil, err
	}
	syms := make([]Symbol, t.Len())
	for i, s := range t.All() {
		syms[i] = s
	}
	return syms, nil
}
