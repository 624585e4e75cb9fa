//go:build linux && amd64 && cgo

package host

// Go functions the C runtime calls, and two that modules call directly
// (ktime_get_ns, get_random_u32): Go exported through cgo, its C entry
// point listed in the export table like any C function.

/*
#include <stdint.h>
*/
import "C"

import (
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/golink/golink/lifecycle"
)

var boot = time.Now()

// golinkPrintk logs a formatted printk line for the module whose code
// called printk.
//
//export golinkPrintk
func golinkPrintk(caller C.uint64_t, msg *C.char, n C.int) {
	text := C.GoStringN(msg, n)
	if m := mappingAt(uint64(caller)); m != nil {
		m.mod.Kernel().Printk(m.mod.Name, text)
		return
	}
	fmt.Fprintf(os.Stderr, "golink: printk from %#x, outside any module: %q\n", uint64(caller), text)
}

func moduleByThis(this C.uint64_t) (*lifecycle.Module, bool) {
	registry.RLock()
	defer registry.RUnlock()
	m, ok := registry.byThis[uint64(this)]
	return m, ok
}

// golinkTryModuleGet is try_module_get. NULL is the kernel: true. A
// pointer that is no loaded module's struct module is refused (the kernel
// would follow it and crash).
//
//export golinkTryModuleGet
func golinkTryModuleGet(this C.uint64_t) C.int {
	if this == 0 {
		return 1
	}
	m, ok := moduleByThis(this)
	if !ok {
		fmt.Fprintf(os.Stderr, "golink: try_module_get(%#x): not a loaded module\n", uint64(this))
		return 0
	}
	if m.TryGet() {
		return 1
	}
	return 0
}

//export golinkModulePut
func golinkModulePut(this C.uint64_t) {
	if m, ok := moduleByThis(this); ok {
		m.Put()
	}
}

//export golinkModuleGet
func golinkModuleGet(this C.uint64_t) {
	if m, ok := moduleByThis(this); ok {
		m.Get()
	}
}

//export golinkModuleRefcount
func golinkModuleRefcount(this C.uint64_t) C.int {
	if m, ok := moduleByThis(this); ok {
		return C.int(m.Refcount())
	}
	return 0
}

// golinkSymbolGet is __symbol_get, in the kernel of the calling module.
//
//export golinkSymbolGet
func golinkSymbolGet(caller C.uint64_t, name *C.char) C.uint64_t {
	m := mappingAt(uint64(caller))
	if m == nil {
		return 0
	}
	addr, err := m.mod.Kernel().SymbolGet(C.GoString(name))
	if err != nil {
		return 0
	}
	return C.uint64_t(addr)
}

//export golinkSymbolPut
func golinkSymbolPut(caller C.uint64_t, name *C.char) {
	if m := mappingAt(uint64(caller)); m != nil {
		if err := m.mod.Kernel().SymbolPut(C.GoString(name)); err != nil {
			m.mod.Kernel().Log().Logf(lifecycle.LevelErr, "%s: %v", m.mod.Name, err)
		}
	}
}

// golinkRegisterCallback records fn, owned by the module whose struct
// module is owner (or, if owner is NULL, by the module fn lies in), under
// name in the caller's kernel. Go calls it through Callback, which takes a
// reference on the owner first. Returns 0 or -EEXIST.
//
//export golinkRegisterCallback
func golinkRegisterCallback(caller C.uint64_t, name *C.char, fn, owner C.uint64_t) C.int {
	m := mappingAt(uint64(caller))
	if m == nil {
		return -22
	}
	k := m.mod.Kernel()
	mod := k.ModuleAt(uint64(fn))
	if o, ok := moduleByThis(owner); ok {
		mod = o
	}
	if mod == nil {
		return -22 // EINVAL: a callback in no module
	}
	registry.Lock()
	defer registry.Unlock()
	cbs := registry.callbacks[k]
	if cbs == nil {
		cbs = map[string]lifecycle.Func{}
		registry.callbacks[k] = cbs
	}
	n := C.GoString(name)
	if _, ok := cbs[n]; ok {
		return -17
	}
	cbs[n] = lifecycle.Func{Module: mod, Name: n, Addr: uint64(fn)}
	return 0
}

//export golinkUnregisterCallback
func golinkUnregisterCallback(caller C.uint64_t, name *C.char) C.int {
	m := mappingAt(uint64(caller))
	if m == nil {
		return -22
	}
	registry.Lock()
	defer registry.Unlock()
	cbs := registry.callbacks[m.mod.Kernel()]
	n := C.GoString(name)
	if _, ok := cbs[n]; !ok {
		return -2
	}
	delete(cbs, n)
	return 0
}

// golinkKtimeGetNs is ktime_get_ns: monotonic nanoseconds since boot
// (here, since the package was initialised).
//
//export golinkKtimeGetNs
func golinkKtimeGetNs() C.uint64_t { return C.uint64_t(time.Since(boot)) }

// golinkMsleep is msleep: the calling thread sleeps; the Go scheduler
// runs other goroutines meanwhile.
//
//export golinkMsleep
func golinkMsleep(ms C.uint) { time.Sleep(time.Duration(ms) * time.Millisecond) }

// golinkGetRandomU32 is get_random_u32.
//
//export golinkGetRandomU32
func golinkGetRandomU32() C.uint32_t { return C.uint32_t(rand.Uint32()) }
