//go:build linux

package elf

import (
	"math/bits"
	"os"
	"sync"
	"syscall"
)

// Files are read, never mapped. A mapped file that is truncated while in
// use raises SIGBUS on the next touch of a lost page and kills the
// process; a read file that is short or shrinks as it is read is only a
// short buffer, which Decode refuses with a *FormatError like any other
// truncated object. Reading is also no slower (BenchmarkOpenTree: open,
// decode and close the 4022 modules of the 6.1 tree, 2 cores, idle
// machine, three runs of 5): read 159-167 ms vs mapped 171-185 ms on one
// goroutine, 89-95 ms vs 141-150 ms on two, where munmap's TLB shootdowns
// cost the mapping most. On the 6.12 .ko.xz tree xz dominates and both
// read the compressed file once (27.0 s vs 24.7 s, 14.7 s vs 19.0 s).
//
// Buffers are recycled through one pool per power-of-two size class, so a
// tool that opens thousands of modules in turn (modinfo, depmod, golink's
// Batch, which detaches each object between its passes: see File.Detach)
// reuses a few buffers instead of allocating each file anew. This is the
// package's
// only shared state, and it is not observable: a buffer belongs to exactly
// one caller from ReadFile until its release, its previous contents are
// never exposed beyond the bytes read into it (the result is cut to the
// bytes read), and no result depends on which buffer was used or on how
// callers interleave (TestReadFileConcurrent runs it under -race).
const (
	minClass = 12 // 4 KiB: smallest pooled buffer
	maxClass = 26 // 64 MiB: larger files get a buffer of their own
)

// keepPerClass is how many free buffers of each class up to keepClass the
// pool keeps; larger ones go back to the garbage collector. Unlike a
// sync.Pool, which a garbage collection empties, the kept buffers survive
// collections: a fresh buffer costs a page fault per page and, reusing
// heap memory, a clear of all of it.
const (
	keepPerClass = 4
	keepClass    = 22 // 4 MiB
)

// readPools holds the free buffers, by class.
var readPools [maxClass + 1]struct {
	mu   sync.Mutex
	free []*[]byte
}

func getBuffer(class int) *[]byte {
	p := &readPools[class]
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return nil
}

func putBuffer(class int, b *[]byte) {
	if class > keepClass {
		return
	}
	p := &readPools[class]
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < keepPerClass {
		p.free = append(p.free, b)
	}
}

// sizeClass returns the class of a buffer holding n bytes.
func sizeClass(n int) int {
	if n <= 1<<minClass {
		return minClass
	}
	return bits.Len(uint(n - 1))
}

// ReadFile reads the file at path whole, with read(2), into a recycled
// buffer, and returns the bytes and the function that gives the buffer
// back (never nil; call it once, after the last use of data or of any
// slice of it). A file that changes size while read yields what was
// read, which Decode refuses if it is shorter than its headers say; a
// file larger than MaxModuleSize is refused with EFBIG, as finit_module
// refuses it. Errors are *os.PathError values.
func ReadFile(path string) (data []byte, release func(), err error) {
	data, release, _, err = readFile(path)
	return data, release, err
}

// fileID tells a file's contents apart without reading them: the same
// inode, size and change time (which every write updates) mean the same
// bytes.
type fileID struct {
	dev, ino     uint64
	size         int64
	ctime, mtime syscall.Timespec
}

// readFile is ReadFile, also returning the file's identity as it was
// read (the zero fileID for what is not a regular file).
func readFile(path string) (data []byte, release func(), id fileID, err error) {
	fd, err := open(path)
	if err != nil {
		return nil, nil, id, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, nil, id, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	id = fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), size: st.Size, ctime: st.Ctim, mtime: st.Mtim}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Size <= 0 {
		// A pipe, a device, or a file of a file system that reports no
		// size (procfs): read until EOF, without trusting a size.
		b, err := os.ReadFile(path)
		if err == nil && len(b) > MaxModuleSize {
			return nil, nil, id, &os.PathError{Op: "read", Path: path, Err: syscall.EFBIG}
		}
		return b, func() {}, fileID{}, err
	}
	if st.Size > MaxModuleSize {
		return nil, nil, id, &os.PathError{Op: "read", Path: path, Err: syscall.EFBIG}
	}
	size := int(st.Size)
	// One byte more than the size, to see a file that grew.
	class := sizeClass(size + 1)
	var bp *[]byte
	if class <= maxClass {
		if bp = getBuffer(class); bp == nil {
			b := make([]byte, 1<<class)
			bp = &b
		}
	} else {
		b := make([]byte, size+1)
		bp = &b
	}
	put := func() {
		if class <= maxClass {
			putBuffer(class, bp)
		}
	}
	buf := (*bp)[:size+1]
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			put()
			return nil, nil, id, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break
		}
		n += m
	}
	if n > size {
		// It grew while read: take it whole, as it is now.
		put()
		b, err := os.ReadFile(path)
		if err == nil && len(b) > MaxModuleSize {
			return nil, nil, id, &os.PathError{Op: "read", Path: path, Err: syscall.EFBIG}
		}
		return b, func() {}, fileID{}, err
	}
	var once sync.Once
	return buf[:n:n], func() { once.Do(put) }, id, nil
}

func open(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
