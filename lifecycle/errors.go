package lifecycle

import (
	"fmt"
	"strings"
	"syscall"
)

// Error is a refusal of the module calls (init_module, delete_module,
// symbol_get), with the errno the system call would return. Msg is the
// kernel's message where it prints one, else what rmmod or insmod would
// say.
type Error struct {
	Module string
	Op     string // "load", "remove", "symbol_get", "symbol_put"
	Errno  syscall.Errno
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (err %d)", e.Msg, -int(e.Errno))
}

// Unwrap returns the errno, so errors.Is(err, syscall.EEXIST) works.
func (e *Error) Unwrap() error { return e.Errno }

// BusyError is a removal refused because the module is in use: other
// modules use its exports (Users, the kernel's source_list) or references
// are held (Refcount). Errno is EWOULDBLOCK, as delete_module returns.
type BusyError struct {
	Module   string
	Users    []string // modules that depend on it, sorted
	Refcount int64    // references held when removal was tried
	Errno    syscall.Errno
}

// Error reads as rmmod's complaint: "Module hello is in use by: greeter".
func (e *BusyError) Error() string {
	if len(e.Users) > 0 {
		return fmt.Sprintf("Module %s is in use by: %s", e.Module, strings.Join(e.Users, " "))
	}
	return fmt.Sprintf("Module %s is in use (refcount %d)", e.Module, e.Refcount)
}

// Unwrap returns the errno.
func (e *BusyError) Unwrap() error { return e.Errno }

// InitError is a module whose init function returned an error: the load
// failed and everything it did was undone.
type InitError struct {
	Module string
	Ret    int32 // what init returned, a negative errno
}

func (e *InitError) Error() string {
	if e.Ret < 0 && e.Ret > -4096 {
		return fmt.Sprintf("%s: init failed: %d (%v)", e.Module, e.Ret, syscall.Errno(-e.Ret))
	}
	return fmt.Sprintf("%s: init failed: %d", e.Module, e.Ret)
}

// Unwrap returns the errno init returned.
func (e *InitError) Unwrap() error {
	if e.Ret < 0 {
		return syscall.Errno(-e.Ret)
	}
	return nil
}

// NotLiveError is a call into a module refused by the Golden Rule: no
// reference could be taken, because the module is not live (still being
// formed, being removed, or gone).
type NotLiveError struct {
	Module string
	Func   string // the function's name, or its address in hex
	State  State
}

func (e *NotLiveError) Error() string {
	return fmt.Sprintf("%s: cannot call %s: module is %s", e.Module, e.Func, e.State)
}

// Unwrap returns ENOENT, what strong_try_module_get returns for a module
// that is not live.
func (e *NotLiveError) Unwrap() error { return syscall.ENOENT }

// Leak is memory a module allocated and had not freed when it was removed.
type Leak struct {
	Addr   uint64
	Size   int
	Caller string // where it was allocated: "hello_init+0x1c", or an address
}
