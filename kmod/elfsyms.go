package kmod

import (
	"debug/elf"
	"fmt"
	"strings"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/modversions"
	"github.com/golink/golink/symtab"
)

// VersionsError reports a __versions section kmod refuses: missing (its
// errno is ENOENT, the "No such file or directory" modprobe prints) or not
// a whole number of entries (EINVAL).
type VersionsError struct {
	File    string
	Missing bool
	Size    uint64
}

func (e *VersionsError) Error() string {
	if e.Missing {
		return fmt.Sprintf("%s: no __versions section", e.File)
	}
	return fmt.Sprintf("%s: __versions is %d bytes, not a multiple of %d", e.File, e.Size, modversions.EntrySize)
}

// Modversions returns a module's __versions entries as kmod's
// kmod_elf_get_modversions does (what modprobe --dump-modversions
// prints): the first section of that name whatever its flags, one leading
// '.' of a name dropped (ppc64's dot symbols). Errors are *VersionsError.
func Modversions(f *gelf.File) ([]modversions.Version, error) {
	i := f.SectionByName(modversions.SectionVersions, 0)
	if i == 0 {
		return nil, &VersionsError{File: f.Name, Missing: true}
	}
	b := f.Bytes(i)
	out, err := modversions.DecodeLoose(b)
	if err != nil {
		return nil, &VersionsError{File: f.Name, Size: uint64(len(b))}
	}
	for k := range out {
		out[k].Name = strings.TrimPrefix(out[k].Name, ".")
	}
	return out, nil
}

// DepSymbol is one symbol a module needs, as kmod lists them for depmod.
type DepSymbol struct {
	Name string
	CRC  uint64 // from __versions; 0 when the module has no entry for it
	Weak bool   // an STB_WEAK undefined symbol: depmod neither warns nor checks it
}

// DependencySymbols is kmod's kmod_elf_get_dependency_symbols: every named
// undefined symbol of the symbol table in order, with the CRC of the
// first __versions entry of that name, then the __versions entries no
// symbol matched (module_layout) in their order. A __versions section
// that is not a whole number of entries is ignored. A module without a
// symbol table has none.
func DependencySymbols(f *gelf.File) ([]DepSymbol, error) {
	var vers []modversions.Version
	if i := f.SectionByName(modversions.SectionVersions, 0); i != 0 {
		vers, _ = modversions.DecodeLoose(f.Bytes(i)) // ignored if not whole entries
	}
	type ventry struct {
		crc     uint64
		visited bool
	}
	byName := make(map[string]*ventry, len(vers))
	entries := make([]ventry, len(vers))
	for k, v := range vers {
		entries[k] = ventry{crc: v.CRC}
		if _, dup := byName[v.Name]; !dup {
			byName[v.Name] = &entries[k]
		}
	}
	var out []DepSymbol
	if f.Symtab == 0 {
		return nil, nil
	}
	t, err := f.SymTab(f.Symtab)
	if err != nil {
		return nil, err
	}
	for i := 1; i < t.Len(); i++ {
		s := t.Sym(i)
		if elf.SectionIndex(s.Shndx) != elf.SHN_UNDEF {
			continue
		}
		name := t.NameBytes(i)
		if len(name) == 0 {
			continue
		}
		d := DepSymbol{Name: string(name), Weak: elf.ST_BIND(s.Info) == elf.STB_WEAK}
		if v := byName[d.Name]; v != nil {
			d.CRC = v.crc
			v.visited = true
		}
		out = append(out, d)
	}
	for k := range entries {
		if !entries[k].visited {
			out = append(out, DepSymbol{Name: vers[k].Name, CRC: entries[k].crc})
		}
	}
	return out, nil
}

// ExportSymbol is one symbol a module provides, as depmod sees it.
type ExportSymbol struct {
	Name string
	CRC  uint64
}

// ExportedSymbols is kmod's kmod_elf_get_symbols: the module's __crc_
// symbols in symbol-table order with their CRCs (symtab.ReadCRCs), or,
// for a module without any, the strings of __ksymtab_strings with CRC 0.
func ExportedSymbols(f *gelf.File) ([]ExportSymbol, error) {
	crcs, err := symtab.ReadCRCs(f)
	if err == nil && len(crcs) > 0 {
		out := make([]ExportSymbol, len(crcs))
		for i, c := range crcs {
			out[i] = ExportSymbol{Name: c.Name, CRC: c.CRC}
		}
		return out, nil
	}
	var out []ExportSymbol
	for _, s := range symtab.KsymtabStrings(f) {
		out = append(out, ExportSymbol{Name: s})
	}
	return out, nil
}
