package elf

import (
	"io"
	"os"
	"syscall"
)

// mapThreshold is the size from which readFile maps a file instead of
// reading it: below it a read is cheaper than setting up a mapping.
const mapThreshold = 64 << 10

// readFile returns the contents of path, mapped read-only when large, and
// the function that releases them.
func readFile(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if !st.Mode().IsRegular() || size > MaxModuleSize {
		data, err := os.ReadFile(path)
		return data, func() {}, err
	}
	if size < mapThreshold {
		data := make([]byte, size)
		_, err := io.ReadFull(f, data)
		return data, func() {}, err
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		data, err := os.ReadFile(path)
		return data, func() {}, err
	}
	return data, func() { syscall.Munmap(data) }, nil
}
