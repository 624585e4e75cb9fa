//go:build linux && amd64 && cgo

package host

/*
#include "runtime.h"
*/
import "C"

import (
	"debug/elf"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/golink/golink"
	"github.com/golink/golink/image"
	"github.com/golink/golink/lifecycle"
)

// mapping is one module's memory: lifecycle.Memory over the module area.
type mapping struct {
	e     *Executor
	mod   *lifecycle.Module
	owner int32 // the C runtime's name for it

	gone atomic.Bool // set by Unmap, checked by Call

	mu                  sync.Mutex
	sig                 signature
	reused              bool   // a cached block: protections already set, bytes poked in
	shadow              []byte // reused: the Go memory the image is linked into
	block               span   // everything: core, init, per-cpu
	core, init, percpu  span
	img                 *image.Image
	this                uint64
	initFreed, unmapped bool
	// writable spans, for WriteAt: data, and ro_after_init until init ends.
	writable []span
	kmallocs []span // what Kmalloc gave the kernel for this module
}

// mem returns n bytes at addr: in the module area, or a Kmalloc block.
func (m *mapping) mem(addr, n uint64) []byte {
	if m.e.arena.contains(addr) {
		return m.e.arena.bytes(addr, n)
	}
	return unsafe.Slice((*byte)(C.golink_rt_ptr(C.uint64_t(addr))), n)
}

// Placement places the image at the mapping. A fresh block is linked in
// place (the image's memory is the mapping's); a reused one, whose pages
// are protected already, into a Go buffer that Install pokes in. Link asks
// Alloc for the core region, then the init region, then the per-cpu area
// (golink.Placement.Alloc); the per-cpu template comes from Go memory and
// is copied in.
func (m *mapping) Placement() golink.Placement {
	var core, init []byte
	if m.reused {
		off := m.init.addr - m.block.addr
		core, init = m.shadow[:m.core.size], m.shadow[off:off+m.init.size]
	} else {
		core, init = m.e.arena.bytes(m.core.addr, m.core.size), m.e.arena.bytes(m.init.addr, m.init.size)
	}
	calls := 0
	alloc := func(n uint64) []byte {
		calls++
		var b []byte
		switch calls {
		case 1:
			b = core
		case 2:
			b = init
		}
		if uint64(len(b)) < n {
			return make([]byte, n)
		}
		b = b[:n]
		clear(b)
		return b
	}
	return golink.Placement{Core: m.core.addr, Init: m.init.addr, Percpu: m.percpu.addr, Alloc: alloc}
}

// copyIn copies src to addr unless src is already that memory.
func (m *mapping) copyIn(addr uint64, src []byte) {
	if len(src) == 0 {
		return
	}
	dst := m.e.arena.bytes(addr, uint64(len(src)))
	if unsafe.SliceData(dst) != unsafe.SliceData(src) {
		copy(dst, src)
	}
}

// Install copies the image in and applies the kernel's protections:
// text read-execute, read-only data read-only, data read-write. The
// ro_after_init data stays writable until FreeInit, as in the kernel. At no
// time is a page both writable and executable.
func (m *mapping) Install(img *image.Image) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if img.Core.Base != m.core.addr || img.Init.Base != m.init.addr || uint64(len(img.CoreMem)) > m.core.size || uint64(len(img.InitMem)) > m.init.size {
		return fmt.Errorf("host: %s: image linked for core %#x init %#x, memory at %#x and %#x", img.Name, img.Core.Base, img.Init.Base, m.core.addr, m.init.addr)
	}
	m.img = img
	m.copyIn(m.percpu.addr, img.PercpuMem)
	if m.reused {
		// ro_after_init is read-only in a cached block; init may write it.
		l := img.Core.Layout
		if err := protect(m.core.addr+l.RoSize, l.RoAfterInitSize-l.RoSize, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
			return err
		}
		// Text and read-only data through /proc/self/mem; the rest is
		// writable and copied.
		if poke(m.core.addr, img.CoreMem[:l.RoSize]) && poke(m.init.addr, img.InitMem[:img.Init.Layout.RoSize]) {
			m.copyIn(m.core.addr+l.RoSize, img.CoreMem[l.RoSize:])
			m.copyIn(m.init.addr+img.Init.Layout.RoSize, img.InitMem[img.Init.Layout.RoSize:])
		} else {
			// /proc/self/mem refused: make the block ordinary again.
			if err := protect(m.block.addr, m.block.size, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
				return err
			}
			m.reused = false
		}
	}
	if !m.reused {
		m.copyIn(m.core.addr, img.CoreMem)
		m.copyIn(m.init.addr, img.InitMem)
		for _, r := range []struct {
			s span
			l image.Layout
		}{{m.core, img.Core.Layout}, {m.init, img.Init.Layout}} {
			if err := protect(r.s.addr, r.l.TextSize, syscall.PROT_READ|syscall.PROT_EXEC); err != nil {
				return err
			}
			if err := protect(r.s.addr+r.l.TextSize, r.l.RoSize-r.l.TextSize, syscall.PROT_READ); err != nil {
				return err
			}
		}
	}
	for _, r := range []struct {
		s span
		l image.Layout
	}{{m.core, img.Core.Layout}, {m.init, img.Init.Layout}} {
		m.writable = append(m.writable, span{r.s.addr + r.l.RoSize, r.s.size - r.l.RoSize})
	}
	if m.percpu.size > 0 {
		m.writable = append(m.writable, m.percpu)
	}
	m.this, _ = img.Symbol("__this_module")
	C.golink_rt_register(C.int32_t(m.owner), C.uint64_t(m.core.addr), C.uint64_t(m.core.addr+m.core.size))
	C.golink_rt_register(C.int32_t(m.owner), C.uint64_t(m.init.addr), C.uint64_t(m.init.addr+m.init.size))
	registry.Lock()
	registry.byOwner[m.owner] = m
	if m.this != 0 {
		registry.byThis[m.this] = m.mod
	}
	registry.Unlock()
	return nil
}

