package ia64

import (
	"fmt"
	"sort"
	"sync"
)

// Descriptors is a table of function descriptors outside the module being
// linked: those of modules linked before it. On ia64 a function symbol a
// module exports is the address of a descriptor {entry, gp} in that
// module's .opd, and the kernel's get_plt reads the descriptor from memory
// to build a stub; golink reads it from here. It is safe for concurrent use.
type Descriptors struct {
	mu sync.RWMutex
	m  map[uint64][2]uint64
}

// NewDescriptors returns an empty table.
func NewDescriptors() *Descriptors { return &Descriptors{m: map[uint64][2]uint64{}} }

// Add records the descriptor {entry, gp} at addr.
func (d *Descriptors) Add(addr, entry, gp uint64) {
	d.mu.Lock()
	d.m[addr] = [2]uint64{entry, gp}
	d.mu.Unlock()
}

// Lookup returns the descriptor at addr.
func (d *Descriptors) Lookup(addr uint64) (entry, gp uint64, ok bool) {
	if d == nil {
		return 0, 0, false
	}
	d.mu.RLock()
	e, ok := d.m[addr]
	d.mu.RUnlock()
	return e[0], e[1], ok
}

// kernelDesc is one kernel function descriptor golink made.
type kernelDesc struct {
	name        string
	addr, entry uint64
}

// KernelDescriptor returns where the descriptor of the kernel function with
// entry point entry lives under opts (see Options.KernelText), or an error
// saying why it cannot have one.
func KernelDescriptor(opts *Options, entry uint64) (uint64, error) {
	switch {
	case opts.KernelOPD == 0:
		return 0, fmt.Errorf("no address for kernel function descriptors (--ia64-kernel-opd)")
	case entry%16 != 0:
		return 0, fmt.Errorf("entry point %#x is not bundle-aligned: not ia64 code", entry)
	case entry < opts.KernelText || entry-opts.KernelText >= 1<<40:
		return 0, fmt.Errorf("entry point %#x is below the kernel text base %#x", entry, opts.KernelText)
	}
	d := opts.KernelOPD + (entry - opts.KernelText)
	if d < opts.KernelOPD {
		return 0, fmt.Errorf("descriptor address overflows (kernel opd %#x + %#x)", opts.KernelOPD, entry-opts.KernelText)
	}
	return d, nil
}

// kernelRuns groups the descriptors into runs of consecutive addresses,
// sorted, each with its 16-byte contents.
func kernelRuns(ds []kernelDesc, gp uint64) (addrs []uint64, data [][]byte) {
	ds = append([]kernelDesc(nil), ds...)
	sort.Slice(ds, func(i, j int) bool { return ds[i].addr < ds[j].addr })
	for i, d := range ds {
		if i > 0 && d.addr == ds[i-1].addr {
			continue
		}
		var e [16]byte
		le.PutUint64(e[:], d.entry)
		le.PutUint64(e[8:], gp)
		if n := len(addrs); n > 0 && addrs[n-1]+uint64(len(data[n-1])) == d.addr {
			data[n-1] = append(data[n-1], e[:]...)
			continue
		}
		addrs = append(addrs, d.addr)
		data = append(data, e[:])
	}
	return addrs, data
}
