package elf

import (
	"debug/elf"
	"encoding/binary"
)

// The on-disk ELF64 structures are debug/elf's Header64, Section64, Sym64
// and Rela64, whose fields are exactly the file's. The helpers here decode
// them from and encode them into little-endian bytes field by field (what
// binary.Read would do, without reflection); every other file of the
// package, and every package above it, goes through them instead of
// indexing headers by magic offsets.
//
// Each Decode* reads the first Size bytes of b and each Put* writes them;
// both panic if b is shorter, as binary.LittleEndian does: callers check
// lengths first (validate does, for every structure it decodes).

// Sizes of the on-disk ELF64 structures.
const (
	EhdrSize = 64 // Elf64_Ehdr, elf.Header64
	PhdrSize = 56 // Elf64_Phdr, elf.Prog64
	ShdrSize = 64 // Elf64_Shdr, elf.Section64
	SymSize  = 24 // Elf64_Sym, elf.Sym64
	RelaSize = 24 // Elf64_Rela, elf.Rela64
	RelSize  = 16 // Elf64_Rel, elf.Rel64
)

var le = binary.LittleEndian

// DecodeHeader64 decodes the ELF header at the start of b (EhdrSize bytes).
func DecodeHeader64(b []byte) elf.Header64 {
	_ = b[EhdrSize-1]
	var h elf.Header64
	copy(h.Ident[:], b)
	h.Type = le.Uint16(b[16:])
	h.Machine = le.Uint16(b[18:])
	h.Version = le.Uint32(b[20:])
	h.Entry = le.Uint64(b[24:])
	h.Phoff = le.Uint64(b[32:])
	h.Shoff = le.Uint64(b[40:])
	h.Flags = le.Uint32(b[48:])
	h.Ehsize = le.Uint16(b[52:])
	h.Phentsize = le.Uint16(b[54:])
	h.Phnum = le.Uint16(b[56:])
	h.Shentsize = le.Uint16(b[58:])
	h.Shnum = le.Uint16(b[60:])
	h.Shstrndx = le.Uint16(b[62:])
	return h
}

// PutHeader64 encodes h into the first EhdrSize bytes of b.
func PutHeader64(b []byte, h *elf.Header64) {
	_ = b[EhdrSize-1]
	copy(b, h.Ident[:])
	le.PutUint16(b[16:], h.Type)
	le.PutUint16(b[18:], h.Machine)
	le.PutUint32(b[20:], h.Version)
	le.PutUint64(b[24:], h.Entry)
	le.PutUint64(b[32:], h.Phoff)
	le.PutUint64(b[40:], h.Shoff)
	le.PutUint32(b[48:], h.Flags)
	le.PutUint16(b[52:], h.Ehsize)
	le.PutUint16(b[54:], h.Phentsize)
	le.PutUint16(b[56:], h.Phnum)
	le.PutUint16(b[58:], h.Shentsize)
	le.PutUint16(b[60:], h.Shnum)
	le.PutUint16(b[62:], h.Shstrndx)
}

// DecodeSection64 decodes the section header at the start of b (ShdrSize bytes).
func DecodeSection64(b []byte) elf.Section64 {
	_ = b[ShdrSize-1]
	return elf.Section64{
		Name:      le.Uint32(b[0:]),
		Type:      le.Uint32(b[4:]),
		Flags:     le.Uint64(b[8:]),
		Addr:      le.Uint64(b[16:]),
		Off:       le.Uint64(b[24:]),
		Size:      le.Uint64(b[32:]),
		Link:      le.Uint32(b[40:]),
		Info:      le.Uint32(b[44:]),
		Addralign: le.Uint64(b[48:]),
		Entsize:   le.Uint64(b[56:]),
	}
}

