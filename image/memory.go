package image

import (
	"bytes"
	"fmt"
)

// ParamArea is memory golink provides for what the kernel would kmalloc
// while parsing parameters: the copies param_set_charp makes of charp
// values. It is not module memory; an image writes it as its own segment
// and section (KmallocSection), so that the pointers stored in the module's
// variables point at readable bytes. Base should be an address where
// kmalloc memory lives (x86_64's direct map starts at 0xffff888000000000
// without KASLR) and distinct per module.
type ParamArea struct {
	Base uint64
	Cap  int    // bytes available; 0 means 1 MiB
	Data []byte // what has been allocated so far
}

// Kmalloc implements params.Allocator: n bytes, 8-aligned, zeroed. It
// fails when the area is full.
func (a *ParamArea) Kmalloc(n int) (uint64, error) {
	limit := a.Cap
	if limit == 0 {
		limit = 1 << 20
	}
	off := (len(a.Data) + 7) &^ 7
	if n < 0 || off+n > limit {
		return 0, fmt.Errorf("kmalloc(%d): the parameter area at %#x is full (%d of %d bytes used)", n, a.Base, len(a.Data), limit)
	}
	a.Data = append(a.Data, make([]byte, off+n-len(a.Data))...)
	return a.Base + uint64(off), nil
}

// Slice returns the n bytes of memory at addr — core, init, per-cpu or
// parameter area — aliasing it, or an error if they do not lie within one
// of them.
func (img *Image) Slice(addr, n uint64) ([]byte, error) {
	if b := img.rest(addr); n <= uint64(len(b)) {
		return b[:n:n], nil
	}
	return nil, fmt.Errorf("%#x+%d is not in %s's memory", addr, n, img.Name)
}

// rest returns the memory from addr to the end of the block holding it,
// or nil.
func (img *Image) rest(addr uint64) []byte {
	var kbase uint64
	var kmem []byte
	if img.Kmalloc != nil {
		kbase, kmem = img.Kmalloc.Base, img.Kmalloc.Data
	}
	for _, r := range [...]struct {
		base uint64
		mem  []byte
	}{{img.Core.Base, img.CoreMem}, {img.Init.Base, img.InitMem}, {img.Percpu.Base, img.PercpuMem}, {kbase, kmem}} {
		if off := addr - r.base; addr >= r.base && off < uint64(len(r.mem)) {
			return r.mem[off:]
		}
	}
	return nil
}

// ReadAt reads module memory at addr (params.Memory).
func (img *Image) ReadAt(p []byte, addr uint64) error {
	s, err := img.Slice(addr, uint64(len(p)))
	if err == nil {
		copy(p, s)
	}
	return err
}

// WriteAt writes module memory at addr in place (params.Memory).
func (img *Image) WriteAt(p []byte, addr uint64) error {
	s, err := img.Slice(addr, uint64(len(p)))
	if err == nil {
		copy(s, p)
	}
	return err
}

// CString reads the NUL-terminated string at addr in module memory.
func (img *Image) CString(addr uint64) (string, error) {
	b := img.rest(addr)
	if b == nil {
		return "", fmt.Errorf("%#x is not in %s's memory", addr, img.Name)
	}
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", fmt.Errorf("the string at %#x runs off the end of %s's memory", addr, img.Name)
	}
	return string(b[:i]), nil
}
