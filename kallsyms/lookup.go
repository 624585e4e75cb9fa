package kallsyms

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"sync"
)

// Found is the answer to an address lookup: the symbol, its size as the
// kernel computes it, and the offset of the address in it.
type Found struct {
	Name   string
	Module string // "" for the kernel
	Addr   uint64 // the symbol's address
	Size   uint64
	Offset uint64
}

// String formats the answer as %pS does: "name+0xoff/0xsize" and
// " [module]" for a module symbol.
func (f Found) String() string {
	s := fmt.Sprintf("%s+%#x/%#x", f.Name, f.Offset, f.Size)
	if f.Module != "" {
		s += " [" + f.Module + "]"
	}
	return s
}

// rec is one interval of the address space with its answer: 32 bytes,
// so that a lookup touches one or two cache lines of them. The name is a
// slice of one string holding every name (slicing it reads nothing).
type rec struct {
	start   uint64 // the interval's first address
	addr    uint64 // the symbol's address
	size    uint64
	nameOff uint32
	nameMod uint32 // name length (10 bits) | module index+1 (22 bits); 0 module: kernel
}

const (
	nameBits = 10
	noSymbol = 1<<32 - 1 // nameMod of an interval without a symbol
)

// segment is a stretch of covered addresses [lo, hi) with its share of
// the bucket table: the kernel's and the modules' are apart by hundreds of
// megabytes, which buckets need not cover.
type segment struct {
	lo, hi uint64
	off    int // first bucket
}

// index cuts the covered address space into intervals, each with one
// answer (or none), and finds an address's interval through a table
// indexed by the address's high bits: bucket[b] is the interval holding
// the first address of bucket b, so the answer lies between bucket[b] and
// bucket[b+1], usually in the same cache line.
type index struct {
	recs    []rec
	names   string
	modules []string
	segs    []segment
	shift   uint
	bucket  []uint32
}

func (t *Table) resetIndex() {
	t.once = new(sync.Once)
	t.idx = nil
	t.names = nil
}

func (t *Table) build() {
	t.once.Do(func() {
		t.idx = t.buildIndex()
		t.names = t.buildNames()
	})
}

type span struct {
	lo, hi uint64
	at     func(x uint64) rec // answer for the interval starting at x
	cuts   []uint64           // interval starts inside (lo, hi)
}

// maxGap is the largest hole inside one segment of the index.
const maxGap = 64 << 20

