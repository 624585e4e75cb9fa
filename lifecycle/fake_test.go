package lifecycle_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/golink/golink"
	"github.com/golink/golink/image"
	"github.com/golink/golink/lifecycle"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// fakeExec runs no machine code: a module's functions are Go functions
// registered by symbol name, and its memory is Go memory at the addresses
// the kernel's own loader would use. It checks the Golden Rule on every
// entry: a function may run only while its module's memory is mapped and a
// reference is held (or it is the loader calling init or exit).
type fakeExec struct {
	t       testing.TB
	kernel  []symtab.Symbol
	funcs   map[string]map[string]fakeFunc // module → symbol → behaviour
	k       *lifecycle.Kernel
	mu      sync.Mutex
	next    uint64
	entries atomic.Int64 // calls that ran
	// Golden Rule violations: entries into unmapped memory, entries
	// without a reference, unmaps with calls in flight.
	violations    atomic.Int64
	lastViolation atomic.Value
}

type fakeFunc func(c *fakeCall) uint64

// fakeCall is one call into a fake function.
type fakeCall struct {
	mem  *fakeMem
	args []uint64
}

func (c *fakeCall) printk(format string, args ...any) {
	c.mem.e.k.Printk(c.mem.mod.Name, fmt.Sprintf(format, args...))
}

func newFake(t testing.TB, funcs map[string]map[string]fakeFunc) *fakeExec {
	t.Helper()
	e, err := newFakeExec(funcs)
	if err != nil {
		t.Fatal(err)
	}
	e.t = t
	return e
}

// newFakeExec returns a fake executor and its kernel, exporting what
// testdata/kernel's System.map and Module.symvers say the kernel exports.
func newFakeExec(funcs map[string]map[string]fakeFunc) (*fakeExec, error) {
	tab, err := symtab.LoadKernel("../testdata/kernel/System.map", "../testdata/kernel/Module.symvers")
	if err != nil {
		return nil, err
	}
	e := &fakeExec{kernel: tab.Symbols(), funcs: funcs, next: 0xffffffffa0000000}
	if e.k, err = lifecycle.New(e); err != nil {
		return nil, err
	}
	return e, nil
}

// Config is Debian's 6.1 (symbol versions checked), linking as the kernel.
func (e *fakeExec) Config() golink.Config    { return golink.Config{Arch: x86_64.New()} }
func (e *fakeExec) Exports() []symtab.Symbol { return e.kernel }

func (e *fakeExec) violate(format string, args ...any) {
	e.violations.Add(1)
	e.lastViolation.Store(fmt.Sprintf(format, args...))
}

func (e *fakeExec) Map(mod *lifecycle.Module, l *golink.Module) (lifecycle.Memory, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	core := e.next
	e.next += (l.Core.Size + l.Init.Size + 0xffff) &^ 0xffff
	p := golink.Placement{Core: core, Init: core + l.Core.Size, Percpu: 0x40000 + (core>>4)&0xfff000}
	return &fakeMem{e: e, mod: mod, place: p, core: make([]byte, l.Core.Size), init: make([]byte, l.Init.Size),
		funcs: map[uint64]fakeFunc{}, names: map[uint64]string{}, allocs: map[uint64]string{}}, nil
}

type fakeMem struct {
	e          *fakeExec
	mod        *lifecycle.Module
	place      golink.Placement
	img        *image.Image
	core, init []byte
	funcs      map[uint64]fakeFunc
	names      map[uint64]string
	exit       uint64
	unmapped   atomic.Bool
	inflight   atomic.Int64
	mu         sync.Mutex
	allocs     map[uint64]string // module allocations → who allocated
	nextAlloc  uint64
	kmallocs   map[uint64][]byte // the kernel's allocations for the module
}

func (m *fakeMem) Placement() golink.Placement { return m.place }

func (m *fakeMem) Install(img *image.Image) error {
	m.img = img
	copy(m.core, img.CoreMem)
	copy(m.init, img.InitMem)
	for name, f := range m.e.funcs[img.Name] {
		if addr, ok := img.Symbol(name); ok {
			m.funcs[addr] = f
			m.names[addr] = name
		}
	}
	m.exit, _ = img.Symbol("cleanup_module")
	return nil
}

