package golink

import (
	"fmt"
	"sync"
	"syscall"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/workers"
	"github.com/golink/golink/symtab"
)

// Batch links many modules into one kernel, as if each were insmod'ed in
// dependency order: a module's exports become visible to the modules loaded
// after it, and a module whose provider is missing or failed fails with the
// kernel's "Unknown symbol" while the rest go on.
//
// The load order is decided before anything is linked: providers before
// the modules that use them, ties broken by the order of the paths given;
// where providers form a cycle, the first waiting module in path order
// goes next and fails on the symbols not exported yet. Of two modules
// exporting one name, the later in that order is refused ("exports
// duplicate symbol"), unless the earlier failed to link. Addresses are
// assigned in the order of the paths given: each module's core region is
// followed by its init region, the next module's core after that.
//
// The modules are linked on Jobs goroutines, each link waiting only for the
// earlier links that export a name it imports or exports, or import a name
// it exports. Every Result is therefore the one a sequential load in that
// order gives, whatever Jobs is and however the goroutines run.
type Batch struct {
	Config Config
	Kernel *symtab.Table // the kernel's exports; not modified
	Base   uint64        // address of the first core region (page aligned)
	Percpu uint64        // address of the first per-cpu area
	// Scratch is the address of the loader's temporary copies of the files
	// (see Placement.Scratch); every module gets the same one.
	Scratch uint64
	Jobs    int // goroutines; 0 means GOMAXPROCS

	// Output receives each module that linked, from a worker goroutine
	// (several at once when Jobs > 1); an error it returns fails that
	// module, whose exports stay visible to later modules. It may be nil.
	Output func(img *image.Image) error
	// Progress, if set, is called after each module with the counts so
	// far; calls do not overlap.
	Progress func(done, total int)
	// ReuseMemory lets one Run reuse each image's memory (CoreMem,
	// InitMem, PercpuMem, and the section Data aliasing them) for its later
	// modules once Output has returned; Output must then not keep them.
	ReuseMemory bool
}

// Result is the outcome for one input file.
type Result struct {
	Path        string
	Name        string // module name, if the file got that far
	Core, Init  uint64 // region bases assigned
	Relocations int
	Taints      image.Taint     // what the load tainted the module with
	Log         []image.LogLine // what the kernel would have logged loading it (see image.KernelLog)
	Err         error
}

// Run links the files at paths. It returns one Result per path, in the same
// order; a module's failure is in its Result, not in the error, which is
// reserved for misuse: a nil Kernel or Config.Arch.
func (b *Batch) Run(paths []string) ([]Result, error) {
	if b.Kernel == nil {
		return nil, fmt.Errorf("golink: Batch.Kernel is nil")
	}
	if b.Config.Arch == nil {
		return nil, fmt.Errorf("golink: Batch.Config.Arch is nil")
	}
	r := newBatchRun(b, paths)
	r.load()
	r.place()
	r.order()
	r.link()
	return r.results(), nil
}

// itemState is how far one module has got through a Run's phases.
type itemState int

const (
	itemNew     itemState = iota // not read yet
	itemRefused                  // failed before linking: unreadable, refused by NewModule, or a duplicate name
	itemLoaded                   // read, checked and laid out (NewModule)
	itemPlaced                   // has its addresses; waits for its turn in the load order
	itemOrdered                  // has its turn in the load order
	itemLinked                   // linked or failed to: its Result is final
)

// batchItem is one input file in a Run.
type batchItem struct {
	res    Result
	mod    *Module
	state  itemState
	percpu uint64 // per-cpu area assigned, if it has one
	// deps are the modules providing its imports (for each name, the
	// first exporter in path order); dependents the reverse.
	deps, dependents []int
	// importIDs and exportIDs are its imports and exports of names some
	// placed module exports, by the numbers providers gives them.
	importIDs, exportIDs []int32
}

// batchRun is one Run of a Batch: the files, what the phases decided
// about them, and the state their links share.
type batchRun struct {
	b     *Batch
	items []*batchItem // in path order
	// loadOrder holds the indexes of the placed modules in the order the
	// kernel would load them; after[k] the positions in loadOrder whose
	// links must finish before loadOrder[k]'s starts (see order).
	loadOrder []int
	after     [][]int
	table     *symtab.Table // the kernel's exports, then each linked module's
	memory    *memPool      // nil unless ReuseMemory

	mu   sync.Mutex // serializes Progress, and guards done
	done int
}

func newBatchRun(b *Batch, paths []string) *batchRun {
	r := &batchRun{b: b, items: make([]*batchItem, len(paths))}
	for i, p := range paths {
		r.items[i] = &batchItem{res: Result{Path: p}}
	}
	if b.ReuseMemory {
		r.memory = new(memPool)
	}
	return r
}

// load reads, checks and lays out every file (elf.Open, NewModule) on the
// batch's goroutines: nothing here depends on another module.
func (r *batchRun) load() {
	workers.Run(len(r.items), r.b.Jobs, func(i int) {
		it := r.items[i]
		obj, err := gelf.Open(it.res.Path)
		if err != nil {
			it.res.Err, it.state = err, itemRefused
			return
		}
		it.mod, it.res.Err = NewModule(obj, r.b.Config)
		if it.mod == nil {
			obj.Close()
			it.state = itemRefused
			return
		}
		// Until its turn to link, the module holds no buffer: a tree's
		// objects would otherwise all be in memory at once.
		it.mod.detach()
		it.res.Name, it.state = it.mod.Name, itemLoaded
	})
}

