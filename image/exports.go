package image

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/golink/golink/symtab"
)

var le = binary.LittleEndian

// ExportError is an export table ReadExports cannot decode.
type ExportError struct {
	Module string
	Table  string // __ksymtab or __ksymtab_gpl
	Msg    string
}

func (e *ExportError) Error() string { return e.Module + ": " + e.Table + ": " + e.Msg }

// ReadExports decodes the module's __ksymtab and __ksymtab_gpl from its
// relocated memory, as the kernel's find_symbol reads them, with the CRC of
// each entry from the parallel __kcrctab/__kcrctab_gpl; a function's export
// has Type 'T'. Errors are *ExportError values.
//
// Two layouts of struct kernel_symbol exist: the place-relative one of
// CONFIG_HAVE_ARCH_PREL32_RELOCATIONS (x86_64 since 4.19: three s32
// offsets, value, name and namespace, 12 bytes) and the absolute one
// (pointers: value, name and, since 5.4, namespace; 16 or 24 bytes on
// 64-bit, what ia64 uses). The entry size is the section size over the
// number of __ksymtab_<name> symbols in it; without such symbols, x86_64's
// is 12 bytes and every other arch's 24.
func (img *Image) ReadExports() ([]symtab.Symbol, error) {
	var out []symtab.Symbol
	for _, t := range [...]struct {
		tab, crc string
		gpl      bool
	}{{"__ksymtab", "__kcrctab", false}, {"__ksymtab_gpl", "__kcrctab_gpl", true}} {
		sec := img.loaded(t.tab)
		if sec == nil || sec.Size == 0 {
			continue
		}
		entsize, err := img.ksymtabEntsize(sec)
		if err != nil {
			return nil, &ExportError{img.Name, t.tab, err.Error()}
		}
		var crcs []byte
		if c := img.loaded(t.crc); c != nil {
			crcs = c.Data
		}
		for k := uint64(0); k+entsize <= sec.Size; k += entsize {
			sym, err := img.kernelSymbol(sec, k, entsize)
			if err != nil {
				return nil, &ExportError{img.Name, t.tab, fmt.Sprintf("entry %d: %v", k/entsize, err)}
			}
			sym.GPLOnly, sym.Owner = t.gpl, img.Name
			if j := k / entsize * 4; crcs != nil && j+4 <= uint64(len(crcs)) {
				sym.CRC, sym.HasCRC = le.Uint32(crcs[j:]), true
			}
			out = append(out, sym)
		}
	}
	return out, nil
}

// loaded returns the first section in module memory called name (the
// kernel's find_sec), or nil.
func (img *Image) loaded(name string) *Section {
	for i := range img.Sections {
		if s := &img.Sections[i]; s.Loaded && s.Name == name {
			return s
		}
	}
	return nil
}

func (img *Image) ksymtabEntsize(sec *Section) (uint64, error) {
	n := uint64(0)
	for i := range img.Symbols {
		if s := &img.Symbols[i]; int(s.Shndx) == sec.Index && strings.HasPrefix(s.Name, "__ksymtab_") {
			n++
		}
	}
	var entsize uint64
	switch {
	case n > 0 && sec.Size%n == 0:
		entsize = sec.Size / n
	case n == 0 && img.Machine == elf.EM_X86_64 && sec.Size%12 == 0:
		entsize = 12
	case n == 0 && sec.Size%24 == 0:
		entsize = 24
	}
	if entsize != 12 && entsize != 16 && entsize != 24 {
		return 0, fmt.Errorf("cannot tell the layout of struct kernel_symbol from %d bytes for %d __ksymtab_ symbols", sec.Size, n)
	}
	return entsize, nil
}

// kernelSymbol decodes the struct kernel_symbol at offset k of sec.
func (img *Image) kernelSymbol(sec *Section, k, entsize uint64) (symtab.Symbol, error) {
	e := sec.Data[k : k+entsize]
	p := sec.Addr + k
	var value, name, ns uint64
	if entsize == 12 {
		value = p + uint64(int64(int32(le.Uint32(e))))
		name = p + 4 + uint64(int64(int32(le.Uint32(e[4:]))))
		if off := int32(le.Uint32(e[8:])); off != 0 {
			ns = p + 8 + uint64(int64(off))
		}
	} else {
		value, name = le.Uint64(e), le.Uint64(e[8:])
		if entsize == 24 {
			ns = le.Uint64(e[16:])
		}
	}
	sym := symtab.Symbol{Addr: value}
	var err error
	if sym.Name, err = img.moduleString(name); err != nil || sym.Name == "" {
		return sym, fmt.Errorf("name pointer %#x is not a string inside the module", name)
	}
	if ns != 0 {
		if sym.Namespace, err = img.moduleString(ns); err != nil {
			return sym, fmt.Errorf("namespace pointer %#x is not a string inside the module", ns)
		}
	}
	if s := img.SectionAt(value); s != nil && s.Flags&elf.SHF_EXECINSTR != 0 {
		sym.Type = 'T'
	}
	return sym, nil
}

func (img *Image) moduleString(addr uint64) (string, error) {
	if !img.InModule(addr) {
		return "", fmt.Errorf("%#x is outside the module", addr)
	}
	return img.CString(addr)
}
