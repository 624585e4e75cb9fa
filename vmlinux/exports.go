package vmlinux

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/symtab"
)

// Export is one entry of the kernel's __ksymtab or __ksymtab_gpl: what
// Module.symvers says of it (Module "vmlinux"), and its address.
type Export struct {
	symtab.SymversEntry
	Addr uint64
}

// ExportError is an export table Exports cannot read.
type ExportError struct {
	Table string
	Msg   string
}

func (e *ExportError) Error() string { return "vmlinux: " + e.Table + ": " + e.Msg }

// Exports reads the kernel's exports from its image: each
// place-relative struct kernel_symbol of __ksymtab and __ksymtab_gpl (three
// s32 offsets, to the value, the name and the namespace, 12 bytes), its
// name and namespace from __ksymtab_strings, its CRC from the parallel
// __kcrctab or __kcrctab_gpl (one u32 per entry). A kernel without
// exports gives none; errors are *ExportError values.
func Exports(f *gelf.File) ([]Export, error) {
	var out []Export
	for _, t := range [...]struct {
		tab, crc string
		gpl      bool
	}{{"__ksymtab", "__kcrctab", false}, {"__ksymtab_gpl", "__kcrctab_gpl", true}} {
		i := f.SectionByName(t.tab, 0)
		if i == 0 {
			continue
		}
		sec, data := &f.Sections[i], f.Bytes(i)
		if len(data)%12 != 0 {
			return nil, &ExportError{t.tab, fmt.Sprintf("%d bytes, not whole 12-byte entries", len(data))}
		}
		var crcs []byte
		if c := f.SectionByName(t.crc, 0); c != 0 {
			crcs = f.Bytes(c)
			if len(crcs) != len(data)/12*4 {
				return nil, &ExportError{t.crc, fmt.Sprintf("%d CRCs for %d entries of %s", len(crcs)/4, len(data)/12, t.tab)}
			}
		}
		for k := 0; k+12 <= len(data); k += 12 {
			P := sec.Addr + uint64(k)
			rel := func(n int) uint64 {
				return P + uint64(n) + uint64(int64(int32(binary.LittleEndian.Uint32(data[k+n:]))))
			}
			e := Export{Addr: rel(0)}
			e.Module, e.GPLOnly = "vmlinux", t.gpl
			var err error
			if e.Name, err = stringAt(f, rel(4)); err != nil || e.Name == "" {
				return nil, &ExportError{t.tab, fmt.Sprintf("entry %d: name: %v", k/12, err)}
			}
			if binary.LittleEndian.Uint32(data[k+8:]) != 0 {
				if e.Namespace, err = stringAt(f, rel(8)); err != nil {
					return nil, &ExportError{t.tab, fmt.Sprintf("entry %d (%s): namespace: %v", k/12, e.Name, err)}
				}
			}
			if crcs != nil {
				e.CRC = binary.LittleEndian.Uint32(crcs[k/12*4:])
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// stringAt reads the NUL-terminated string at addr, in the section of the
// image that holds it.
func stringAt(f *gelf.File, addr uint64) (string, error) {
	for i := 1; i < len(f.Sections); i++ {
		s := &f.Sections[i]
		if s.Flags&elf.SHF_ALLOC == 0 || s.Type == elf.SHT_NOBITS || addr < s.Addr || addr-s.Addr >= s.Size {
			continue
		}
		b := f.Bytes(i)[addr-s.Addr:]
		n := bytes.IndexByte(b, 0)
		if n < 0 {
			return "", fmt.Errorf("the string at %#x runs off the end of %s", addr, s.Name)
		}
		return string(b[:n]), nil
	}
	return "", fmt.Errorf("%#x is in no section with contents", addr)
}