// spanOf returns the accessible span holding [addr, addr+n), or false.
func (m *mapping) spanOf(addr uint64, n int, spans ...span) bool {
	for _, s := range spans {
		if s.size > 0 && addr >= s.addr && addr-s.addr <= s.size && uint64(n) <= s.size-(addr-s.addr) {
			return true
		}
	}
	return false
}

func (m *mapping) ReadAt(p []byte, addr uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	spans := append([]span{m.core, m.percpu}, m.kmallocs...)
	if !m.initFreed {
		spans = append(spans, m.init)
	}
	if m.unmapped || !m.spanOf(addr, len(p), spans...) {
		return fmt.Errorf("%#x+%d: not module memory", addr, len(p))
	}
	copy(p, m.mem(addr, uint64(len(p))))
	return nil
}

func (m *mapping) WriteAt(p []byte, addr uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.unmapped || !(m.spanOf(addr, len(p), m.writable...) || m.spanOf(addr, len(p), m.kmallocs...)) {
		return fmt.Errorf("%#x+%d: not writable module memory", addr, len(p))
	}
	copy(m.mem(addr, uint64(len(p))), p)
	return nil
}

// Kmalloc allocates for the kernel on the module's behalf: freed at Unmap,
// and not counted as the module's leak.
func (m *mapping) Kmalloc(n int) (uint64, error) {
	a := uint64(C.golink_rt_alloc_for(C.int32_t(-m.owner), C.uint64_t(n), 0, 1))
	if a == 0 {
		return 0, syscall.ENOMEM
	}
	m.mu.Lock()
	m.kmallocs = append(m.kmallocs, span{a, uint64(n)})
	m.mu.Unlock()
	return a, nil
}

var staleCalls atomic.Int64

// StaleCalls returns how many calls, process-wide, were made into a module
// whose memory had been unmapped: zero, unless something bypassed the
// lifecycle's guard. They are refused rather than executed.
func StaleCalls() int64 { return staleCalls.Load() }

// Call enters module code at addr. The lifecycle package calls it only
// with a reference held (or as the loader running init and exit).
func (m *mapping) Call(addr uint64, args ...uint64) uint64 {
	if m.gone.Load() {
		// The guard makes this impossible; if it happens anyway, count it
		// rather than jump into freed memory.
		staleCalls.Add(1)
		return 0
	}
	var a [6]uint64
	copy(a[:], args)
	return uint64(C.golink_call(C.int32_t(m.owner), C.uint64_t(addr), C.uint64_t(a[0]), C.uint64_t(a[1]), C.uint64_t(a[2]),
		C.uint64_t(a[3]), C.uint64_t(a[4]), C.uint64_t(a[5])))
}

