package golink_test

import (
	"debug/elf"

	gelf "github.com/golink/golink/elf"
)

// The tests' edits of ELF bytes, through the on-disk structs.

// editHeader rewrites the ELF header of the object in b.
func editHeader(b []byte, f func(h *elf.Header64)) {
	h := gelf.DecodeHeader64(b)
	f(&h)
	gelf.PutHeader64(b, &h)
}

// editSection rewrites section header i of the object in b.
func editSection(b []byte, i int, f func(s *elf.Section64)) {
	h := gelf.DecodeHeader64(b)
	off := h.Shoff + uint64(i)*uint64(h.Shentsize)
	s := gelf.DecodeSection64(b[off:])
	f(&s)
	gelf.PutSection64(b[off:], &s)
}

// editSymbol rewrites entry i of the symbol table whose contents start at
// file offset tab.
func editSymbol(b []byte, tab uint64, i int, f func(s *elf.Sym64)) {
	off := tab + uint64(i)*gelf.SymSize
	s := gelf.DecodeSym64(b[off:])
	f(&s)
	gelf.PutSym64(b[off:], &s)
}