// PutSection64 encodes s into the first ShdrSize bytes of b.
func PutSection64(b []byte, s *elf.Section64) {
	_ = b[ShdrSize-1]
	le.PutUint32(b[0:], s.Name)
	le.PutUint32(b[4:], s.Type)
	le.PutUint64(b[8:], s.Flags)
	le.PutUint64(b[16:], s.Addr)
	le.PutUint64(b[24:], s.Off)
	le.PutUint64(b[32:], s.Size)
	le.PutUint32(b[40:], s.Link)
	le.PutUint32(b[44:], s.Info)
	le.PutUint64(b[48:], s.Addralign)
	le.PutUint64(b[56:], s.Entsize)
}

// DecodeProg64 decodes the program header at the start of b (PhdrSize bytes).
func DecodeProg64(b []byte) elf.Prog64 {
	_ = b[PhdrSize-1]
	return elf.Prog64{
		Type:   le.Uint32(b[0:]),
		Flags:  le.Uint32(b[4:]),
		Off:    le.Uint64(b[8:]),
		Vaddr:  le.Uint64(b[16:]),
		Paddr:  le.Uint64(b[24:]),
		Filesz: le.Uint64(b[32:]),
		Memsz:  le.Uint64(b[40:]),
		Align:  le.Uint64(b[48:]),
	}
}

// PutProg64 encodes p into the first PhdrSize bytes of b.
func PutProg64(b []byte, p *elf.Prog64) {
	_ = b[PhdrSize-1]
	le.PutUint32(b[0:], p.Type)
	le.PutUint32(b[4:], p.Flags)
	le.PutUint64(b[8:], p.Off)
	le.PutUint64(b[16:], p.Vaddr)
	le.PutUint64(b[24:], p.Paddr)
	le.PutUint64(b[32:], p.Filesz)
	le.PutUint64(b[40:], p.Memsz)
	le.PutUint64(b[48:], p.Align)
}

// DecodeSym64 decodes the symbol at the start of b (SymSize bytes).
func DecodeSym64(b []byte) elf.Sym64 {
	_ = b[SymSize-1]
	return elf.Sym64{
		Name:  le.Uint32(b[0:]),
		Info:  b[4],
		Other: b[5],
		Shndx: le.Uint16(b[6:]),
		Value: le.Uint64(b[8:]),
		Size:  le.Uint64(b[16:]),
	}
}

// PutSym64 encodes s into the first SymSize bytes of b.
func PutSym64(b []byte, s *elf.Sym64) {
	_ = b[SymSize-1]
	le.PutUint32(b[0:], s.Name)
	b[4], b[5] = s.Info, s.Other
	le.PutUint16(b[6:], s.Shndx)
	le.PutUint64(b[8:], s.Value)
	le.PutUint64(b[16:], s.Size)
}

// DecodeRela64 decodes the relocation at the start of b (RelaSize bytes).
func DecodeRela64(b []byte) elf.Rela64 {
	_ = b[RelaSize-1]
	return elf.Rela64{Off: le.Uint64(b[0:]), Info: le.Uint64(b[8:]), Addend: int64(le.Uint64(b[16:]))}
}

// PutRela64 encodes r into the first RelaSize bytes of b.
func PutRela64(b []byte, r *elf.Rela64) {
	_ = b[RelaSize-1]
	le.PutUint64(b[0:], r.Off)
	le.PutUint64(b[8:], r.Info)
	le.PutUint64(b[16:], uint64(r.Addend))
}

// DecodeRel64 decodes the relocation without addend at the start of b
// (RelSize bytes).
func DecodeRel64(b []byte) elf.Rel64 {
	_ = b[RelSize-1]
	return elf.Rel64{Off: le.Uint64(b[0:]), Info: le.Uint64(b[8:])}
}

// PutRel64 encodes r into the first RelSize bytes of b.
func PutRel64(b []byte, r *elf.Rel64) {
	_ = b[RelSize-1]
	le.PutUint64(b[0:], r.Off)
	le.PutUint64(b[8:], r.Info)
}
