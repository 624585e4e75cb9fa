package golink

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/symtab"
)

// Batch links many modules into one kernel, as if each were insmod'ed in
// dependency order: a module's exports become visible to the modules loaded
// after it, and a module whose provider is missing or failed fails with the
// kernel's "Unknown symbol" while the rest go on.
//
// Addresses are assigned in the order of the paths given, before anything is
// linked, so the result does not depend on scheduling: each module's core
// region is followed by its init region, the next module's core after that.
type Batch struct {
	Config Config
	Kernel *symtab.Table // the kernel's exports; not modified
	Base   uint64        // address of the first core region (page aligned)
	Percpu uint64        // address of the first per-cpu area
	// Scratch is the address of the loader's temporary copies of the files
	// (see Placement.Scratch); every module gets the same one.
	Scratch uint64
	Jobs    int // goroutines; 0 means GOMAXPROCS

	// Output receives each module that linked, from a worker goroutine; an
	// error it returns fails that module. It may be nil.
	Output func(img *image.Image) error
	// Progress, if set, is called after each module with the counts so far.
	Progress func(done, total int)
	// ReuseMemory lets the batch reuse each image's memory (CoreMem,
	// InitMem, PercpuMem, and the section Data aliasing them) for later
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
	Log         []image.LogLine // what the kernel would have logged loading it (see KernelLog)
	Err         error
}

type batchItem struct {
	res        Result
	mod        *Module
	percpu     uint64
	deps       []int // indexes of modules providing its imports
	dependents []int
	pending    int
	state      int // 0 waiting, 1 running, 2 done
}

// Run links the files at paths. It returns one Result per path, in the same
// order; a module's failure is in its Result, not in the error, which is
// reserved for misuse.
func (b *Batch) Run(paths []string) ([]Result, error) {
	if b.Kernel == nil {
		return nil, fmt.Errorf("golink: Batch.Kernel is nil")
	}
	if b.Config.Arch == nil {
		return nil, fmt.Errorf("golink: Batch.Config.Arch is nil")
	}
	jobs := b.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	items := make([]*batchItem, len(paths))
	for i, p := range paths {
		items[i] = &batchItem{res: Result{Path: p}}
	}

	// Read, check and lay out every module.
	parallel(len(items), jobs, func(i int) {
		it := items[i]
		obj, err := gelf.Open(it.res.Path)
		if err != nil {
			it.res.Err = err
			return
		}
		it.mod, it.res.Err = NewModule(obj, b.Config)
		if it.mod != nil {
			it.res.Name = it.mod.Name
		} else {
			obj.Close()
		}
	})

	// Place the modules, and find who provides what.
	page := b.Config.pageSize()
	core, percpu := alignUp(b.Base, page), b.Percpu
	byName := map[string]int{}
	provider := map[string]int{}
	for i, it := range items {
		if it.res.Err != nil {
			continue
		}
		m := it.mod
		if prev, dup := byName[m.Name]; dup {
			m.File.Close()
			it.res.Err = &KernelError{Module: m.Name, Errno: syscall.EEXIST,
				Msg: fmt.Sprintf("%s: a module of this name is already loaded", m.Name), Detail: "from " + items[prev].res.Path}
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
		for _, e := range m.Exports {
			if _, kernel := b.Kernel.Lookup(e); kernel {
				continue
			}
			if _, seen := provider[e]; !seen {
				provider[e] = i
			}
		}
	}
	for i, it := range items {
		if it.res.Err != nil {
			it.state = 2
			continue
		}
		seen := map[int]bool{}
		for _, name := range it.mod.Imports {
			if p, ok := provider[name]; ok && p != i && !seen[p] {
				seen[p] = true
				it.deps = append(it.deps, p)
				items[p].dependents = append(items[p].dependents, i)
			}
		}
		it.pending = len(it.deps)
	}
	for _, it := range items {
		if it.state == 2 {
			continue
		}
		for _, d := range it.deps {
			if items[d].state == 2 {
				it.pending--
			}
		}
	}

	table := b.Kernel.Clone()
	total := len(items)
	var mu sync.Mutex
	done := 0
	for _, it := range items {
		if it.state == 2 {
			done++
		}
	}
	if b.Progress != nil && done > 0 {
		b.Progress(done, total)
	}
	work := make(chan int)
	finished := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				b.linkOne(items[i], table)
				finished <- i
			}
		}()
	}
	// The scheduler: start every module whose providers are done; when none
	// is ready but some wait (a dependency cycle), start the first of them,
	// which then fails as the kernel would, on its unknown symbols.
	// ready holds the waiting modules whose providers are all done, in
	// path order of becoming ready; cycle members are taken in path order.
	running := 0
	var ready []int
	for i, it := range items {
		if it.state == 0 && it.pending == 0 {
			ready = append(ready, i)
		}
	}
	firstWaiting := 0
	next := func() int {
		for len(ready) > 0 {
			i := ready[0]
			ready = ready[1:]
			if items[i].state == 0 {
				return i
			}
		}
		if running == 0 {
			for ; firstWaiting < len(items); firstWaiting++ {
				if items[firstWaiting].state == 0 {
					return firstWaiting
				}
			}
		}
		return -1
	}
	for done < total {
		for running < jobs {
			i := next()
			if i < 0 {
				break
			}
			items[i].state = 1
			running++
			work <- i
		}
		i := <-finished
		running--
		mu.Lock()
		items[i].state = 2
		done++
		for _, d := range items[i].dependents {
			items[d].pending--
			if items[d].pending == 0 && items[d].state == 0 {
				ready = append(ready, d)
			}
		}
		mu.Unlock()
		if b.Progress != nil {
			b.Progress(done, total)
		}
	}
	close(work)
	wg.Wait()
	out := make([]Result, len(items))
	for i, it := range items {
		out[i] = it.res
	}
	return out, nil
}

func (b *Batch) linkOne(it *batchItem, table *symtab.Table) {
	p := Placement{Core: it.res.Core, Init: it.res.Init, Percpu: it.percpu, Scratch: b.Scratch}
	if b.ReuseMemory {
		p.Alloc = memory.get
	}
	img, err := it.mod.Link(p, table)
	if b.ReuseMemory && img != nil {
		defer func() {
			memory.put(img.CoreMem)
			memory.put(img.InitMem)
			memory.put(img.PercpuMem)
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
	if err := table.Add(img.Name, img.Exports); err != nil {
		it.res.Err = err
		return
	}
	it.res.Relocations = img.Relocations
	it.res.Taints, it.res.Log = img.Taints, img.Log
	if b.Output != nil {
		if err := b.Output(img); err != nil {
			it.res.Err = err
		}
	}
}

// parallel runs f(0..n-1) on jobs goroutines.
func parallel(n, jobs int, f func(i int)) {
	var wg sync.WaitGroup
	ch := make(chan int)
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
}

// memory recycles module memory between the links of a Batch: reusing a
// buffer costs a clear, a fresh one a page fault per page and more garbage
// collection.
var memory memPool

type memPool struct{ classes [40]sync.Pool }

func sizeClass(n uint64) int {
	c := 12 // 4 KiB at least
	for uint64(1)<<c < n {
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
