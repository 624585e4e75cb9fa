package kmod

import (
	"os"
	"sync"
	"syscall"
)

// Module files are read into recycled buffers, neither mapped nor read
// through os.File: kmod's tools look at a small part of each module, but
// with goroutines mapping and unmapping thousands of files, munmap's TLB
// shootdowns cost more than copying the files (golink modinfo over the
// 6.1 tree: 183 ms mapped, 112 ms read), and os.File registers every file
// with the runtime's poller.
var readPool sync.Pool // of *[]byte

// readFile reads path with read(2) into a recycled buffer that release
// gives back; release is nil for a buffer of its own.
func readFile(path string) ([]byte, func(), error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	size := int(st.Size)
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG || size <= 0 || size > 64<<20 {
		b, err := os.ReadFile(path)
		return b, nil, err
	}
	var bp *[]byte
	if v := readPool.Get(); v != nil {
		bp = v.(*[]byte)
	}
	if bp == nil || cap(*bp) < size+1 {
		b := make([]byte, max(size+1, 256<<10))
		bp = &b
	}
	buf := (*bp)[:size+1]
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			readPool.Put(bp)
			return nil, nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break
		}
		n += m
	}
	if n > size { // grew while read: take it whole
		readPool.Put(bp)
		b, err := os.ReadFile(path)
		return b, nil, err
	}
	return buf[:n], func() { readPool.Put(bp) }, nil
}
