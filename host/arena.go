//go:build linux && amd64 && cgo

package host

/*
#include "runtime.h"
*/
import "C"

import (
	"fmt"
	"sort"
	"sync"
	"syscall"
	"unsafe"
)

// The module area. The kernel keeps its modules in a reserved range
// (MODULES_VADDR, 1.5 GiB) within 2 GiB of its own text, so that 32-bit
// displacements reach from one to the other. golink does the same in the
// process: one reservation, made once with no access and no memory behind
// it, below 2 GiB — where -mcmodel=kernel's sign-extended 32-bit addresses
// (R_X86_64_32S) and -fno-pic's zero-extended ones (R_X86_64_32) can name
// it — and as close to the Go binary's text as that allows. A Go
// executable is not position-independent on linux/amd64, so its text (and
// the C runtime in it) sits at 4 MiB and every module call reaches it
// directly; if the binary is PIE, calls reach it through PLT stubs
// (x86_64.Options.GOT).

const (
	pageSize  = 4096
	arenaSize = 512 << 20
	// mapFixedNoReplace is MAP_FIXED_NOREPLACE (Linux 4.17): map exactly
	// here or fail, never over an existing mapping.
	mapFixedNoReplace = 0x100000
	low2G             = 1 << 31
)

type span struct{ addr, size uint64 }

// arena hands out page runs of the reservation, first fit. The whole area
// is readable and writable (and never executable) except where an
// installed module has protected its own pages; release gives a block
// back in that state, so that alloc needs no system call.
type arena struct {
	mu   sync.Mutex
	ptr  unsafe.Pointer // base, as a pointer to memory that is not Go's
	base uint64
	size uint64
	free []span // sorted by address, coalesced
	// cache holds the blocks of removed modules, protections kept, for
	// modules laid out the same way (see reuse.go).
	cache blockCache
}

var theArena struct {
	once sync.Once
	a    *arena
	err  error
}

func getArena(text uint64) (*arena, error) {
	theArena.once.Do(func() { theArena.a, theArena.err = reserve(text) })
	return theArena.a, theArena.err
}

func mmap(addr, n uint64, prot, flags int) (uint64, syscall.Errno) {
	r, _, errno := syscall.RawSyscall6(syscall.SYS_MMAP, uintptr(addr), uintptr(n), uintptr(prot), uintptr(flags), ^uintptr(0), 0)
	return uint64(r), errno
}

// reserve finds room for the area below 2 GiB, nearest first to text.
func reserve(text uint64) (*arena, error) {
	var hints []uint64
	for a := uint64(0x10000000); a+arenaSize <= low2G; a += 0x8000000 {
		hints = append(hints, a)
	}
	dist := func(a uint64) uint64 {
		if a > text {
			return a + arenaSize - text
		}
		return text - a
	}
	sort.Slice(hints, func(i, j int) bool { return dist(hints[i]) < dist(hints[j]) })
	for _, h := range hints {
		if h < text+(64<<20) && h+arenaSize > text { // keep clear of the binary and its brk heap
			continue
		}
		addr, errno := mmap(h, arenaSize, syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE|mapFixedNoReplace)
		if errno != 0 {
			continue
		}
		if addr != h { // a kernel without MAP_FIXED_NOREPLACE took it as a hint
			syscall.Syscall(syscall.SYS_MUNMAP, uintptr(addr), arenaSize, 0)
			continue
		}
		return &arena{ptr: C.golink_rt_ptr(C.uint64_t(addr)), base: addr, size: arenaSize, free: []span{{addr, arenaSize}}}, nil
	}
	return nil, fmt.Errorf("host: no room for a %d MiB module area below 2 GiB", arenaSize>>20)
}

// alloc returns n bytes (rounded up to pages) of the area, readable and
// writable; not necessarily zero.
func (a *arena) alloc(n uint64) (uint64, error) {
	n = (n + pageSize - 1) &^ (pageSize - 1)
	if n == 0 {
		n = pageSize
	}
	need := n
	a.mu.Lock()
	var addr uint64
	found := false
	for i, s := range a.free {
		if s.size >= need {
			addr = s.addr
			a.free[i] = span{s.addr + need, s.size - need}
			if a.free[i].size == 0 {
				a.free = append(a.free[:i], a.free[i+1:]...)
			}
			found = true
			break
		}
	}
	a.mu.Unlock()
	if !found {
		return 0, fmt.Errorf("host: module area exhausted (%d bytes asked)", n)
	}
	return addr, nil
}

// release returns an allocation. Its pages are made readable and writable
// again — so no longer executable: a stale call into freed text faults —
// and stay in memory, so the next module placed there reuses them without
// a page fault each (alloc's caller overwrites or clears what it uses).
func (a *arena) release(addr, n uint64) {
	n = (n + pageSize - 1) &^ (pageSize - 1)
	if n == 0 {
		n = pageSize
	}
	protect(addr, n, syscall.PROT_READ|syscall.PROT_WRITE)
	a.mu.Lock()
	defer a.mu.Unlock()
	i := sort.Search(len(a.free), func(i int) bool { return a.free[i].addr > addr })
	a.free = append(a.free, span{})
	copy(a.free[i+1:], a.free[i:])
	a.free[i] = span{addr, n}
	// Coalesce with the neighbours.
	if i+1 < len(a.free) && a.free[i].addr+a.free[i].size == a.free[i+1].addr {
		a.free[i].size += a.free[i+1].size
		a.free = append(a.free[:i+1], a.free[i+2:]...)
	}
	if i > 0 && a.free[i-1].addr+a.free[i-1].size == a.free[i].addr {
		a.free[i-1].size += a.free[i].size
		a.free = append(a.free[:i], a.free[i+1:]...)
	}
}

func (a *arena) contains(addr uint64) bool { return addr-a.base < a.size }

// protect is mprotect over [addr, addr+n), n rounded up to pages.
func protect(addr, n uint64, prot int) error {
	if n == 0 {
		return nil
	}
	n = (n + pageSize - 1) &^ (pageSize - 1)
	// RawSyscall: mprotect does not block, and the scheduler need not know.
	if _, _, errno := syscall.RawSyscall(syscall.SYS_MPROTECT, uintptr(addr), uintptr(n), uintptr(prot)); errno != 0 {
		return fmt.Errorf("host: mprotect %#x+%#x: %w", addr, n, errno)
	}
	return nil
}

// bytes is module memory at addr as a Go slice. The memory is not Go's:
// the caller must know it is in the area, mapped and accessible as it
// intends to use it.
func (a *arena) bytes(addr, n uint64) []byte {
	if n == 0 {
		return nil
	}
	if !a.contains(addr) || n > a.size-(addr-a.base) {
		panic(fmt.Sprintf("host: %#x+%#x is outside the module area", addr, n))
	}
	return unsafe.Slice((*byte)(unsafe.Add(a.ptr, addr-a.base)), n)
}
