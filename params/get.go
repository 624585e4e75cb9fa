package params

import (
	"errors"
	"fmt"
	"strings"
)

// ErrCustomOps is returned by Get for a parameter whose ops the module
// defines: golink cannot run their get function.
var ErrCustomOps = errors.New("custom ops: value not known to golink")

// maxString bounds how far Get reads a charp string.
const maxString = 4096

// Get returns the parameter's current value as its ops' get function
// writes it for sysfs, without the final newline: %hhu, %hi, %hu, %i, %u,
// %li, %lu, %llu for the integers, %#08x for hexint (the kernel's printf
// prefixes 0x even to zero), Y/N for bool and invbool, the string for
// charp ("(null)" for NULL) and string, elements joined by ',' for an
// array (*num of them, or max when num is NULL). It returns ErrCustomOps
// for custom ops and a *MemoryError when memory cannot be read.
func Get(p *Param, mem Memory) (string, error) {
	if p.Kind == Custom {
		return "", ErrCustomOps
	}
	if p.Kind == String && !p.Array {
		return readString(p.Name, mem, p.Var.Addr, int(min(p.MaxLen, maxString)))
	}
	if !p.Array {
		return getScalar(p.Kind, p.Name, p.Var.Addr, mem)
	}
	n := p.Max
	if !p.Num.Null {
		var w [4]byte
		if err := mem.ReadAt(w[:], p.Num.Addr); err != nil {
			return "", &MemoryError{Param: p.Name, Addr: p.Num.Addr, Err: err}
		}
		n = le.Uint32(w[:])
		if n > p.Max {
			return "", &MemoryError{Param: p.Name, Addr: p.Num.Addr, Err: fmt.Errorf("element count %d exceeds the array's %d", n, p.Max)}
		}
	}
	var parts []string
	for i := uint32(0); i < n; i++ {
		s, err := getScalar(p.Kind, p.Name, p.Var.Addr+uint64(i)*uint64(p.ElemSize), mem)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ","), nil
}

func getScalar(k Kind, name string, addr uint64, mem Memory) (string, error) {
	size := k.Size()
	if size == 0 {
		return "", ErrCustomOps
	}
	var w [8]byte
	if err := mem.ReadAt(w[:size], addr); err != nil {
		return "", &MemoryError{Param: name, Addr: addr, Err: err}
	}
	u := le.Uint64(w[:])
	switch k {
	case Byte, Ushort, Uint, Ulong, Ullong:
		return fmt.Sprint(u), nil
	case Short:
		return fmt.Sprint(int16(u)), nil
	case Int, Bint:
		return fmt.Sprint(int32(u)), nil
	case Long:
		return fmt.Sprint(int64(u)), nil
	case Hexint:
		return fmt.Sprintf("0x%06x", uint32(u)), nil
	case Bool, BoolEnableOnly:
		return yn(u != 0), nil
	case Invbool:
		return yn(u == 0), nil
	case Charp:
		if u == 0 {
			return "(null)", nil
		}
		return readString(name, mem, u, maxString)
	}
	return "", ErrCustomOps
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// readString reads a NUL-terminated string of at most max bytes at addr,
// a byte at a time so that it never reads past the terminator.
func readString(name string, mem Memory, addr uint64, max int) (string, error) {
	var sb []byte
	var c [1]byte
	for i := 0; i < max; i++ {
		if err := mem.ReadAt(c[:], addr+uint64(i)); err != nil {
			return "", &MemoryError{Param: name, Addr: addr + uint64(i), Err: err}
		}
		if c[0] == 0 {
			return string(sb), nil
		}
		sb = append(sb, c[0])
	}
	return string(sb), nil
}
