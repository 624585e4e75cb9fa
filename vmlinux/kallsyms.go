package vmlinux

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/symtab"
)

var le = binary.LittleEndian

// Kallsyms is the symbol table recovered from a kernel's kallsyms tables.
type Kallsyms struct {
	Symbols []symtab.MapSymbol // in the tables' order, each with its type letter
	// Layout is the order of the tables: "6.1" (offsets and relative_base
	// before num_syms) or "6.4" (num_syms first, offsets after the token
	// index), decided from the data.
	Layout string
	// Where the tables are (virtual addresses), for diagnostics.
	NumSyms, Names, Markers, TokenTable, TokenIndex, Offsets, RelativeBase uint64
}

// RecoverError says why no kallsyms tables could be recovered.
type RecoverError struct{ Msg string }

func (e *RecoverError) Error() string { return "vmlinux: kallsyms: " + e.Msg }

// segment is one PT_LOAD's file bytes at its address.
type segment struct {
	vaddr uint64
	data  []byte
}

// maxSyms bounds num_syms: a kernel has a few hundred thousand.
const maxSyms = 1 << 22

// Recover finds the kernel's kallsyms tables in f's loaded segments and
// decodes them: every symbol kallsyms keeps, with its address and type
// letter. The tables are found by their shape, not by the kernel's
// version: the token table (256 NUL-terminated strings) followed by the
// token index (their 256 offsets); the markers (offsets of every 256th
// name, from 0) after the names; num_syms before the names, such that its
// names decode to exactly where the markers begin and agree with every
// marker; then the offsets and relative base where the layout puts them
// (see doc.go). Errors are *RecoverError values: no tables, or more than
// one set of them.
func Recover(f *gelf.File) (*Kallsyms, error) {
	var segs []segment
	for _, p := range f.Progs {
		if elf.ProgType(p.Type) == elf.PT_LOAD && p.Filesz > 0 {
			segs = append(segs, segment{p.Vaddr, f.Data[p.Off : p.Off+p.Filesz]})
		}
	}
	var found []*Kallsyms
	for si := range segs {
		s := &segs[si]
		for _, ti := range tokenIndexes(s.data) {
			if k, ok := decodeAt(s, ti); ok {
				found = append(found, k)
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, &RecoverError{"no kallsyms tables in the image's loaded segments (a kernel built without CONFIG_KALLSYMS?)"}
	case 1:
		return found[0], nil
	}
	return nil, &RecoverError{fmt.Sprintf("%d sets of tables that could be kallsyms', at %#x and %#x: cannot tell which is the kernel's",
		len(found), found[0].Names, found[1].Names)}
}

// tokenIndex is a candidate token table and its index.
type tokenIndex struct {
	table, index int // offsets in the segment
	tokens       [256]string
}

// tokenIndexes finds each 8-aligned run of 256 u16s, increasing from 0,
// that are the offsets of 256 NUL-terminated strings ending just before
// it.
func tokenIndexes(b []byte) []tokenIndex {
	var out []tokenIndex
	for p := 0; p+512 <= len(b); p += 8 {
		if le.Uint16(b[p:]) != 0 || le.Uint16(b[p+2:]) == 0 || le.Uint16(b[p+2:]) > 64 {
			continue
		}
		idx := b[p : p+512]
		ok := true
		for k := 1; k < 256 && ok; k++ {
			ok = le.Uint16(idx[2*k:]) > le.Uint16(idx[2*k-2:])
		}
		if !ok {
			continue
		}
		last := int(le.Uint16(idx[510:]))
		// The table starts at T, its last string at T+last, and it ends,
		// padded to 8, at p.
		for T := p - last - 2; T >= 0 && T >= p-last-72; T-- {
			if t, ok := tokensAt(b, T, p, idx); ok {
				out = append(out, tokenIndex{table: T, index: p, tokens: t})
				break
			}
		}
	}
	return out
}

func tokensAt(b []byte, T, p int, idx []byte) ([256]string, bool) {
	var t [256]string
	end := T
	for k := 0; k < 256; k++ {
		start := T + int(le.Uint16(idx[2*k:]))
		if start != end || start >= p {
			return t, false
		}
		n := bytes.IndexByte(b[start:p], 0)
		if n <= 0 {
			return t, false
		}
		t[k] = string(b[start : start+n])
		end = start + n + 1
	}
	if (end+7)&^7 != p {
		return t, false
	}
	return t, true
}

func align8(x int) int { return (x + 7) &^ 7 }

// decodeAt tries the two layouts around a token table.
func decodeAt(s *segment, ti tokenIndex) (*Kallsyms, bool) {
	b := s.data
	// 6.4+: names, markers, token table. The markers end right before the
	// table (or 4 bytes before, for alignment).
	for _, end := range [...]int{ti.table, ti.table - 4} {
		if ms, m := markersRun(b, end); m > 0 {
			if k, ok := namesBefore(s, ti, "6.4", ms, m, end, -1); ok {
				return k, true
			}
		}
	}
	// 6.1: names, markers, seqs_of_names (3 bytes a symbol), token
	// table: look for the markers' start, a 0 at an 8-aligned place
	// followed by increasing values, within what seqs can take.
	for ms := (ti.table - 8) &^ 7; ms >= 0 && ms >= ti.table-3*maxSyms-8; ms -= 8 {
		if le.Uint32(b[ms:]) != 0 || le.Uint32(b[ms+4:]) == 0 {
			continue
		}
		// The increasing run may go on into seqs_of_names: every end
		// along it is a candidate, which N must then bear out.
		last := ms + 4
		for last+4 <= ti.table && le.Uint32(b[last:]) > le.Uint32(b[last-4:]) {
			last += 4
		}
		for end := last; end > ms; end -= 4 {
			m := (end - ms) / 4
			seqs := ti.table - align8(end)
			if seqs <= 0 || seqs < 3*(256*(m-1)+1) || seqs > align8(3*256*m) {
				continue
			}
			if k, ok := namesBefore(s, ti, "6.1", ms, m, end, seqs); ok {
				return k, true
			}
		}
	}
	return nil, false
}

// markersRun returns the start and count of the increasing u32 run ending
// at end whose first value is 0.
func markersRun(b []byte, end int) (start, m int) {
	if end < 4 || end > len(b) {
		return 0, 0
	}
	prev := uint64(1 << 33)
	for p := end - 4; p >= 0; p -= 4 {
		v := uint64(le.Uint32(b[p:]))
		if v >= prev {
			return 0, 0
		}
		if v == 0 {
			return p, (end - p) / 4
		}
		prev = v
	}
	return 0, 0
}

// namesBefore finds num_syms before the markers starting at ms (m of them)
// and decodes the names, checking them against every marker.
// seqs, for the 6.1 layout, is the size of seqs_of_names, which must be
// that of N 3-byte entries padded to 8.
func namesBefore(s *segment, ti tokenIndex, layout string, ms, m, markersEnd, seqs int) (*Kallsyms, bool) {
	b := s.data
	lastMarker := int(le.Uint32(b[markersEnd-4:]))
	lo, hi := 256*(m-1)+1, 256*m
	// names start at q+8 (num_syms at q, 8-aligned), at most ms-lastMarker.
	for q := (ms - lastMarker - 8) &^ 7; q >= 0 && q >= ms-lastMarker-8-(hi-lo+1)*512; q -= 8 {
		n := int(le.Uint32(b[q:]))
		if n < lo || n > hi || le.Uint32(b[q+4:]) != 0 {
			continue
		}
		names, end, ok := decodeNames(b, q+8, n, b[ms:markersEnd], ti.tokens)
		if !ok || align8(end) != ms || (seqs >= 0 && align8(3*n) != seqs) {
			continue
		}
		k := &Kallsyms{Layout: layout, NumSyms: s.vaddr + uint64(q), Names: s.vaddr + uint64(q+8), Markers: s.vaddr + uint64(ms),
			TokenTable: s.vaddr + uint64(ti.table), TokenIndex: s.vaddr + uint64(ti.index)}
		if !addresses(s, k, names, q) {
			continue
		}
		return k, true
	}
	return nil, false
}

// decodeNames decodes n names from b at start, expanding their tokens, and
// checks each 256th against markers. It returns the names (type letter
// first) and where they end.
func decodeNames(b []byte, start, n int, markers []byte, tokens [256]string) ([]string, int, bool) {
	if n > maxSyms || len(markers) < 4*((n+255)/256) {
		return nil, 0, false
	}
	out := make([]string, 0, n)
	p := start
	var sb []byte
	for i := 0; i < n; i++ {
		if i%256 == 0 && int(le.Uint32(markers[4*(i/256):])) != p-start {
			return nil, 0, false
		}
		if p >= len(b) {
			return nil, 0, false
		}
		l := int(b[p])
		p++
		if l&0x80 != 0 {
			if p >= len(b) {
				return nil, 0, false
			}
			l = l&0x7f | int(b[p])<<7
			p++
		}
		if l == 0 || p+l > len(b) {
			return nil, 0, false
		}
		sb = sb[:0]
		for _, t := range b[p : p+l] {
			sb = append(sb, tokens[t]...)
		}
		if len(sb) < 2 {
			return nil, 0, false
		}
		out = append(out, string(sb))
		p += l
	}
	return out, p, true
}

// addresses finds the offsets and relative base the layout puts in place
// and gives each symbol its address: with CONFIG_KALLSYMS_ABSOLUTE_PERCPU,
// an offset ≥ 0 is the value itself (per-cpu symbols), a negative one
// relative_base − 1 − offset.
func addresses(s *segment, k *Kallsyms, names []string, q int) bool {
	b, n := s.data, len(names)
	var offs, base int
	switch k.Layout {
	case "6.4":
		offs = align8(int(k.TokenIndex-s.vaddr) + 512)
		base = align8(offs + 4*n)
	default:
		base = q - 8
		offs = base - align8(4*n)
	}
	if offs < 0 || base < 0 || base+8 > len(b) || offs+4*n > len(b) {
		return false
	}
	rb := le.Uint64(b[base:])
	if rb>>40 != 0xffffff {
		return false
	}
	k.Offsets, k.RelativeBase = s.vaddr+uint64(offs), s.vaddr+uint64(base)
	k.Symbols = make([]symtab.MapSymbol, n)
	for i, name := range names {
		off := int64(int32(le.Uint32(b[offs+4*i:])))
		addr := uint64(off)
		if off < 0 {
			addr = rb - 1 - uint64(off)
		}
		k.Symbols[i] = symtab.MapSymbol{Addr: addr, Type: name[0], Name: name[1:]}
	}
	return true
}
