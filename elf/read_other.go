//go:build !linux

package elf

import (
	"os"
	"syscall"
	"time"
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

// fileID tells a file's contents apart without reading them: the same
// size and modification time.
type fileID struct {
	size  int64
	mtime time.Time
}

// readFile is ReadFile, also returning the file's identity.
func readFile(path string) (data []byte, release func(), id fileID, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, id, err
	}
	if st.Mode().IsRegular() {
		id = fileID{st.Size(), st.ModTime()}
	}
	data, release, err = ReadFile(path)
	return data, release, id, err
}