// place assigns each loaded module its core, init and per-cpu addresses,
// in path order, and refuses a module whose name an earlier one has
// (EEXIST), as a kernel that has it loaded already would.
func (r *batchRun) place() {
	page := r.b.Config.pageSize()
	core, percpu := alignUp(r.b.Base, page), r.b.Percpu
	byName := map[string]int{}
	for i, it := range r.items {
		if it.state != itemLoaded {
			continue
		}
		m := it.mod
		if prev, dup := byName[m.Name]; dup {
			m.File.Close()
			it.mod, it.state = nil, itemRefused
			it.res.Err = &KernelError{Module: m.Name, Errno: syscall.EEXIST,
				Msg: fmt.Sprintf("%s: a module of this name is already loaded", m.Name), Detail: "from " + r.items[prev].res.Path}
			continue
		}
		byName[m.Name] = i
		it.res.Core = core
		it.res.Init = core + m.Core.Size
		core = alignUp(it.res.Init+m.Init.Size, page)
		if m.Percpu != 0 {
			percpu = alignUp(percpu, m.PercpuAlign)
			it.percpu = percpu
			percpu += m.PercpuSize
		}
		it.state = itemPlaced
	}
}

// link links the modules of the load order on the batch's goroutines, each
// once the earlier links it must follow (after) have finished, so that
// every module finds the symbol table a sequential load would have shown
// it. workers.Ordered does the scheduling: the positions in the load order
// are a topological numbering of after by construction, so the scheduler
// needs no cycle handling, and with one goroutine it is the sequential
// load itself.
func (r *batchRun) link() {
	r.table = r.b.Kernel.Clone()
	for _, it := range r.items {
		if it.state == itemRefused {
			r.done++
		}
	}
	if r.b.Progress != nil && r.done > 0 {
		r.b.Progress(r.done, len(r.items))
	}
	workers.Ordered(r.b.Jobs, r.after, func(k int) {
		it := r.items[r.loadOrder[k]]
		r.linkOne(it)
		it.state = itemLinked
		r.mu.Lock()
		defer r.mu.Unlock()
		r.done++
		if r.b.Progress != nil {
			r.b.Progress(r.done, len(r.items))
		}
	})
}

// linkOne links one module at its placement against the table, adds its
// exports (refused if one is there already), and hands it to Output.
func (r *batchRun) linkOne(it *batchItem) {
	p := Placement{Core: it.res.Core, Init: it.res.Init, Percpu: it.percpu, Scratch: r.b.Scratch}
	if r.memory != nil {
		p.Alloc = r.memory.get
	}
	if err := it.mod.reattach(); err != nil {
		it.res.Err = err
		it.mod.File.Close()
		it.mod = nil
		return
	}
	img, err := it.mod.Link(p, r.table)
	if r.memory != nil && img != nil {
		defer func() {
			r.memory.put(img.CoreMem)
			r.memory.put(img.InitMem)
			r.memory.put(img.PercpuMem)
		}()
	}
	defer func() {
		it.mod.File.Close()
		it.mod = nil // let the object go
	}()
	if err != nil {
		it.res.Err = err
		return
	}
	if err := r.table.Add(img.Name, img.Exports); err != nil {
		it.res.Err = err
		return
	}
	it.res.Relocations = img.Relocations
	it.res.Taints, it.res.Log = img.Taints, img.Log
	if r.b.Output != nil {
		if err := r.b.Output(img); err != nil {
			it.res.Err = err
		}
	}
}

func (r *batchRun) results() []Result {
	out := make([]Result, len(r.items))
	for i, it := range r.items {
		out[i] = it.res
	}
	return out
}

// memPool recycles module memory between the links of one Run: reusing a
// buffer costs a clear, a fresh one a page fault per page and more garbage
// collection. Buffers are powers of two from 4 KiB, one sync.Pool per size.
type memPool struct{ classes [40]sync.Pool }

// sizeClass returns the log2 of the buffer size for n bytes, or
// len(memPool.classes) for sizes the pool does not keep.
func sizeClass(n uint64) int {
	c := 12 // 4 KiB at least
	for c < len(memPool{}.classes) && uint64(1)<<c < n {
		c++
	}
	return c
}

func (p *memPool) get(n uint64) []byte {
	c := sizeClass(n)
	if c >= len(p.classes) {
		return make([]byte, n)
	}
	if b, ok := p.classes[c].Get().(*[]byte); ok {
		buf := (*b)[:n]
		clear(buf)
		return buf
	}
	return make([]byte, n, 1<<c)
}

func (p *memPool) put(b []byte) {
	if cap(b) == 0 {
		return
	}
	c := sizeClass(uint64(cap(b)))
	if c >= len(p.classes) || 1<<c != cap(b) {
		return // not one of ours
	}
	b = b[:0]
	p.classes[c].Put(&b)
}
