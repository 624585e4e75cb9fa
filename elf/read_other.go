//go:build !unix

package elf

import (
	"os"
	"syscall"
)

// ReadFile reads the file at path whole. On this system it allocates each
// file anew; the release function it returns does nothing. A file larger
// than MaxModuleSize is refused with EFBIG. Errors are *os.PathError values.
func ReadFile(path string) (data []byte, release func(), err error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) > MaxModuleSize {
		return nil, nil, &os.PathError{Op: "read", Path: path, Err: syscall.EFBIG}
	}
	return b, func() {}, err
}
