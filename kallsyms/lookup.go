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

// result is the fixed part of the answer for one interval.
type result struct {
	name, module string
	addr, size   uint64
}

// index cuts the address space into intervals, each with one answer
// (or none), and finds an address's interval through a table indexed by
// the address's high bits: bucket[b] is the interval holding the first
// address of bucket b, so the answer lies between bucket[b] and
// bucket[b+1], usually a step or two apart.
type index struct {
	starts []uint64 // interval starts, ascending
	ents   []int32  // answer per interval, -1 for none
	res    []result
	lo, hi uint64 // intervals cover [lo, hi)
	shift  uint
	bucket []uint32
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
	at     func(x uint64) int32 // answer for the interval starting at x
	cuts   []uint64             // interval starts inside (lo, hi)
}

func (t *Table) buildIndex() *index {
	ix := &index{}
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
			spans = append(spans, span{lo: r[0], hi: r[1], cuts: cuts, at: func(x uint64) int32 { return t.kernelAt(ix, x) }})
		}
	}
	for _, m := range t.mods {
		m := m
		if m.core.Size == 0 {
			continue
		}
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
			at: func(x uint64) int32 { return moduleAt(ix, m, vals, x) }})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	for _, sp := range spans {
		if n := len(ix.starts); n > 0 && sp.lo < ix.hi {
			continue // overlaps the one before: not a layout the kernel has
		}
		if len(ix.starts) > 0 && sp.lo > ix.hi {
			ix.starts = append(ix.starts, ix.hi)
			ix.ents = append(ix.ents, -1)
		}
		if len(ix.starts) == 0 {
			ix.lo = sp.lo
		}
		sort.Slice(sp.cuts, func(i, j int) bool { return sp.cuts[i] < sp.cuts[j] })
		prev := sp.lo
		ix.starts = append(ix.starts, prev)
		ix.ents = append(ix.ents, sp.at(prev))
		for _, c := range sp.cuts {
			if c == prev {
				continue
			}
			prev = c
			ix.starts = append(ix.starts, c)
			ix.ents = append(ix.ents, sp.at(c))
		}
		ix.hi = sp.hi
	}
	if len(ix.starts) == 0 {
		return ix
	}
	// Buckets: about two intervals per bucket on average.
	width := ix.hi - ix.lo
	ix.shift = 4
	if want := uint64(len(ix.starts)) * 2; width/want > 16 {
		ix.shift = uint(bits.Len64(width/want)) - 1
	}
	nb := (width-1)>>ix.shift + 1
	ix.bucket = make([]uint32, nb+1)
	k := 0
	for b := uint64(0); b <= nb; b++ {
		a := ix.lo + b<<ix.shift
		if b == nb {
			a = ix.hi - 1
		}
		for k+1 < len(ix.starts) && ix.starts[k+1] <= a {
			k++
		}
		ix.bucket[b] = uint32(k)
	}
	return ix
}

// kernelAt is get_symbol_pos for an interval of the kernel starting at x.
func (t *Table) kernelAt(ix *index, x uint64) int32 {
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
	ix.res = append(ix.res, result{name: ks[i].Name, addr: start, size: end - start})
	return int32(len(ix.res) - 1)
}

// moduleAt is find_kallsyms_symbol for an interval of a module's core
// starting at x; vals are the symbols it considers, sorted by address
// (stably, so the first of equal values has the lowest index).
func moduleAt(ix *index, m *module, vals []Symbol, x uint64) int32 {
	i := sort.Search(len(vals), func(i int) bool { return vals[i].Addr > x }) - 1
	// The best value must exceed symbol 0's (0): take the first symbol of
	// the greatest value at or below x.
	for i > 0 && vals[i-1].Addr == vals[i].Addr {
		i--
	}
	if i < 0 || vals[i].Addr == 0 {
		return -1
	}
	best := vals[i]
	next := m.core.Base + m.core.TextSize
	j := sort.Search(len(vals), func(j int) bool { return vals[j].Addr > x })
	if j < len(vals) && vals[j].Addr < next {
		next = vals[j].Addr
	}
	ix.res = append(ix.res, result{name: best.Name, module: m.name, addr: best.Addr, size: next - best.Addr})
	return int32(len(ix.res) - 1)
}

// Lookup finds the symbol for addr as %pS does: the kernel's own table for
// kernel addresses, else the module whose core holds addr.
func (t *Table) Lookup(addr uint64) (Found, bool) {
	t.build()
	ix := t.idx
	if addr < ix.lo || addr >= ix.hi {
		return Found{}, false
	}
	b := (addr - ix.lo) >> ix.shift
	i, j := ix.bucket[b], ix.bucket[b+1]
	for i < j {
		m := (i + j + 1) / 2
		if ix.starts[m] <= addr {
			i = m
		} else {
			j = m - 1
		}
	}
	e := ix.ents[i]
	if e < 0 {
		return Found{}, false
	}
	r := &ix.res[e]
	return Found{Name: r.name, Module: r.module, Addr: r.addr, Size: r.size, Offset: addr - r.addr}, true
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
