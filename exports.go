package golink

import (
	"bytes"
	"debug/elf"
	"fmt"
	"strings"

	"github.com/golink/golink/reloc"
	"github.com/golink/golink/symtab"
)

// readExports decodes the module's __ksymtab and __ksymtab_gpl from the
// relocated image, as find_symbol reads them, with the CRC of each entry
// from the parallel __kcrctab/__kcrctab_gpl.
//
// Two layouts of struct kernel_symbol exist: the place-relative one of
// CONFIG_HAVE_ARCH_PREL32_RELOCATIONS (x86_64 since 4.19: three s32 offsets,
// 12 bytes) and the absolute one (pointers: value, name and, since 5.4,
// namespace; 16 or 24 bytes on 64-bit). The entry size is the section size
// divided by the number of __ksymtab_<name> symbols in it; without such
// symbols the layout is the arch's usual one.
func (m *Module) readExports(img *Image) ([]symtab.Symbol, error) {
	var out []symtab.Symbol
	for _, t := range []struct {
		tab, crc string
		gpl      bool
	}{{"__ksymtab", "__kcrctab", false}, {"__ksymtab_gpl", "__kcrctab_gpl", true}} {
		i := findSec(img.rm.Sections, t.tab)
		if i == 0 {
			continue
		}
		sec := img.rm.Sections[i]
		if sec.Size == 0 {
			continue
		}
		n := 0
		for k := range m.Symbols {
			if int(m.Symbols[k].Shndx) == i && strings.HasPrefix(m.Symbols[k].Name, "__ksymtab_") {
				n++
			}
		}
		entsize := uint64(0)
		if n > 0 && sec.Size%uint64(n) == 0 {
			entsize = sec.Size / uint64(n)
		} else if m.File.Machine == elf.EM_X86_64 && sec.Size%12 == 0 {
			entsize = 12
		} else if sec.Size%24 == 0 {
			entsize = 24
		}
		if entsize != 12 && entsize != 16 && entsize != 24 {
			return nil, kernelErr(0, fmt.Sprintf("%d bytes for %d __ksymtab_ symbols", sec.Size, n),
				"%s: cannot tell the layout of %s", m.Name, t.tab)
		}
		var crcs []byte
		if c := findSec(img.rm.Sections, t.crc); c != 0 {
			crcs = img.rm.Sections[c].Data
		}
		for k := uint64(0); k+entsize <= sec.Size; k += entsize {
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
			sym := symtab.Symbol{Addr: value, GPLOnly: t.gpl, Owner: m.Name}
			var ok bool
			if sym.Name, ok = img.cstring(name); !ok || sym.Name == "" {
				return nil, kernelErr(0, "", "%s: %s entry %d: name pointer %#x is not inside the module", m.Name, t.tab, k/entsize, name)
			}
			if ns != 0 {
				if sym.Namespace, ok = img.cstring(ns); !ok {
					return nil, kernelErr(0, "", "%s: %s entry %d: namespace pointer %#x is not inside the module", m.Name, t.tab, k/entsize, ns)
				}
			}
			if j := k / entsize * 4; crcs != nil && j+4 <= uint64(len(crcs)) {
				sym.CRC, sym.HasCRC = le.Uint32(crcs[j:]), true
			}
			if tsec := img.sectionAt(value); tsec != nil && tsec.Flags&elf.SHF_EXECINSTR != 0 {
				sym.Type = 'T'
			}
			out = append(out, sym)
		}
	}
	return out, nil
}

// sectionAt returns the loaded section containing addr, or nil.
func (img *Image) sectionAt(addr uint64) *reloc.Section {
	for _, s := range img.rm.Sections {
		if s.Loaded && addr-s.Addr < s.Size {
			return s
		}
	}
	return nil
}

// cstring reads the NUL-terminated string at addr in module memory.
func (img *Image) cstring(addr uint64) (string, bool) {
	s := img.sectionAt(addr)
	if s == nil {
		return "", false
	}
	b := s.Data[addr-s.Addr:]
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", false
	}
	return string(b[:i]), true
}
