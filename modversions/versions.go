package modversions

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"

	gelf "github.com/golink/golink/elf"
)

// Layout of struct modversion_info on 64-bit kernels.
const (
	EntrySize = 64 // sizeof(struct modversion_info)
	NameLen   = 56 // MODULE_NAME_LEN: 64 - sizeof(unsigned long)
)

// Section names.
const (
	SectionVersions = "__versions"
	SectionExtCRCs  = "__version_ext_crcs"
	SectionExtNames = "__version_ext_names"
)

// ModuleLayout is the symbol every module built with modversions imports
// (modpost adds it) and whose CRC covers struct module and friends; a
// mismatch refuses the module with -ENOEXEC before anything else is
// checked.
const ModuleLayout = "module_layout"

// Version is one imported symbol and the CRC the module was built against.
type Version struct {
	Name string
	CRC  uint64 // unsigned long in __versions; the upper 32 bits are zero in kernels' output
}

// FormatError reports a malformed versions section.
type FormatError struct {
	Section string // __versions, __version_ext_crcs or __version_ext_names
	Offset  int64  // byte offset inside the section, or -1
	Msg     string
}

func (e *FormatError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%s+%#x: %s", e.Section, e.Offset, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Section, e.Msg)
}

var le = binary.LittleEndian

// Decode decodes the contents of a __versions section. Its size must be a
// whole number of 64-byte entries (kmod's rule: the kernel instead ignores
// a partial tail, which a caller gets with Decode(b[:len(b)/EntrySize*EntrySize]))
// and every name must end with a NUL inside its 56 bytes. Errors are
// *FormatError values.
func Decode(b []byte) ([]Version, error) {
	if len(b)%EntrySize != 0 {
		return nil, &FormatError{Section: SectionVersions, Offset: -1,
			Msg: fmt.Sprintf("size %d is not a multiple of %d", len(b), EntrySize)}
	}
	out := make([]Version, len(b)/EntrySize)
	for i := range out {
		e := b[i*EntrySize : (i+1)*EntrySize]
		name := e[8:]
		n := bytes.IndexByte(name, 0)
		if n < 0 {
			return nil, &FormatError{Section: SectionVersions, Offset: int64(i*EntrySize + 8),
				Msg: fmt.Sprintf("entry %d: name is not NUL-terminated within %d bytes", i, NameLen)}
		}
		out[i] = Version{Name: string(name[:n]), CRC: le.Uint64(e)}
	}
	return out, nil
}

// DecodeLoose decodes the contents of a __versions section as kmod reads
// it (libkmod-elf.c, kmod_elf_get_modversions and
// kmod_elf_get_dependency_symbols): the size must be a whole number of
// entries, as for Decode, but each name is a C string that runs from its
// entry's name field to the first NUL, which may lie beyond the field's
// NameLen bytes, in the entries after it (or, with none, end at the end of
// the section). Errors are *FormatError values.
func DecodeLoose(b []byte) ([]Version, error) {
	if len(b)%EntrySize != 0 {
		return nil, &FormatError{Section: SectionVersions, Offset: -1,
			Msg: fmt.Sprintf("size %d is not a multiple of %d", len(b), EntrySize)}
	}
	out := make([]Version, len(b)/EntrySize)
	for i := range out {
		e := b[i*EntrySize:]
		name := e[8:]
		if n := bytes.IndexByte(name, 0); n >= 0 {
			name = name[:n]
		}
		out[i] = Version{Name: string(name), CRC: le.Uint64(e)}
	}
	return out, nil
}

// Encode is the inverse of Decode: it lays versions out as a __versions
// section. A name of NameLen bytes or more is refused, as modpost does
// ("too long symbol").
func Encode(vs []Version) ([]byte, error) {
	out := make([]byte, len(vs)*EntrySize)
	for i, v := range vs {
		if len(v.Name) >= NameLen {
			return nil, fmt.Errorf("modversions: %s: too long symbol (%d bytes, at most %d)", v.Name, len(v.Name), NameLen-1)
		}
		e := out[i*EntrySize:]
		le.PutUint64(e, v.CRC)
		copy(e[8:], v.Name)
	}
	return out, nil
}

