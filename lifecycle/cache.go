package lifecycle

import (
	"bytes"
	"hash/maphash"
	"sync"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
)

// layoutCache remembers the checked and laid-out form of recently loaded
// images (golink.NewModule's result, which is immutable and may be linked
// any number of times), so that loading the same bytes again — a module
// removed and reloaded — starts at linking. It keeps its own copy of each
// image, so a caller may reuse its buffer.
type layoutCache struct {
	mu      sync.Mutex
	seed    maphash.Seed
	max     int
	entries []cacheEntry // oldest first
}

type cacheEntry struct {
	hash uint64
	name string // the file name: it names a module built without one
	data []byte
	mod  *golink.Module
}

// defaultCacheSize is how many images a kernel remembers.
const defaultCacheSize = 32

func (c *layoutCache) key(name string, image []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(name)
	h.Write(image)
	return h.Sum64()
}

// get returns the laid-out module for image, building and remembering it
// if need be.
func (c *layoutCache) get(name string, image []byte, build func(*gelf.File) (*golink.Module, error)) (*golink.Module, error) {
	c.mu.Lock()
	if c.max == 0 {
		c.mu.Unlock()
		obj, err := gelf.Decode(name, image)
		if err != nil {
			return nil, err
		}
		return build(obj)
	}
	h := c.key(name, image)
	for _, e := range c.entries {
		if e.hash == h && e.name == name && bytes.Equal(e.data, image) {
			c.mu.Unlock()
			return e.mod, nil
		}
	}
	c.mu.Unlock()
	data := bytes.Clone(image)
	obj, err := gelf.Decode(name, data)
	if err != nil {
		return nil, err
	}
	m, err := build(obj)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		c.entries = append(c.entries[:0], c.entries[len(c.entries)-c.max+1:]...)
	}
	c.entries = append(c.entries, cacheEntry{hash: h, name: name, data: data, mod: m})
	c.mu.Unlock()
	return m, nil
}

func (c *layoutCache) setMax(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max = max(n, 0)
	if len(c.entries) > c.max {
		c.entries = append(c.entries[:0], c.entries[len(c.entries)-c.max:]...)
	}
}

// SetCacheSize sets how many images the kernel remembers in checked and
// laid-out form (32 to begin with); 0 turns the cache off, so that every
// load decodes and checks its image from scratch, as the kernel does.
func (k *Kernel) SetCacheSize(n int) { k.cache.setMax(n) }
