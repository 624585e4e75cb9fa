package lifecycle

import (
	"encoding/binary"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/params"
)

// struct module on Linux 6.1 x86_64 (include/linux/module.h): the offsets
// the loader reads. modpost's .mod.c fills init and exit with R_X86_64_64
// relocations against init_module and cleanup_module.
const (
	modStateOff = 0x000
	modInitOff  = 0x138
	modExitOff  = 0x350
)

// Module is a module in a Kernel: loaded from Load until Remove returns.
// The methods TryGet, Get and Put are the kernel's try_module_get,
// __module_get and module_put; like those they accept a nil *Module, the
// kernel itself, which is always there.
type Module struct {
	Name string

	k     *Kernel
	ref   refcount
	state atomic.Int32

	obj    *gelf.File
	mod    *golink.Module
	img    *image.Image
	mem    Memory
	args   string
	initFn uint64 // mod->init, 0 if none
	exitFn uint64 // mod->exit, 0 if none
	this   uint64 // address of __this_module

	paramsOnce sync.Once
	params     []params.Param
	paramsErr  error

	initFreed atomic.Bool
	gone      chan struct{} // closed when it has left the kernel's list

	// Guarded by k.mu.
	uses   []*Module        // modules whose exports this one resolved (target_list)
	users  map[*Module]bool // modules that resolved exports of this one (source_list)
	gets   map[string]int   // symbol_get references held on it, by symbol
	leaks  []Leak           // set by removal
	seq    uint64           // load order
	taints image.Taint      // what loading it tainted it with
	size   uint64           // core + init, as lsmod shows it
}

// TryGet is try_module_get: it takes a reference and returns true if the
// module is live (formed and not being removed), else returns false. It
// takes no lock; its cost does not grow with the number of CPUs calling
// it. A nil module is the kernel: always true.
func (m *Module) TryGet() bool {
	if m == nil {
		return true
	}
	return m.ref.tryGet()
}

// Get is __module_get: a reference taken unconditionally, for a caller
// that holds one already (or is the module itself).
func (m *Module) Get() {
	if m != nil {
		m.ref.get()
	}
}

// Put is module_put: it drops a reference taken with TryGet or Get.
func (m *Module) Put() {
	if m != nil {
		m.ref.put()
	}
}

// Refcount is module_refcount: the references held (a module that
// another uses counts that use). Exact when nobody is taking or dropping
// one; otherwise at least the number held at some moment during the call,
// so a caller holding a reference never sees 0.
func (m *Module) Refcount() int64 { return m.ref.count() }

// State returns the module's state.
func (m *Module) State() State { return State(m.state.Load()) }

// Live reports the live flag: true from COMING until removal starts, as
// the kernel's module_is_live.
func (m *Module) Live() bool { return m.ref.live.Load() }

// Kernel returns the kernel the module is loaded in.
func (m *Module) Kernel() *Kernel { return m.k }

// Image returns the module's linked image (nil before it is linked).
func (m *Module) Image() *image.Image { return m.img }

// Memory returns the module's memory (nil before it is mapped).
func (m *Module) Memory() Memory { return m.mem }

// ThisModule returns the address of the module's struct module
// (__this_module, what THIS_MODULE points at).
func (m *Module) ThisModule() uint64 { return m.this }

// Taints returns what loading the module tainted it with (out of tree,
// unsigned, proprietary, forced...).
func (m *Module) Taints() image.Taint { return m.taints }

// Args returns the parameters the module was loaded with.
func (m *Module) Args() string { return m.args }

// Contains reports whether addr lies in the module's memory: its core
// region, or its init region until that is freed.
func (m *Module) Contains(addr uint64) bool {
	if m.img == nil {
		return false
	}
	return m.img.Core.Contains(addr) || (!m.initFreed.Load() && m.img.Init.Contains(addr))
}

// Uses returns the names of the modules this one uses, sorted.
func (m *Module) Uses() []string {
	m.k.mu.Lock()
	defer m.k.mu.Unlock()
	var out []string
	for _, t := range m.uses {
		out = append(out, t.Name)
	}
	sort.Strings(out)
	return out
}

// UsedBy returns the names of the modules using this one, sorted: lsmod's
// "Used by" column.
func (m *Module) UsedBy() []string {
	m.k.mu.Lock()
	defer m.k.mu.Unlock()
	return m.usersLocked()
}

func (m *Module) usersLocked() []string {
	out := make([]string, 0, len(m.users))
	for u := range m.users {
		out = append(out, u.Name)
	}
	sort.Strings(out)
	return out
}

// Leaks returns, after removal, the memory the module allocated and did
// not free.
func (m *Module) Leaks() []Leak {
	m.k.mu.Lock()
	defer m.k.mu.Unlock()
	return append([]Leak(nil), m.leaks...)
}

// Gone returns a channel closed once the module has left the kernel.
func (m *Module) Gone() <-chan struct{} { return m.gone }

// setState records the state and mirrors it into the module's own struct
// module, where module code reading THIS_MODULE->state finds it.
func (m *Module) setState(s State) {
	m.state.Store(int32(s))
	if m.mem != nil && m.this != 0 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(s))
		m.mem.WriteAt(b[:], m.this+modStateOff) // best effort: a fake may not model it
	}
}

// entryPoints reads mod->init and mod->exit from the relocated struct
// module, as the kernel does; a struct module too small for 6.1's layout
// falls back to the init_module and cleanup_module symbols.
func (m *Module) entryPoints() {
	img := m.img
	if v, ok := img.Symbol("__this_module"); ok {
		m.this = v
	}
	if s := img.Section(".gnu.linkonce.this_module"); s != nil && m.this == 0 {
		m.this = s.Addr
	}
	if s := img.Section(".gnu.linkonce.this_module"); s != nil && len(s.Data) >= modExitOff+8 {
		m.initFn = binary.LittleEndian.Uint64(s.Data[modInitOff:])
		m.exitFn = binary.LittleEndian.Uint64(s.Data[modExitOff:])
		return
	}
	m.initFn, _ = img.Symbol("init_module")
	m.exitFn, _ = img.Symbol("cleanup_module")
}
