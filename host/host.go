//go:build linux && amd64 && cgo

package host

/*
#include "runtime.h"
static const struct golink_export *exports(void) { return golink_exports; }
*/
import "C"

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/golink/golink"
	"github.com/golink/golink/lifecycle"
	"github.com/golink/golink/reloc"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// Executor runs linked x86_64 modules in this process: a lifecycle.Executor
// whose memory is real and whose calls are machine calls. Create one with
// New; several may coexist, each behind its own lifecycle.Kernel.
type Executor struct {
	arena   *arena
	arch    reloc.Arch
	exports []symtab.Symbol
}

// New returns an executor. It fails if the module area cannot be reserved.
func New() (*Executor, error) {
	exports := runtimeExports()
	var text uint64
	for _, s := range exports {
		if s.Name == "_printk" {
			text = s.Addr
		}
	}
	a, err := getArena(text)
	if err != nil {
		return nil, err
	}
	return &Executor{arena: a, arch: x86_64.New(x86_64.Options{GOT: true}), exports: exports}, nil
}

// NewKernel returns a kernel backed by a new executor.
func NewKernel() (*lifecycle.Kernel, error) {
	e, err := New()
	if err != nil {
		return nil, err
	}
	return lifecycle.New(e)
}

// Config is the host kernel's: the x86_64 backend with GOT and PLT
// synthesis (plain `gcc -c` output, PIE, needs it; kernel-flag output is
// unaffected when everything is within reach), and no symbol versions
// (CONFIG_MODVERSIONS=n): the kernel is this process, its exports carry no
// CRCs, and the modules are built against include/golink/module.h, not
// against a kernel tree.
func (e *Executor) Config() golink.Config {
	return golink.Config{Arch: e.arch, NoModversions: true}
}

// Exports returns what the C runtime exports to modules, at the addresses
// of its functions and data in this process.
func (e *Executor) Exports() []symtab.Symbol { return append([]symtab.Symbol(nil), e.exports...) }

// runtimeExports reads the C runtime's export table.
func runtimeExports() []symtab.Symbol {
	var out []symtab.Symbol
	tab := unsafe.Slice(C.exports(), 1<<16)
	for i := 0; tab[i].name != nil; i++ {
		x := &tab[i]
		out = append(out, symtab.Symbol{Name: C.GoString(x.name), Addr: uint64(uintptr(x.addr)),
			Type: byte(x._type), GPLOnly: x.gpl != 0})
	}
	return out
}

// The registry: which module a struct module pointer or a code address
// belongs to, for the C runtime's calls back into Go.
var registry struct {
	sync.RWMutex
	byThis    map[uint64]*lifecycle.Module
	byOwner   map[int32]*mapping
	callbacks map[*lifecycle.Kernel]map[string]lifecycle.Func
}

var nextOwner atomic.Int32

func init() {
	registry.byThis = map[uint64]*lifecycle.Module{}
	registry.byOwner = map[int32]*mapping{}
	registry.callbacks = map[*lifecycle.Kernel]map[string]lifecycle.Func{}
}

// mappingAt returns the mapping whose module memory holds the code
// address pc, or nil.
func mappingAt(pc uint64) *mapping {
	owner := int32(C.golink_rt_owner(C.uint64_t(pc)))
	if owner == 0 {
		return nil
	}
	registry.RLock()
	defer registry.RUnlock()
	return registry.byOwner[owner]
}

// Map reserves a module's core and init regions and its per-cpu area in
// the module area, in one block, readable and writable until Install
// protects them.
func (e *Executor) Map(mod *lifecycle.Module, l *golink.Module) (lifecycle.Memory, error) {
	m := &mapping{e: e, mod: mod, owner: nextOwner.Add(1), sig: signatureOf(l)}
	coreSize, initSize := roundPage(l.Core.Size), roundPage(l.Init.Size)
	total := coreSize + initSize + roundPage(l.PercpuSize)
	if b, ok := e.arena.cache.take(m.sig); ok {
		m.reused, m.block, m.shadow = true, b.block, b.shadow
		if m.shadow == nil {
			m.shadow = make([]byte, total)
		}
	} else {
		addr, err := e.arena.alloc(total)
		if err != nil {
			return nil, err
		}
		m.block = span{addr, total}
	}
	addr := m.block.addr
	m.core = span{addr, l.Core.Size}
	m.init = span{addr + coreSize, l.Init.Size}
	if l.PercpuSize > 0 {
		m.percpu = span{addr + coreSize + initSize, l.PercpuSize}
	}
	return m, nil
}

func roundPage(n uint64) uint64 { return (n + pageSize - 1) &^ (pageSize - 1) }

// Callback returns the callback a module registered under name with
// golink_register_callback, as a function owned by that module: calling
// it takes a reference first (the Golden Rule).
func Callback(k *lifecycle.Kernel, name string) (lifecycle.Func, error) {
	registry.RLock()
	defer registry.RUnlock()
	f, ok := registry.callbacks[k][name]
	if !ok {
		return lifecycle.Func{}, fmt.Errorf("no callback %q registered", name)
	}
	return f, nil
}
