package kmod

import (
	"os"
	"syscall"
)

// mapFile maps path read-only. Empty files and files that cannot be mapped
// are read instead; unmap is nil then.
func mapFile(path string) ([]byte, func(), error) {
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
	if !st.Mode().IsRegular() || size == 0 || size != int64(int(size)) {
		b, err := os.ReadFile(path)
		return b, nil, err
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		b, err := os.ReadFile(path)
		return b, nil, err
	}
	return b, func() { syscall.Munmap(b) }, nil
}
