package golink

import (
	"fmt"
	"syscall"
)

// KernelError is a refusal the kernel's loader makes, in its words: Msg is
// the line dmesg would show (the module name substituted), Errno what
// load_module would return, Detail golink's explanation where it adds one.
type KernelError struct {
	Module string
	Msg    string
	Errno  syscall.Errno
	Detail string
}

func (e *KernelError) Error() string {
	if e.Detail == "" {
		return e.Msg
	}
	return e.Msg + " (" + e.Detail + ")"
}

func kernelErr(module string, errno syscall.Errno, detail string, format string, args ...any) *KernelError {
	return &KernelError{Module: module, Msg: fmt.Sprintf(format, args...), Errno: errno, Detail: detail}
}

// UnknownSymbolError is an undefined symbol that did not resolve: no loaded
// module or the kernel exports it (Errno ENOENT), or its export was refused
// (EINVAL: bad CRC or namespace not imported; Reason says which).
type UnknownSymbolError struct {
	Module string
	Symbol string
	Errno  syscall.Errno
	Reason string // the kernel's preceding message, or ""
	Hint   string // golink's explanation, or ""
}

func (e *UnknownSymbolError) Error() string {
	s := fmt.Sprintf("%s: Unknown symbol %s (err %d)", e.Module, e.Symbol, -int(e.Errno))
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	if e.Reason != "" {
		s = e.Reason + "\n" + s
	}
	return s
}