func (m *fakeMem) region(addr uint64, n int) ([]byte, uint64, error) {
	m.mu.Lock()
	for a, b := range m.kmallocs {
		if addr >= a && addr-a+uint64(n) <= uint64(len(b)) {
			m.mu.Unlock()
			return b[addr-a : addr-a+uint64(n)], 0, nil
		}
	}
	m.mu.Unlock()
	if addr-m.place.Core < uint64(len(m.core)) && addr-m.place.Core+uint64(n) <= uint64(len(m.core)) {
		off := addr - m.place.Core
		return m.core[off : off+uint64(n)], off, nil
	}
	if addr-m.place.Init < uint64(len(m.init)) && addr-m.place.Init+uint64(n) <= uint64(len(m.init)) {
		off := addr - m.place.Init
		return m.init[off : off+uint64(n)], off, nil
	}
	return nil, 0, fmt.Errorf("%#x+%d: not module memory", addr, n)
}

func (m *fakeMem) ReadAt(p []byte, addr uint64) error {
	b, _, err := m.region(addr, len(p))
	if err != nil {
		return err
	}
	copy(p, b)
	return nil
}

func (m *fakeMem) WriteAt(p []byte, addr uint64) error {
	b, _, err := m.region(addr, len(p))
	if err != nil {
		return err
	}
	copy(b, p)
	return nil
}

func (m *fakeMem) Kmalloc(n int) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextAlloc += 0x1000
	a := 0x7f0000000000 + m.nextAlloc
	if m.kmallocs == nil {
		m.kmallocs = map[uint64][]byte{}
	}
	m.kmallocs[a] = make([]byte, n)
	return a, nil
}

// alloc and free are the module's kmalloc and kfree.
func (m *fakeMem) alloc(caller string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextAlloc += 0x100
	a := 0x7e0000000000 + m.nextAlloc
	m.allocs[a] = caller
	return a
}

func (m *fakeMem) free(a uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.allocs, a)
}

func (m *fakeMem) Call(addr uint64, args ...uint64) uint64 {
	m.inflight.Add(1)
	defer m.inflight.Add(-1)
	name := m.names[addr]
	if m.unmapped.Load() {
		m.e.violate("%s: %s entered after unmap", m.mod.Name, name)
		return 0
	}
	if addr != m.exit && m.mod.Refcount() <= 0 {
		m.e.violate("%s: %s entered without a reference (state %v)", m.mod.Name, name, m.mod.State())
	}
	m.e.entries.Add(1)
	f := m.funcs[addr]
	if f == nil {
		if m.e.t == nil {
			panic(fmt.Sprintf("%s: call to %#x (%s), which has no fake", m.mod.Name, addr, name))
		}
		m.e.t.Errorf("%s: call to %#x (%s), which has no fake", m.mod.Name, addr, name)
		return 0
	}
	return f(&fakeCall{mem: m, args: args})
}

func (m *fakeMem) FreeInit() { m.init = nil }

func (m *fakeMem) Unmap() []lifecycle.Leak {
	if n := m.inflight.Load(); n != 0 {
		m.e.violate("%s: unmapped with %d calls in flight", m.mod.Name, n)
	}
	if n := m.mod.Refcount(); n != 0 && m.mod.Live() {
		m.e.violate("%s: unmapped while live with refcount %d", m.mod.Name, n)
	}
	m.unmapped.Store(true)
	m.mu.Lock()
	defer m.mu.Unlock()
	var leaks []lifecycle.Leak
	for a, who := range m.allocs {
		leaks = append(leaks, lifecycle.Leak{Addr: a, Size: 64, Caller: who})
	}
	return leaks
}

// helloFuncs are fakes of testdata/x86_64/hello.c and greeter.c.
func helloFuncs() map[string]map[string]fakeFunc {
	var mu sync.Mutex
	bufs := map[*fakeMem]uint64{}
	return map[string]map[string]fakeFunc{
		"hello": {
			"hello_init": func(c *fakeCall) uint64 {
				mu.Lock()
				bufs[c.mem] = c.mem.alloc("hello_init+0x11")
				mu.Unlock()
				c.printk("\0016hello, world (1 of 1, level 1)\n")
				return 0
			},
			"hello_exit": func(c *fakeCall) uint64 {
				mu.Lock()
				c.mem.free(bufs[c.mem])
				delete(bufs, c.mem)
				mu.Unlock()
				c.printk("\0016goodbye, world: total 0\n")
				return 0
			},
			"hello_add": func(c *fakeCall) uint64 { return c.args[0] + c.args[1] },
			"hello_who": func(c *fakeCall) uint64 { return 0x1234 },
		},
		"greeter": {
			"greeter_init": func(c *fakeCall) uint64 {
				c.printk("\0016greeter: world, 2+3=5\n")
				return 0
			},
			"greeter_exit": func(c *fakeCall) uint64 { return 0 },
		},
	}
}
