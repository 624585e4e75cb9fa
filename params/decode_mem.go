package params

import "fmt"

// Image is what DecodeMemory needs of a linked module: its memory, where
// its __param table is, and names for addresses.
type Image interface {
	Memory
	// SymbolAt names the symbol at addr: the module's own, or an import
	// (param_ops_int) at the address it resolved to.
	SymbolAt(addr uint64) (string, bool)
	// InModule reports whether addr is module memory (custom ops and
	// their structures live there; the standard ops in the kernel).
	InModule(addr uint64) bool
}

// DecodeMemory reads the __param table of a module that has been linked
// and relocated: n entries at addr. Pointers are read as stored, so every
// Ref has Addr set (and Sym where img names the address). The kind comes
// from the name of the symbol the ops pointer points at, as in Decode.
// Errors are *DecodeError (File is "") or *MemoryError values.
func DecodeMemory(img Image, addr uint64, n int) ([]Param, error) {
	out := make([]Param, 0, min(n, 1024)) // n comes from a section header: do not trust it for memory
	for k := 0; k < n; k++ {
		e := make([]byte, KernelParamSize)
		base := addr + uint64(k*KernelParamSize)
		if err := img.ReadAt(e, base); err != nil {
			return nil, &MemoryError{Param: fmt.Sprintf("__param[%d]", k), Addr: base, Err: err}
		}
		p := Param{InParamTable: true, Perm: le.Uint16(e[kpPerm:]), Level: int8(e[kpLevel]), Flags: e[kpFlags]}
		var err error
		if p.Name, err = readString(fmt.Sprintf("__param[%d]", k), img, le.Uint64(e[kpName:]), maxString); err != nil {
			return nil, err
		}
		p.Arg = memRef(img, le.Uint64(e[kpArg:]))
		p.Var = p.Arg
		ops := le.Uint64(e[kpOps:])
		if err := decodeOps(img, &p, ops); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func memRef(img Image, addr uint64) Ref {
	if addr == 0 {
		return Ref{Null: true}
	}
	r := Ref{Addr: addr}
	r.Sym, _ = img.SymbolAt(addr)
	return r
}

func name(img Image, addr uint64) string {
	if s, ok := img.SymbolAt(addr); ok {
		return s
	}
	return fmt.Sprintf("%#x", addr)
}

func decodeOps(img Image, p *Param, ops uint64) error {
	read := func(what string, addr uint64, n int) ([]byte, error) {
		b := make([]byte, n)
		if err := img.ReadAt(b, addr); err != nil {
			return nil, &MemoryError{Param: p.Name + ": " + what, Addr: addr, Err: err}
		}
		return b, nil
	}
	if ops == 0 {
		return &DecodeError{Entry: -1, Field: "ops", Msg: "NULL ops for parameter " + p.Name}
	}
	p.Ops = name(img, ops)
	if img.InModule(ops) {
		p.Kind = Custom
		b, err := read("ops", ops, 16)
		if err != nil {
			return err
		}
		p.OpsFlags = le.Uint32(b)
		if set := le.Uint64(b[8:]); set != 0 {
			p.Set = name(img, set)
		}
		return nil
	}
	switch p.Ops {
	case OpsArray:
		p.Array = true
		b, err := read("kparam_array", p.Arg.Addr, kparamArraySize)
		if err != nil {
			return err
		}
		p.Max, p.ElemSize = le.Uint32(b), le.Uint32(b[4:])
		p.Num = memRef(img, le.Uint64(b[8:]))
		p.Var = memRef(img, le.Uint64(b[24:]))
		eops := le.Uint64(b[16:])
		p.ElemOps = name(img, eops)
		if !img.InModule(eops) {
			p.Kind = KindOfOps(p.ElemOps)
		}
		if p.Kind == String {
			p.Kind = Custom
		}
	case OpsString:
		p.Kind = String
		b, err := read("kparam_string", p.Arg.Addr, kparamStringSize)
		if err != nil {
			return err
		}
		p.MaxLen = le.Uint32(b)
		p.Var = memRef(img, le.Uint64(b[8:]))
	default:
		p.Kind = KindOfOps(p.Ops)
	}
	if p.Kind.noarg() && !p.Array {
		p.OpsFlags = KERNEL_PARAM_OPS_FL_NOARG
	}
	return nil
}
