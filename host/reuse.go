//go:build linux && amd64 && cgo

package host

import (
	"os"
	"sync"
	"syscall"
	"unsafe"

	"github.com/golink/golink"
	"github.com/golink/golink/image"
)

// Reinstalling without changing protections.
//
// Protecting a module's pages is what its load costs most: each mprotect
// is a page-table walk and, in a process with threads on other CPUs, a TLB
// shootdown — about 2.5-4 µs on the machines golink was measured on, five
// of them per load and removal. Yet a module that is removed and loaded
// again (or another with the same layout) wants exactly the protections
// its block already has. So a removed module's block is not given back
// to the free space: it keeps its protections (text read-execute, with the
// freed code overwritten by int3 so that a stale call traps; read-only data
// read-only; data read-write) and waits, with its layout as the key, for a
// module laid out the same way. That module is linked into a Go buffer and
// its bytes are written in through /proc/self/mem, which writes a page
// whatever its protection says — the way the kernel's text_poke patches its
// own read-only text through a temporary writable alias. No page is ever
// both writable and executable, and the protections never change.
//
// If /proc/self/mem cannot be written (a kernel booted with
// proc_mem.force_override=never), every load takes the ordinary path.

// signature is what makes two modules' blocks interchangeable: the same
// regions with the same class boundaries, so the same protections.
type signature struct {
	core, init image.Layout
	percpu     uint64
}

func signatureOf(l *golink.Module) signature {
	return signature{core: l.Core, init: l.Init, percpu: l.PercpuSize}
}

// cachedBlock is a removed module's block, protections kept.
type cachedBlock struct {
	sig    signature
	block  span
	shadow []byte // the Go buffer modules placed here are linked into
}

// maxCachedBytes bounds the memory kept in cached blocks.
const maxCachedBytes = 64 << 20

type blockCache struct {
	mu     sync.Mutex
	blocks []cachedBlock // oldest first
	bytes  uint64
}

// take returns a cached block for sig, if there is one.
func (c *blockCache) take(sig signature) (cachedBlock, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.blocks) - 1; i >= 0; i-- {
		if b := c.blocks[i]; b.sig == sig {
			c.blocks = append(c.blocks[:i], c.blocks[i+1:]...)
			c.bytes -= b.block.size
			return b, true
		}
	}
	return cachedBlock{}, false
}

// put keeps b and returns the blocks that no longer fit, oldest first.
func (c *blockCache) put(b cachedBlock) []cachedBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocks = append(c.blocks, b)
	c.bytes += b.block.size
	var evicted []cachedBlock
	for c.bytes > maxCachedBytes && len(c.blocks) > 0 {
		evicted = append(evicted, c.blocks[0])
		c.bytes -= c.blocks[0].block.size
		c.blocks = c.blocks[1:]
	}
	return evicted
}

// procMem is /proc/self/mem, opened once; nil if it cannot be written.
var procMem struct {
	once sync.Once
	f    *os.File
}

func openProcMem() *os.File {
	procMem.once.Do(func() {
		f, err := os.OpenFile("/proc/self/mem", os.O_RDWR, 0)
		if err != nil {
			return
		}
		// Check that it writes through a protection: poke a read-only
		// page of our own.
		p, errno := mmap(0, pageSize, syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
		if errno != 0 {
			f.Close()
			return
		}
		defer syscall.RawSyscall(syscall.SYS_MUNMAP, uintptr(p), pageSize, 0)
		if n, err := f.WriteAt([]byte{0xcc}, int64(p)); err != nil || n != 1 {
			f.Close()
			return
		}
		procMem.f = f
	})
	return procMem.f
}

// poke writes b at addr whatever the page's protection, through
// /proc/self/mem. It reports whether it could.
func poke(addr uint64, b []byte) bool {
	f := openProcMem()
	if f == nil || len(b) == 0 {
		return f != nil
	}
	for len(b) > 0 {
		// A raw pwrite: a few pages, no blocking, nothing for the poller.
		n, _, errno := syscall.RawSyscall6(syscall.SYS_PWRITE64, f.Fd(), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(addr), 0, 0)
		if errno != 0 || n == 0 {
			return false
		}
		b, addr = b[n:], addr+uint64(n)
	}
	return true
}

var int3Page = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = 0xcc
	}
	return b
}()

// trap fills [addr, addr+n) with int3, so that executing it traps. It
// reports whether it could.
func trap(addr, n uint64) bool {
	for n > 0 {
		k := min(n, uint64(len(int3Page)))
		if !poke(addr, int3Page[:k]) {
			return false
		}
		addr += k
		n -= k
	}
	return true
}
