package reloc

import (
	"fmt"
	"strings"
)

// Error is a relocation that cannot be applied: unknown or unsupported type,
// a target that is not zero, a field outside its section.
type Error struct {
	Module  string
	Section string // target section
	Off     uint64 // r_offset
	Type    string // relocation type name
	Sym     string // symbol name
	Msg     string // what is wrong
	Kernel  string // the kernel's message for the same failure, "" if it has none
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s+%#x: ", e.Module, e.Section, e.Off)
	if e.Type != "" {
		fmt.Fprintf(&b, "relocation %s", e.Type)
		if e.Sym != "" {
			fmt.Fprintf(&b, " against %s", e.Sym)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	writeKernel(&b, e.Kernel)
	return b.String()
}

// OverflowError is a relocation whose value does not fit its field.
type OverflowError struct {
	Module   string
	Section  string
	Off      uint64
	Type     string
	Sym      string
	Value    int64  // the value computed (a bit pattern when Unsigned)
	Unsigned bool   // Value and the range are unsigned quantities
	Formula  string // how: "S+A", "S+A-P", "(S+A-P)/16"...
	Min      int64  // the field's range, inclusive
	Max      int64
	Hint     string // what probably went wrong, or ""
	Kernel   string // the kernel's message; "" if the kernel does not check this
	Note     string // e.g. that the kernel would have truncated silently
}

func (e *OverflowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s+%#x: relocation %s against %s out of range: %s (%s) not in [%s, %s]",
		e.Module, e.Section, e.Off, e.Type, e.Sym, e.num(e.Value), e.Formula, e.num(e.Min), e.num(e.Max))
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	if e.Note != "" {
		b.WriteString(" (")
		b.WriteString(e.Note)
		b.WriteString(")")
	}
	writeKernel(&b, e.Kernel)
	return b.String()
}

func (e *OverflowError) num(v int64) string {
	if e.Unsigned {
		return fmt.Sprintf("%#x", uint64(v))
	}
	return hex(v)
}

// writeKernel appends the kernel's message lines, as dmesg would show them.
func writeKernel(b *strings.Builder, k string) {
	for _, line := range strings.Split(strings.TrimRight(k, "\n"), "\n") {
		if line != "" {
			b.WriteString("\n\tkernel: ")
			b.WriteString(line)
		}
	}
}

func hex(v int64) string {
	if v < 0 {
		return fmt.Sprintf("-%#x", uint64(-v))
	}
	return fmt.Sprintf("%#x", v)
}

// Range checks, in lld's checkInt/checkUInt shape. The Fits functions are
// the predicates (for a backend that chooses, say, between a direct call and
// a PLT stub); the Site.Check methods are the checks a backend makes before
// it stores: nil if the value fits, else the *OverflowError for the site, on
// which the backend may set Hint, Kernel and Note. Test the result against
// nil before returning it as an error: a nil *OverflowError is a non-nil
// error.

// FitsSigned reports whether v fits a signed field of the given width in bits.
func FitsSigned(v int64, bits uint) bool {
	return bits >= 64 || v >= -(1<<(bits-1)) && v < 1<<(bits-1)
}

// FitsUnsigned reports whether v fits an unsigned field of the given width.
func FitsUnsigned(v uint64, bits uint) bool { return bits >= 64 || v>>bits == 0 }

// SignedRange returns the inclusive range of a signed field of bits bits.
func SignedRange(bits uint) (min, max int64) { return -(1 << (bits - 1)), 1<<(bits-1) - 1 }

// CheckRange returns nil if min ≤ v ≤ max, else an *OverflowError for the
// site: relocation typeName's value v, computed as formula, not in [min, max].
func (s *Site) CheckRange(typeName string, v int64, formula string, min, max int64) *OverflowError {
	if v >= min && v <= max {
		return nil
	}
	return s.Overflow(typeName, v, formula, min, max)
}

// CheckInt returns nil if v fits a signed field of bits bits, else an
// *OverflowError for the site with the range [-2^(bits-1), 2^(bits-1)-1].
func (s *Site) CheckInt(typeName string, v int64, formula string, bits uint) *OverflowError {
	min, max := SignedRange(bits)
	return s.CheckRange(typeName, v, formula, min, max)
}

// CheckUint returns nil if v fits an unsigned field of bits bits, else an
// *OverflowError for the site with the range [0, 2^bits-1], shown unsigned.
func (s *Site) CheckUint(typeName string, v uint64, formula string, bits uint) *OverflowError {
	if FitsUnsigned(v, bits) {
		return nil
	}
	e := s.Overflow(typeName, int64(v), formula, 0, int64(uint64(1)<<bits-1))
	e.Unsigned = true
	return e
}

// Overflow returns an *OverflowError for the site.
func (s *Site) Overflow(typeName string, v int64, formula string, min, max int64) *OverflowError {
	return &OverflowError{Module: s.Module.Name, Section: s.Section.Name, Off: s.Off, Type: typeName,
		Sym: s.SymName, Value: v, Formula: formula, Min: min, Max: max}
}