func (t *Table) buildIndex() *index {
	ix := &index{}
	var names strings.Builder
	nameAt := map[string]uint32{}
	name := func(n string, mod int) rec {
		off, ok := nameAt[n]
		if !ok {
			off = uint32(names.Len())
			names.WriteString(n)
			nameAt[n] = off
		}
		return rec{nameOff: off, nameMod: uint32(len(n)) | uint32(mod)<<nameBits}
	}
	var spans []span
	// The kernel: [_stext, _end) with KALLSYMS_ALL, else text and init text.
	if t.hasK && len(t.kernel) > 0 {
		b := t.bounds
		ranges := [][2]uint64{{b.stext, b.end}}
		if t.cfg.TextOnly {
			ranges = [][2]uint64{{b.stext, b.etext}, {b.sinittext, b.einittext}}
		}
		for _, r := range ranges {
			if r[1] <= r[0] {
				continue
			}
			var cuts []uint64
			for _, x := range []uint64{b.sinittext, b.einittext} {
				if x > r[0] && x < r[1] {
					cuts = append(cuts, x)
				}
			}
			for _, s := range t.kernel {
				if s.Addr > r[0] && s.Addr < r[1] {
					cuts = append(cuts, s.Addr)
				}
			}
			spans = append(spans, span{lo: r[0], hi: r[1], cuts: cuts, at: func(x uint64) rec { return t.kernelAt(name, x) }})
		}
	}
	ix.modules = []string{""}
	for _, m := range t.mods {
		m := m
		if m.core.Size == 0 || len(ix.modules) >= 1<<(32-nameBits)-1 {
			continue
		}
		mi := len(ix.modules)
		ix.modules = append(ix.modules, m.name)
		vals := make([]Symbol, len(m.lookups))
		copy(vals, m.lookups)
		sort.SliceStable(vals, func(i, j int) bool { return vals[i].Addr < vals[j].Addr })
		var cuts []uint64
		for _, s := range vals {
			if s.Addr > m.core.Base && s.Addr < m.core.Base+m.core.Size {
				cuts = append(cuts, s.Addr)
			}
		}
		spans = append(spans, span{lo: m.core.Base, hi: m.core.Base + m.core.Size, cuts: cuts,
			at: func(x uint64) rec { return moduleAt(name, mi, m, vals, x) }})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	hi := uint64(0)
	for _, sp := range spans {
		if len(ix.recs) > 0 && sp.lo < hi {
			continue // overlaps the one before: not a layout the kernel has
		}
		if len(ix.recs) == 0 || sp.lo-hi > maxGap {
			ix.segs = append(ix.segs, segment{lo: sp.lo})
		} else if sp.lo > hi {
			ix.recs = append(ix.recs, rec{start: hi, nameMod: noSymbol})
		}
		sort.Slice(sp.cuts, func(i, j int) bool { return sp.cuts[i] < sp.cuts[j] })
		prev := sp.lo
		r := sp.at(prev)
		r.start = prev
		ix.recs = append(ix.recs, r)
		for _, c := range sp.cuts {
			if c == prev {
				continue
			}
			prev = c
			r := sp.at(c)
			r.start = c
			ix.recs = append(ix.recs, r)
		}
		hi = sp.hi
		ix.segs[len(ix.segs)-1].hi = hi
	}
	ix.names = names.String()
	if len(ix.recs) == 0 {
		return ix
	}
	// Buckets: about one per interval.
	width := uint64(0)
	for _, sg := range ix.segs {
		width += sg.hi - sg.lo
	}
	ix.shift = 4
	if w := width / uint64(len(ix.recs)); w > 16 {
		ix.shift = uint(bits.Len64(w)) - 1
	}
	k := 0
	for si := range ix.segs {
		sg := &ix.segs[si]
		sg.off = len(ix.bucket)
		nb := (sg.hi-sg.lo-1)>>ix.shift + 1
		for b := uint64(0); b <= nb; b++ {
			a := sg.lo + b<<ix.shift
			if b == nb {
				a = sg.hi - 1
			}
			for k+1 < len(ix.recs) && ix.recs[k+1].start <= a {
				k++
			}
			ix.bucket = append(ix.bucket, uint32(k))
		}
	}
	return ix
}

// kernelAt is get_symbol_pos for an interval of the kernel starting at x.
func (t *Table) kernelAt(name func(string, int) rec, x uint64) rec {
	ks := t.kernel
	i := sort.Search(len(ks), func(i int) bool { return ks[i].Addr > x }) - 1
	if i < 0 {
		i = 0 // the kernel's binary search then stops at symbol 0
	}
	for i > 0 && ks[i-1].Addr == ks[i].Addr {
		i--
	}
	start := ks[i].Addr
	end := uint64(0)
	for j := i + 1; j < len(ks); j++ {
		if ks[j].Addr > start {
			end = ks[j].Addr
			break
		}
	}
	if end == 0 {
		b := t.bounds
		switch {
		case x >= b.sinittext && x < b.einittext:
			end = b.einittext
		case !t.cfg.TextOnly:
			end = b.end
		default:
			end = b.etext
		}
	}
	r := name(ks[i].Name, 0)
	r.addr, r.size = start, end-start
	return r
}

// moduleAt is find_kallsyms_symbol for an interval of a module's core
// starting at x; vals are the symbols it considers, sorted by address
// (stably, so the first of equal values has the lowest index).
func moduleAt(name func(string, int) rec, mi int, m *module, vals []Symbol, x uint64) rec {
	i := sort.Search(len(vals), func(i int) bool { return vals[i].Addr > x }) - 1
	// The best value must exceed symbol 0's (0): take the first symbol of
	// the greatest value at or below x.
	for i > 0 && vals[i-1].Addr == vals[i].Addr {
		i--
	}
	if i < 0 || vals[i].Addr == 0 {
		return rec{nameMod: noSymbol}
	}
	best := vals[i]
	next := m.core.Base + m.core.TextSize
	j := sort.Search(len(vals), func(j int) bool { return vals[j].Addr > x })
	if j < len(vals) && vals[j].Addr < next {
		next = vals[j].Addr
	}
	r := name(best.Name, mi)
	r.addr, r.size = best.Addr, next-best.Addr
	return r
}

// Lookup finds the symbol for addr as %pS does: the kernel's own table for
// kernel addresses, else the module whose core holds addr.
func (t *Table) Lookup(addr uint64) (Found, bool) {
	t.build()
	ix := t.idx
	for si := range ix.segs {
		sg := &ix.segs[si]
		if addr < sg.lo || addr >= sg.hi {
			continue
		}
		b := sg.off + int((addr-sg.lo)>>ix.shift)
		i, j := ix.bucket[b], ix.bucket[b+1]
		for i < j {
			m := (i + j + 1) / 2
			if ix.recs[m].start <= addr {
				i = m
			} else {
				j = m - 1
			}
		}
		r := &ix.recs[i]
		if r.nameMod == noSymbol {
			return Found{}, false
		}
		n := r.nameMod & (1<<nameBits - 1)
		return Found{Name: ix.names[r.nameOff : r.nameOff+n], Module: ix.modules[r.nameMod>>nameBits],
			Addr: r.addr, Size: r.size, Offset: addr - r.addr}, true
	}
	return Found{}, false
}

// Symbolize formats addr as %pS: "name+0xoff/0xsize [module]", or "0x..."
// when no symbol covers it.
func (t *Table) Symbolize(addr uint64) string {
	if f, ok := t.Lookup(addr); ok {
		return f.String()
	}
	return fmt.Sprintf("%#x", addr)
}

func (t *Table) buildNames() map[string]uint64 {
	names := make(map[string]uint64, t.Len())
	for _, s := range t.kernel {
		if _, ok := names[s.Name]; !ok && s.Name != "" {
			names[s.Name] = s.Addr
		}
	}
	for i := len(t.mods) - 1; i >= 0; i-- {
		for _, s := range t.mods[i].syms {
			if _, ok := names[s.Name]; !ok && s.Name != "" {
				names[s.Name] = s.Addr
			}
		}
	}
	return names
}

// Addr returns the address of name as kallsyms_lookup_name does: the
// kernel's first, else the newest module's; "module:name" looks in that
// module only.
func (t *Table) Addr(name string) (uint64, bool) {
	t.build()
	if mod, sym, ok := strings.Cut(name, ":"); ok {
		for i := len(t.mods) - 1; i >= 0; i-- {
			if t.mods[i].name != mod {
				continue
			}
			for _, s := range t.mods[i].syms {
				if s.Name == sym {
					return s.Addr, true
				}
			}
			return 0, false
		}
		return 0, false
	}
	a, ok := t.names[name]
	return a, ok
}
