//go:build linux && cgo

// Package dl measures what golink's loader is compared with: the dynamic
// loader's dlopen, dlsym and dlclose, for benchmarks only.
package dl

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

// cycle loads the shared object at path, runs init, runs exit if there is
// one, and unloads it: the same life a module has under insmod and rmmod.
static int cycle(const char *path, const char *init, const char *exit_)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -1;
	int (*i)(void) = (int (*)(void))dlsym(h, init);
	void (*e)(void) = (void (*)(void))dlsym(h, exit_);
	if (!i) {
		dlclose(h);
		return -2;
	}
	int r = i();
	if (e)
		e();
	if (dlclose(h))
		return -3;
	return r;
}

static const char *error(void)
{
	const char *e = dlerror();
	return e ? e : "";
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Cycle dlopens path, calls the function init, then exit (if the object
// has it), and dlcloses it. It returns what init returned.
func Cycle(path, init, exit string) (int, error) {
	p, i, e := C.CString(path), C.CString(init), C.CString(exit)
	defer C.free(unsafe.Pointer(p))
	defer C.free(unsafe.Pointer(i))
	defer C.free(unsafe.Pointer(e))
	r := int(C.cycle(p, i, e))
	switch r {
	case -1:
		return 0, fmt.Errorf("dlopen %s: %s", path, C.GoString(C.error()))
	case -2:
		return 0, fmt.Errorf("dlsym %s: %s", init, C.GoString(C.error()))
	case -3:
		return 0, fmt.Errorf("dlclose %s: %s", path, C.GoString(C.error()))
	}
	return r, nil
}
