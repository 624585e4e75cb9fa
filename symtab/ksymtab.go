package symtab

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	gelf "github.com/golink/golink/elf"
)

// Prefixes of the symbols that describe an unlinked module's exports
// (include/linux/export.h and export-internal.h, 6.1): __ksymtab_<sym>
// labels the struct kernel_symbol entry in __ksymtab or __ksymtab_gpl,
// __crc_<sym> its CRC in __kcrctab or __kcrctab_gpl, __kstrtab_<sym> and
// __kstrtabns_<sym> its name and namespace in __ksymtab_strings.
const (
	KsymtabPrefix   = "__ksymtab_"
	CRCPrefix       = "__crc_"
	KstrtabPrefix   = "__kstrtab_"
	KstrtabnsPrefix = "__kstrtabns_"
)

// ExportError reports an export table of an unlinked module that cannot be
// read.
type ExportError struct {
	File   string
	Symbol string // the export, or "" for the table as a whole
	Msg    string
}

func (e *ExportError) Error() string {
	if e.Symbol != "" {
		return fmt.Sprintf("%s: export %s: %s", e.File, e.Symbol, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// CRC is one __crc_<sym> symbol of a module, read as kmod's
// kmod_elf_resolve_crc reads it.
type CRC struct {
	Name string      // the exported symbol, without the __crc_ prefix
	CRC  uint64      // the CRC; ^uint64(0) when it points outside its section (kmod's value for that case)
	Bind elf.SymBind // the __crc_ symbol's binding
}

// ReadCRCs returns the module's __crc_<sym> symbols in symbol-table order,
// each CRC read both ways kmod knows: a symbol in SHN_ABS or SHN_UNDEF
// carries the CRC as its value (kernels before 5.19); any other is a label
// on a 4-byte CRC inside its section, __kcrctab or __kcrctab_gpl (6.1).
// A file without a symbol table has none.
func ReadCRCs(f *gelf.File) ([]CRC, error) {
	var out []CRC
	err := scanSymbols(f, func(name []byte, s *rawSym) {
		if !bytes.HasPrefix(name, []byte(CRCPrefix)) {
			return
		}
		out = append(out, CRC{Name: string(name[len(CRCPrefix):]), CRC: resolveCRC(f, s.value, s.shndx), Bind: elf.ST_BIND(s.info)})
	})
	return out, err
}

// resolveCRC is kmod_elf_resolve_crc.
func resolveCRC(f *gelf.File, value uint64, shndx elf.SectionIndex) uint64 {
	if shndx == elf.SHN_ABS || shndx == elf.SHN_UNDEF {
		return value
	}
	if int(shndx) >= len(f.Sections) {
		return ^uint64(0)
	}
	sec := &f.Sections[shndx]
	if sec.Size < 4 || value > sec.Size-4 || sec.Type == elf.SHT_NOBITS {
		return ^uint64(0)
	}
	return uint64(binary.LittleEndian.Uint32(f.Data[sec.Offset+value:]))
}

// rawSym is the part of an Elf64_Sym the scanners look at.
type rawSym struct {
	index int
	info  byte
	shndx elf.SectionIndex
	value uint64
}

// scanSymbols calls fn for every named symbol of f's symbol table (entry 0
// skipped), with its name as a slice of the string table (valid only during
// the call). It allocates nothing: a module's table has thousands of
// entries and depmod reads four thousand modules.
func scanSymbols(f *gelf.File, fn func(name []byte, s *rawSym)) error {
	if f.Symtab == 0 {
		return nil
	}
	t, err := f.SymTab(f.Symtab)
	if err != nil {
		return err
	}
	var rs rawSym // one for the whole scan: fn may keep no pointer to it
	for i := 1; i < t.Len(); i++ {
		name := t.NameBytes(i)
		if len(name) == 0 {
			continue
		}
		s := t.Sym(i)
		rs = rawSym{index: i, info: s.Info, shndx: elf.SectionIndex(s.Shndx), value: s.Value}
		fn(name, &rs)
	}
	return nil
}

// KsymtabStrings returns the non-empty strings of the module's
// __ksymtab_strings section in order: kmod's fallback list of exports for
// a module without __crc_ symbols (one built without modversions). Since
// 5.4 the section also holds the namespaces, so the list may contain them.
func KsymtabStrings(f *gelf.File) []string {
	i := f.SectionByName("__ksymtab_strings", 0)
	if i == 0 {
		return nil
	}
	var out []string
	for _, s := range bytes.Split(f.Bytes(i), []byte{0}) {
		if len(s) > 0 {
			out = append(out, string(s))
		}
	}
	return out
}

// ModuleExports returns the symbols an unlinked module exports, as
// modpost and the kernel see them: one per __ksymtab_<sym> symbol that
// labels an entry of __ksymtab (GPLOnly false) or __ksymtab_gpl (GPLOnly
// true), sorted by name, with Owner set to owner. Each carries its
// namespace, read through the relocation of the entry's namespace field
// (the __kstrtabns_<sym> string; "" for none), and its CRC from
// __crc_<sym> when the module has one. Addr is the offset of the exported
// object inside its section (the module is not laid out yet) and Type its
// nm letter.
//
// Both layouts of struct kernel_symbol are understood: three place-relative
// int32 fields (12 bytes, x86_64 and most 64-bit arches) and three
// pointers (24 bytes; 16 before 5.4, without a namespace). Errors are
// *ExportError or *elf.FormatError values.
func ModuleExports(f *gelf.File, owner string) ([]Symbol, error) {
	if f.Symtab == 0 {
		return nil, nil
	}
	syms, err := f.Symbols(f.Symtab)
	if err != nil {
		return nil, err
	}
	type table struct {
		gpl     bool
		entries []int // symbol indexes of __ksymtab_<sym>
		relas   []gelf.Rela
	}
	tabs := map[int]*table{}
	crcs := map[string]uint64{}
	for i := 1; i < len(syms); i++ {
		s := &syms[i]
		switch {
		case strings.HasPrefix(s.Name, KsymtabPrefix):
			sec := int(s.Shndx)
			if sec <= 0 || sec >= len(f.Sections) {
				continue
			}
			name := f.Sections[sec].Name
			if name != "__ksymtab" && name != "__ksymtab_gpl" {
				continue // __ksymtab_strings and friends are not exports
			}
			t := tabs[sec]
			if t == nil {
				t = &table{gpl: name == "__ksymtab_gpl"}
				tabs[sec] = t
			}
			t.entries = append(t.entries, i)
		case strings.HasPrefix(s.Name, CRCPrefix):
			crcs[s.Name[len(CRCPrefix):]] = resolveCRC(f, s.Value, s.Shndx)
		}
	}
	for i := range f.Sections {
		r := &f.Sections[i]
		if r.Type != elf.SHT_RELA && r.Type != elf.SHT_REL {
			continue
		}
		if t := tabs[int(r.Info)]; t != nil && int(r.Link) == f.Symtab {
			relas, err := f.Relas(i, len(syms))
			if err != nil {
				return nil, err
			}
			t.relas = append(t.relas, relas...)
		}
	}
	var out []Symbol
	for sec, t := range tabs {
		size := f.Sections[sec].Size
		n := uint64(len(t.entries))
		entsize := size / n
		if size%n != 0 || (entsize != 12 && entsize != 16 && entsize != 24) {
			return nil, &ExportError{File: f.Name, Msg: fmt.Sprintf("%s: %d bytes for %d %s symbols: not a known struct kernel_symbol layout",
				f.Sections[sec].Name, size, n, KsymtabPrefix)}
		}
		relAt := make(map[uint64]gelf.Rela, len(t.relas))
		for _, r := range t.relas {
			relAt[r.Off] = r
		}
		for _, si := range t.entries {
			ks := &syms[si]
			name := ks.Name[len(KsymtabPrefix):]
			if ks.Value%entsize != 0 || ks.Value+entsize > size {
				return nil, &ExportError{File: f.Name, Symbol: name, Msg: fmt.Sprintf("%s%s at %#x is not an entry of %s", KsymtabPrefix, name, ks.Value, f.Sections[sec].Name)}
			}
			sym := Symbol{Name: name, GPLOnly: t.gpl, Owner: owner}
			valueField, nsField := ks.Value, ks.Value+8
			if entsize != 12 {
				nsField = ks.Value + 16
			}
			if r, ok := relAt[valueField]; ok {
				if v := &syms[r.Sym()]; v.Shndx != elf.SHN_UNDEF && int(v.Shndx) < len(f.Sections) {
					sym.Addr = uint64(int64(v.Value) + r.Addend)
					sym.Type = exportType(&f.Sections[v.Shndx])
				}
			}
			if entsize != 16 {
				if r, ok := relAt[nsField]; ok {
					ns, err := relocString(f, syms, r)
					if err != nil {
						return nil, &ExportError{File: f.Name, Symbol: name, Msg: "namespace: " + err.Error()}
					}
					sym.Namespace = ns
				}
			}
			if c, ok := crcs[name]; ok {
				sym.CRC, sym.HasCRC = uint32(c), c <= 0xffffffff
			}
			out = append(out, sym)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// relocString returns the NUL-terminated string a relocation points at:
// S + A, inside S's section.
func relocString(f *gelf.File, syms []gelf.Symbol, r gelf.Rela) (string, error) {
	s := &syms[r.Sym()]
	if s.Shndx == elf.SHN_UNDEF || int(s.Shndx) >= len(f.Sections) {
		return "", fmt.Errorf("relocation against %q, which is not in a section of the module", s.Name)
	}
	data := f.Bytes(int(s.Shndx))
	off := int64(s.Value) + r.Addend
	if off < 0 || off >= int64(len(data)) {
		return "", fmt.Errorf("points at %#x, outside %s", off, f.Sections[s.Shndx].Name)
	}
	b := data[off:]
	n := bytes.IndexByte(b, 0)
	if n < 0 {
		return "", fmt.Errorf("string at %s+%#x is not NUL-terminated", f.Sections[s.Shndx].Name, off)
	}
	return string(b[:n]), nil
}

// exportType is the nm letter of an exported object in sec (exports are
// global, so upper case).
func exportType(sec *gelf.Section) byte {
	switch {
	case sec.Flags&elf.SHF_EXECINSTR != 0:
		return 'T'
	case sec.Type == elf.SHT_NOBITS:
		return 'B'
	case sec.Flags&elf.SHF_WRITE != 0:
		return 'D'
	}
	return 'R'
}