// FreeInit releases the init region — its code is overwritten with int3,
// so that a stale call into it traps (or, where /proc/self/mem cannot be
// written, the region is made inaccessible) — and makes ro_after_init
// read-only.
func (m *mapping) FreeInit() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.initFreed || m.unmapped {
		return
	}
	m.initFreed = true
	C.golink_rt_unregister(C.int32_t(m.owner), C.uint64_t(m.init.addr))
	if m.img == nil || !trap(m.init.addr, m.img.Init.Layout.TextSize) {
		protect(m.init.addr, m.init.size, syscall.PROT_NONE)
		m.sig = signature{} // protections no longer those of a block to reuse
	}
	if m.img != nil {
		m.img.InitMem = nil // the init region is gone
		for i := range m.img.Sections {
			if s := &m.img.Sections[i]; s.Init {
				s.Data = nil
			}
		}
		l := m.img.Core.Layout
		protect(m.core.addr+l.RoSize, l.RoAfterInitSize-l.RoSize, syscall.PROT_READ)
		m.writable = []span{{m.core.addr + l.RoAfterInitSize, m.core.size - l.RoAfterInitSize}}
		if m.percpu.size > 0 {
			m.writable = append(m.writable, m.percpu)
		}
	}
}

// Unmap frees the module's memory, what it allocated and what the kernel
// allocated for it, and reports its leaks.
func (m *mapping) Unmap() []lifecycle.Leak {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.unmapped {
		return nil
	}
	m.unmapped = true
	m.gone.Store(true)
	m.kmallocs = nil
	registry.Lock()
	delete(registry.byOwner, m.owner)
	if m.this != 0 && registry.byThis[m.this] == m.mod {
		delete(registry.byThis, m.this)
	}
	for k, cbs := range registry.callbacks {
		for name, f := range cbs {
			if f.Module == m.mod {
				delete(cbs, name)
			}
		}
		if len(cbs) == 0 {
			delete(registry.callbacks, k)
		}
	}
	registry.Unlock()
	C.golink_rt_unregister(C.int32_t(m.owner), 0)
	var info [64]C.struct_golink_alloc_info
	n := int(C.golink_rt_collect(C.int32_t(m.owner), &info[0], C.int(len(info))))
	var leaks []lifecycle.Leak
	for i := 0; i < n && i < len(info); i++ {
		leaks = append(leaks, lifecycle.Leak{Addr: uint64(info[i].addr), Size: int(info[i].size), Caller: m.symbolize(uint64(info[i].caller))})
	}
	if n > len(info) {
		leaks = append(leaks, lifecycle.Leak{Caller: fmt.Sprintf("(%d more allocations)", n-len(info))})
	}
	m.release()
	if m.img != nil {
		// The image's memory was the mapping's, and is gone: what
		// remains of the image is its description.
		m.img.CoreMem, m.img.InitMem = nil, nil
		for i := range m.img.Sections {
			if s := &m.img.Sections[i]; s.Loaded || i == m.img.PercpuSec {
				s.Data = nil
			}
		}
	}
	return leaks
}

// release gives the block back. If the module was installed and its init
// region freed, and /proc/self/mem works, its protections are kept for the
// next module laid out the same way, its text overwritten with int3;
// otherwise it returns to the free space, readable and writable.
func (m *mapping) release() {
	if m.img != nil && m.initFreed && m.sig != (signature{}) && trap(m.core.addr, m.img.Core.Layout.TextSize) {
		for _, b := range m.e.arena.cache.put(cachedBlock{sig: m.sig, block: m.block, shadow: m.shadow}) {
			m.e.arena.release(b.block.addr, b.block.size)
		}
		return
	}
	m.e.arena.release(m.block.addr, m.block.size)
}

// symbolize names a code address of the module as kallsyms would:
// function+offset, from the image's symbols.
func (m *mapping) symbolize(addr uint64) string {
	if m.img == nil {
		return fmt.Sprintf("%#x", addr)
	}
	type fn struct {
		name       string
		addr, size uint64
	}
	var fns []fn
	for i, s := range m.img.Symbols {
		if i == 0 || s.Shndx == elf.SHN_UNDEF || s.Type() != elf.STT_FUNC {
			continue
		}
		fns = append(fns, fn{s.Name, s.Value, s.Size})
	}
	// At one address, the function's own name before the aliases
	// module_init and module_exit make.
	alias := func(n string) bool { return n == "init_module" || n == "cleanup_module" }
	sort.Slice(fns, func(i, j int) bool {
		if fns[i].addr != fns[j].addr {
			return fns[i].addr < fns[j].addr
		}
		return alias(fns[i].name) && !alias(fns[j].name)
	})
	best := -1
	for i, f := range fns {
		if f.addr <= addr {
			best = i
		}
	}
	if best < 0 || (fns[best].size > 0 && addr-fns[best].addr >= fns[best].size) {
		return fmt.Sprintf("%#x", addr)
	}
	return fmt.Sprintf("%s+%#x", fns[best].name, addr-fns[best].addr)
}