// DecodeExtended decodes the extended modversions pair: a packed array of
// little-endian u32 CRCs and, in the same order, their NUL-terminated
// names. It fails as the kernel's elf_validity_cache_index_versions does
// when a CRC has no complete name ("more extended version crcs than
// names"); names beyond the last CRC are ignored. Errors are *FormatError.
func DecodeExtended(crcs, names []byte) ([]Version, error) {
	if len(crcs)%4 != 0 {
		return nil, &FormatError{Section: SectionExtCRCs, Offset: -1,
			Msg: fmt.Sprintf("size %d is not a multiple of 4", len(crcs))}
	}
	out := make([]Version, len(crcs)/4)
	off := 0
	for i := range out {
		n := bytes.IndexByte(names[off:], 0)
		if n < 0 {
			return nil, &FormatError{Section: SectionExtNames, Offset: int64(off), Msg: "more extended version crcs than names"}
		}
		out[i] = Version{Name: string(names[off : off+n]), CRC: uint64(le.Uint32(crcs[i*4:]))}
		off += n + 1
	}
	return out, nil
}

// Versions is what one module declares about the symbols it imports.
type Versions struct {
	Basic    []Version // __versions
	HasBasic bool      // the module has a __versions section (the kernel's versions index is non-zero)
	Ext      []Version // the extended pair
	HasExt   bool      // the module has both extended sections

	index map[string]int // first entry of each name, built by Read
}

// HasCRCs reports whether the module counts as built with modversions for
// same_magic: it has a __versions section.
func (v *Versions) HasCRCs() bool { return v != nil && v.HasBasic }

// present reports whether check_version has anything to look in.
func (v *Versions) present() bool { return v != nil && (v.HasBasic || v.HasExt) }

// Read finds and decodes a module's versions sections as the kernel's
// loader does: only sections with SHF_ALLOC count (find_sec), so a
// __versions whose SHF_ALLOC was cleared (kmod's --force-modversion on the
// legacy path) is absent; a partial trailing __versions entry is ignored;
// exactly one of the two extended sections is an error. With
// ignoreModversions (finit_module's MODULE_INIT_IGNORE_MODVERSIONS) the
// module has no versions at all. Errors are *FormatError values.
func Read(f *gelf.File, ignoreModversions bool) (*Versions, error) {
	v := &Versions{}
	if ignoreModversions {
		return v, nil
	}
	if i := f.SectionByName(SectionVersions, elf.SHF_ALLOC); i != 0 {
		b := f.Bytes(i)
		vs, err := Decode(b[:len(b)/EntrySize*EntrySize])
		if err != nil {
			return nil, err
		}
		v.Basic, v.HasBasic = vs, true
	}
	ci := f.SectionByName(SectionExtCRCs, elf.SHF_ALLOC)
	ni := f.SectionByName(SectionExtNames, elf.SHF_ALLOC)
	if (ci == 0) != (ni == 0) {
		return nil, &FormatError{Section: SectionExtCRCs, Offset: -1, Msg: "extended version crc+name presence does not match"}
	}
	if ci != 0 {
		vs, err := DecodeExtended(f.Bytes(ci), f.Bytes(ni))
		if err != nil {
			return nil, err
		}
		v.Ext, v.HasExt = vs, true
	}
	v.buildIndex()
	return v, nil
}

// buildIndex maps each name to its first entry in the table Find consults,
// so that checking every import of a module is not quadratic.
func (v *Versions) buildIndex() {
	tab := v.Basic
	if v.HasExt {
		tab = v.Ext
	}
	v.index = make(map[string]int, len(tab))
	for i := len(tab) - 1; i >= 0; i-- {
		v.index[tab[i].Name] = i
	}
}

// Find returns the entry check_version would use for symbol: the first
// one with that name, in the extended table when the module has one, else
// in __versions.
func (v *Versions) Find(symbol string) (Version, bool) {
	if v == nil {
		return Version{}, false
	}
	tab := v.Basic
	if v.HasExt {
		tab = v.Ext
	}
	if v.index != nil {
		if i, ok := v.index[symbol]; ok && i < len(tab) {
			return tab[i], true
		}
		return Version{}, false
	}
	for _, e := range tab {
		if e.Name == symbol {
			return e, true
		}
	}
	return Version{}, false
}
