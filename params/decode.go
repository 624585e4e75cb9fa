package params

import (
	"bytes"
	"debug/elf"
	"fmt"
	"sort"

	gelf "github.com/golink/golink/elf"
)

// DecodeError is a __param entry, or a structure it points at, that cannot
// be read.
type DecodeError struct {
	File  string
	Entry int    // index in __param, -1 for the table itself
	Field string // "name", "ops", "arg", "kparam_array.num", ...
	Msg   string
}

func (e *DecodeError) Error() string {
	if e.Entry < 0 {
		return fmt.Sprintf("%s: __param: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s: __param[%d].%s: %s", e.File, e.Entry, e.Field, e.Msg)
}

// pointerRelocs are the relocation types that fill a 64-bit pointer in
// data: R_X86_64_64 and R_IA64_DIR64LSB.
var pointerRelocs = map[elf.Machine]uint32{
	elf.EM_X86_64: uint32(elf.R_X86_64_64),
	elf.EM_IA_64:  0x27,
}

type objReloc struct {
	gelf.Rela
	rel bool
}

// objDecoder reads structures of a relocatable object through its
// relocations.
type objDecoder struct {
	f      *gelf.File
	syms   []gelf.Symbol
	relocs map[int]map[uint64]objReloc // target section → offset → relocation
	ptr    uint32
	entry  int
}

// Decode reads the __param table of the relocatable module f: every entry
// with its name, ops (and so kind), permission, level, flags and where its
// value lives, following the relocations that fill the pointers; array and
// string parameters also get their struct kparam_array or kparam_string
// read. Refs carry symbol, section and offset; Addr is 0 until Locate.
// A module without __param has no parameters (nil, nil). Errors are
// *DecodeError values.
func Decode(f *gelf.File) ([]Param, error) {
	sec := f.SectionByName("__param", elf.SHF_ALLOC)
	if sec == 0 {
		return nil, nil
	}
	d := &objDecoder{f: f, entry: -1}
	var ok bool
	if d.ptr, ok = pointerRelocs[f.Machine]; !ok {
		return nil, d.err("", "no pointer relocation known for %v", f.Machine)
	}
	if f.Symtab == 0 {
		return nil, d.err("", "module has no symbol table")
	}
	var err error
	if d.syms, err = f.Symbols(f.Symtab); err != nil {
		return nil, err
	}
	if err := d.indexRelocs(); err != nil {
		return nil, err
	}
	s := &f.Sections[sec]
	if s.Type == elf.SHT_NOBITS {
		return nil, d.err("", "__param is SHT_NOBITS")
	}
	data := f.Bytes(sec)
	n := len(data) / KernelParamSize // the kernel ignores a partial tail
	out := make([]Param, 0, n)
	for k := 0; k < n; k++ {
		d.entry = k
		p, err := d.param(sec, uint64(k*KernelParamSize), data[k*KernelParamSize:])
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (d *objDecoder) err(field, format string, args ...any) *DecodeError {
	return &DecodeError{File: d.f.Name, Entry: d.entry, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (d *objDecoder) indexRelocs() error {
	d.relocs = map[int]map[uint64]objReloc{}
	for i := 1; i < len(d.f.Sections); i++ {
		s := &d.f.Sections[i]
		if (s.Type != elf.SHT_RELA && s.Type != elf.SHT_REL) || int(s.Link) != d.f.Symtab {
			continue
		}
		rs, err := d.f.Relas(i, len(d.syms))
		if err != nil {
			return err
		}
		t := int(s.Info)
		m := d.relocs[t]
		if m == nil {
			m = map[uint64]objReloc{}
			d.relocs[t] = m
		}
		for _, r := range rs {
			m[r.Off] = objReloc{r, s.Type == elf.SHT_REL}
		}
	}
	return nil
}

// ref decodes the pointer at offset off of section sec (raw holds its 8
// bytes as stored in the object).
func (d *objDecoder) ref(field string, sec int, off uint64, raw []byte) (Ref, error) {
	r, ok := d.relocs[sec][off]
	if !ok {
		v := le.Uint64(raw)
		if v == 0 {
			return Ref{Null: true}, nil
		}
		return Ref{Addr: v}, nil // an absolute pointer, no relocation
	}
	if r.Type() != d.ptr {
		return Ref{}, d.err(field, "relocation type %d, want a 64-bit pointer (%d)", r.Type(), d.ptr)
	}
	if r.rel { // SHT_REL: the addend is in place
		r.Addend = int64(le.Uint64(raw))
	}
	sym := &d.syms[r.Sym()]
	ref := Ref{Sym: sym.Name, SymIndex: int(r.Sym()), Addend: r.Addend}
	if sym.Type() == elf.STT_SECTION && int(sym.Shndx) < len(d.f.Sections) {
		ref.Sym = d.f.Sections[sym.Shndx].Name
	}
	if sym.Shndx != elf.SHN_UNDEF && sym.Shndx < elf.SHN_LORESERVE {
		if int(sym.Shndx) >= len(d.f.Sections) {
			return Ref{}, d.err(field, "symbol %s in section %d of %d", sym.Name, sym.Shndx, len(d.f.Sections))
		}
		ref.Section = int(sym.Shndx)
		ref.Off = sym.Value + uint64(r.Addend)
	}
	return ref, nil
}

// bytesAt returns n bytes of the target of ref.
func (d *objDecoder) bytesAt(field string, ref Ref, n uint64) ([]byte, error) {
	if ref.Section == 0 {
		return nil, d.err(field, "points outside the module (%s%+d)", ref.Sym, ref.Addend)
	}
	s := &d.f.Sections[ref.Section]
	b := d.f.Bytes(ref.Section)
	if b == nil {
		return nil, d.err(field, "points into %s, which has no contents in the file (%v)", s.Name, s.Type)
	}
	if ref.Off > uint64(len(b)) || n > uint64(len(b))-ref.Off {
		return nil, d.err(field, "%s+%#x: %d bytes beyond the section's %#x", s.Name, ref.Off, n, len(b))
	}
	return b[ref.Off : ref.Off+n], nil
}

func (d *objDecoder) cstring(field string, ref Ref) (string, error) {
	if ref.Null {
		return "", d.err(field, "NULL")
	}
	if _, err := d.bytesAt(field, ref, 0); err != nil {
		return "", err
	}
	rest := d.f.Bytes(ref.Section)[ref.Off:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return "", d.err(field, "string at %s+%#x is not NUL-terminated", d.f.Sections[ref.Section].Name, ref.Off)
	}
	return string(rest[:i]), nil
}

func (d *objDecoder) param(sec int, off uint64, e []byte) (Param, error) {
	p := Param{InParamTable: true, Perm: le.Uint16(e[kpPerm:]), Level: int8(e[kpLevel]), Flags: e[kpFlags]}
	nameRef, err := d.ref("name", sec, off+kpName, e[kpName:])
	if err != nil {
		return p, err
	}
	if p.Name, err = d.cstring("name", nameRef); err != nil {
		return p, err
	}
	ops, err := d.ref("ops", sec, off+kpOps, e[kpOps:])
	if err != nil {
		return p, err
	}
	if p.Arg, err = d.ref("arg", sec, off+kpArg, e[kpArg:]); err != nil {
		return p, err
	}
	p.Var = p.Arg
	if ops.Null {
		return p, d.err("ops", "NULL ops for parameter %s", p.Name)
	}
	if ops.Section != 0 {
		return p, d.custom(&p, ops)
	}
	p.Ops = ops.Sym
	switch {
	case ops.Sym == OpsArray:
		p.Array = true
		return p, d.array(&p)
	case ops.Sym == OpsString:
		p.Kind = String
		b, err := d.bytesAt("kparam_string", p.Arg, kparamStringSize)
		if err != nil {
			return p, err
		}
		p.MaxLen = le.Uint32(b)
		if p.Var, err = d.ref("kparam_string.string", p.Arg.Section, p.Arg.Off+8, b[8:]); err != nil {
			return p, err
		}
	default:
		p.Kind = KindOfOps(ops.Sym)
	}
	if p.Kind.noarg() {
		p.OpsFlags = KERNEL_PARAM_OPS_FL_NOARG
	}
	return p, nil
}

// array reads the struct kparam_array arg points at.
func (d *objDecoder) array(p *Param) error {
	b, err := d.bytesAt("kparam_array", p.Arg, kparamArraySize)
	if err != nil {
		return err
	}
	p.Max, p.ElemSize = le.Uint32(b), le.Uint32(b[4:])
	sec, off := p.Arg.Section, p.Arg.Off
	if p.Num, err = d.ref("kparam_array.num", sec, off+8, b[8:]); err != nil {
		return err
	}
	eops, err := d.ref("kparam_array.ops", sec, off+16, b[16:])
	if err != nil {
		return err
	}
	if p.Var, err = d.ref("kparam_array.elem", sec, off+24, b[24:]); err != nil {
		return err
	}
	if eops.Null {
		return d.err("kparam_array.ops", "NULL element ops for parameter %s", p.Name)
	}
	if eops.Section != 0 {
		p.ElemOps = d.symbolAt(eops)
		return nil // custom element ops
	}
	p.ElemOps = eops.Sym
	p.Kind = KindOfOps(eops.Sym)
	if p.Kind == String {
		// param_set_copystring would read the element as a kparam_string:
		// not a standard array; treat it as custom rather than guess.
		p.Kind = Custom
	}
	if p.Kind != Custom && p.Kind.Size() != int(p.ElemSize) {
		return d.err("kparam_array.elemsize", "%d for elements of type %v (%d bytes)", p.ElemSize, p.Kind, p.Kind.Size())
	}
	return nil
}

// custom describes ops defined in the module: their name, flags and set
// function, read from the module's own struct kernel_param_ops.
func (d *objDecoder) custom(p *Param, ops Ref) error {
	p.Kind = Custom
	p.Ops = d.symbolAt(ops)
	b, err := d.bytesAt("ops", ops, 16)
	if err != nil {
		return err
	}
	p.OpsFlags = le.Uint32(b)
	set, err := d.ref("ops.set", ops.Section, ops.Off+8, b[8:])
	if err != nil {
		return err
	}
	if !set.Null {
		p.Set = d.symbolAt(set)
	}
	return nil
}

// symbolAt names the target of a reference: a named symbol defined at that
// place if there is one (functions and objects first), else the
// relocation's symbol with the offset.
func (d *objDecoder) symbolAt(r Ref) string {
	if r.Section != 0 {
		var cands []*gelf.Symbol
		for i := range d.syms {
			s := &d.syms[i]
			if int(s.Shndx) == r.Section && s.Value == r.Off && s.Name != "" && s.Type() != elf.STT_SECTION {
				cands = append(cands, s)
			}
		}
		sort.SliceStable(cands, func(a, b int) bool { return rank(cands[a]) < rank(cands[b]) })
		if len(cands) > 0 {
			return cands[0].Name
		}
		return fmt.Sprintf("%s+%#x", d.f.Sections[r.Section].Name, r.Off)
	}
	if r.Addend != 0 {
		return fmt.Sprintf("%s%+#x", r.Sym, r.Addend)
	}
	return r.Sym
}

func rank(s *gelf.Symbol) int {
	switch s.Type() {
	case elf.STT_FUNC, elf.STT_OBJECT:
		return 0
	}
	return 1
}
