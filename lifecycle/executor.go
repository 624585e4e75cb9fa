package lifecycle

import (
	"github.com/golink/golink"
	"github.com/golink/golink/image"
	"github.com/golink/golink/symtab"
)

// Executor is what runs module code: the part of a kernel that is not its
// module loader. package host is the real one (machine code mapped into
// this process); tests use fakes that run Go functions.
type Executor interface {
	// Config describes the kernel the executor is: the relocation backend
	// for the code it runs (Config.Arch, required) and how the kernel is
	// configured (symbol versions, vermagic, page size...).
	Config() golink.Config
	// Exports is what the executor's kernel exports to modules: the
	// symbols modules resolve against before any module exports anything.
	Exports() []symtab.Symbol
	// Map reserves memory for mod, laid out as layout says (core and init
	// regions, per-cpu area), and returns it. The kernel's module_alloc.
	Map(mod *Module, layout *golink.Module) (Memory, error)
}

// Memory is one module's memory, from Map to Unmap. The kernel calls its
// methods in this order: Placement, Install, then ReadAt, WriteAt, Kmalloc
// and Call as needed, FreeInit after a successful init, Unmap last, once.
// Call may run concurrently with anything but Unmap: the kernel never
// unmaps while a reference is held, and the Golden Rule says that every
// call holds one.
type Memory interface {
	// Placement is where the regions are; the image is linked for it.
	Placement() golink.Placement
	// Install copies the linked image in and protects it: text read and
	// execute, read-only data read, data read and write (the kernel's
	// module_enable_ro and module_enable_nx).
	Install(img *image.Image) error
	// ReadAt and WriteAt read and write module memory by address (the
	// parameter code stores values this way); writes to text or
	// read-only data fail.
	ReadAt(p []byte, addr uint64) error
	WriteAt(p []byte, addr uint64) error
	// Kmalloc allocates n bytes on the kernel's behalf for this module
	// (charp parameter values); Unmap frees them.
	Kmalloc(n int) (uint64, error)
	// Call runs the function at addr with up to six integer arguments and
	// returns what it returned in its result register.
	Call(addr uint64, args ...uint64) uint64
	// FreeInit releases the init region once init has succeeded.
	FreeInit()
	// Unmap releases everything and reports the memory the module
	// allocated and never freed.
	Unmap() []Leak
}
