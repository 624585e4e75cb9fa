package golink

import "slices"

// order decides, before anything is linked, the order the kernel would load
// the placed modules in (loadOrder) and what each link must wait for
// (after), so that the outcome cannot depend on scheduling.
func (r *batchRun) order() {
	_, provider := r.providers()
	r.dependencies(provider)
	r.loadOrder = r.sequence()
	r.after = r.conflicts(len(provider))
}

// providers numbers each name a placed module exports and the kernel does
// not, and returns those numbers and, by number, the first module in path
// order exporting it: the provider its importers wait for. (A module
// exporting a kernel name is refused whenever it links, so such names
// never change hands.) Each placed module's exports and imports of those
// names are kept by number, for dependencies and conflicts.
func (r *batchRun) providers() (ids map[string]int32, provider []int) {
	ids = map[string]int32{}
	for i, it := range r.items {
		if it.state != itemPlaced {
			continue
		}
		for _, e := range it.mod.Exports {
			id, seen := ids[e]
			if !seen {
				if _, kernel := r.b.Kernel.Lookup(e); kernel {
					continue
				}
				id = int32(len(provider))
				ids[e] = id
				provider = append(provider, i)
			}
			it.exportIDs = append(it.exportIDs, id)
		}
	}
	for _, it := range r.items {
		if it.state != itemPlaced {
			continue
		}
		for _, name := range it.mod.Imports {
			if id, ok := ids[name]; ok {
				it.importIDs = append(it.importIDs, id)
			}
		}
	}
	return ids, provider
}

// dependencies records, for each placed module, the providers of its
// imports (deps) and, for each provider, the modules that use it
// (dependents), both in path order.
func (r *batchRun) dependencies(provider []int) {
	for i, it := range r.items {
		if it.state != itemPlaced {
			continue
		}
		for _, id := range it.importIDs {
			if p := provider[id]; p != i && !slices.Contains(it.deps, p) {
				it.deps = append(it.deps, p)
				r.items[p].dependents = append(r.items[p].dependents, i)
			}
		}
	}
}

// sequence returns the load order: the modules that need no other, in path
// order, then, as each is loaded, those whose last provider it was, in path
// order. When none is ready but some wait, their providers form a cycle,
// and the first waiting module in path order goes next; it fails, as in the
// kernel, on the symbols its providers have not exported yet. This is the
// order a sequential load takes (and the one Batch used with Jobs 1 when
// it still decided the order while linking).
func (r *batchRun) sequence() []int {
	pending := make([]int, len(r.items))
	var ready []int
	for i, it := range r.items {
		if it.state == itemPlaced {
			if pending[i] = len(it.deps); pending[i] == 0 {
				ready = append(ready, i)
			}
		}
	}
	var order []int
	firstWaiting := 0
	for {
		i := -1
		for len(ready) > 0 && i < 0 {
			if r.items[ready[0]].state == itemPlaced {
				i = ready[0]
			}
			ready = ready[1:]
		}
		if i < 0 { // a cycle, or the end
			for firstWaiting < len(r.items) && r.items[firstWaiting].state != itemPlaced {
				firstWaiting++
			}
			if firstWaiting == len(r.items) {
				return order
			}
			i = firstWaiting
		}
		r.items[i].state = itemOrdered
		order = append(order, i)
		for _, d := range r.items[i].dependents {
			if pending[d]--; pending[d] == 0 && r.items[d].state == itemPlaced {
				ready = append(ready, d)
			}
		}
	}
}

// conflicts returns, for each position k in the load order, the earlier
// positions whose links must have finished before loadOrder[k]'s starts.
//
// A link reads the table for each name it imports and, adding its exports,
// writes the names it exports (or, refused as a duplicate or failing, reads
// them and writes nothing). Two links commute unless one exports a name
// the other imports or exports; for those, the earlier in the load order
// goes first. Per name, that is the usual readers-writer chain: an importer
// waits for the last exporter before it, an exporter for the last exporter
// and every importer since. The dependency edges are among these (a
// provider exports what its users import), and so is the edge that decides
// which of two exporters of a name is refused: the later, unless the
// earlier failed. Only names some placed module exports can change, so
// only those (numbered by providers) are tracked.
func (r *batchRun) conflicts(names int) [][]int {
	type access struct {
		writer  int   // position of the last exporter so far, or -1
		readers []int // positions of the importers since
	}
	acc := make([]access, names)
	for i := range acc {
		acc[i].writer = -1
	}
	after := make([][]int, len(r.loadOrder))
	for k, i := range r.loadOrder {
		it := r.items[i]
		var wait []int
		for _, id := range it.importIDs {
			a := &acc[id]
			if a.writer >= 0 {
				wait = append(wait, a.writer)
			}
			a.readers = append(a.readers, k)
		}
		for _, id := range it.exportIDs {
			a := &acc[id]
			if a.writer >= 0 {
				wait = append(wait, a.writer)
			}
			wait = append(wait, a.readers...)
			a.writer, a.readers = k, nil
		}
		slices.Sort(wait)
		wait = slices.Compact(wait)
		if n := len(wait); n > 0 && wait[n-1] == k { // its own import of a name it exports
			wait = wait[:n-1]
		}
		after[k] = wait
	}
	return after
}
