package linked

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Export is one entry of the module's __ksymtab or __ksymtab_gpl.
type Export struct {
	Name  string
	Value uint64
	GPL   bool
}

// Exports decodes __ksymtab and __ksymtab_gpl from the image's memory.
// On x86_64 an entry is the place-relative struct kernel_symbol: three s32
// offsets, value, name and namespace, 12 bytes; the entry size is the
// section size over its number of __ksymtab_<name> symbols when it has
// them.
func (f *File) Exports() ([]Export, error) {
	var out []Export
	for _, tab := range []string{"__ksymtab", "__ksymtab_gpl"} {
		s := f.Section(tab)
		if s == nil || s.Size == 0 {
			continue
		}
		n := 0
		for i := range f.Symbols {
			if int(f.Symbols[i].Shndx) == s.Index && strings.HasPrefix(f.Symbols[i].Name, "__ksymtab_") {
				n++
			}
		}
		entsize := uint64(12)
		if n > 0 && s.Size%uint64(n) == 0 {
			entsize = s.Size / uint64(n)
		}
		if entsize != 12 {
			return nil, &FormatError{f.Path, fmt.Sprintf("%s: %d-byte entries; only the place-relative 12-byte layout is read", tab, entsize)}
		}
		data, err := f.Slice(s.Addr, s.Size)
		if err != nil {
			return nil, &FormatError{f.Path, tab + ": " + err.Error()}
		}
		for k := uint64(0); k+12 <= s.Size; k += 12 {
			p := s.Addr + k
			value := p + uint64(int64(int32(binary.LittleEndian.Uint32(data[k:]))))
			nameAddr := p + 4 + uint64(int64(int32(binary.LittleEndian.Uint32(data[k+4:]))))
			name, err := f.cstring(nameAddr)
			if err != nil {
				return nil, &FormatError{f.Path, fmt.Sprintf("%s+%#x: name: %v", tab, k, err)}
			}
			out = append(out, Export{Name: name, Value: value, GPL: tab == "__ksymtab_gpl"})
		}
	}
	return out, nil
}

func (f *File) cstring(addr uint64) (string, error) {
	var sb strings.Builder
	var c [1]byte
	for i := 0; i < 512; i++ {
		if err := f.ReadAt(c[:], addr+uint64(i)); err != nil {
			return "", err
		}
		if c[0] == 0 {
			return sb.String(), nil
		}
		sb.WriteByte(c[0])
	}
	return "", fmt.Errorf("no NUL within 512 bytes at %#x", addr)
}
