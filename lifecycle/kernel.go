package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/modinfo"
	"github.com/golink/golink/symtab"
)

// Kernel is a module registry: the module list, the exported-symbol table
// and the log, with an Executor to run the code. Its methods are safe for
// concurrent use.
type Kernel struct {
	exec Executor
	cfg  golink.Config
	syms *symtab.Table
	log  Log

	cache layoutCache

	mu   sync.Mutex // module_mutex: the list, the symbol table's contents, uses
	mods map[string]*Module
	seq  uint64
	klog image.KernelLog // what loads have printed and tainted the kernel with
}

// logLoad logs what the kernel prints loading m — its taint messages once
// per kernel (image.KernelLog) — and taints the kernel with m's taints.
func (k *Kernel) logLoad(m *Module) {
	k.mu.Lock()
	lines := k.klog.Load(m.img.Log, m.img.Taints)
	k.mu.Unlock()
	for _, l := range lines {
		k.log.Logf(LevelWarning, "%s", l)
	}
	m.taints = m.img.Taints
}

// Tainted returns the taints loads have set on the kernel.
func (k *Kernel) Tainted() image.Taint {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.klog.Tainted()
}

// New returns a kernel configured as the executor says, whose own exports
// are the executor's. It fails if the executor exports a name twice or
// names no backend.
func New(exec Executor) (*Kernel, error) {
	cfg := exec.Config()
	if cfg.Arch == nil {
		return nil, errors.New("lifecycle: the executor's Config has no Arch")
	}
	k := &Kernel{exec: exec, cfg: cfg, syms: symtab.New(), mods: map[string]*Module{}}
	k.cache.seed = maphash.MakeSeed()
	k.cache.max = defaultCacheSize
	if err := k.syms.Add("", exec.Exports()); err != nil {
		return nil, err
	}
	return k, nil
}

// Log returns the kernel's log.
func (k *Kernel) Log() *Log { return &k.log }

// Printk logs msg as printed by module code (see Log.Printk).
func (k *Kernel) Printk(module, msg string) { k.log.Printk(module, msg) }

// Symbols returns the table of exported symbols: the kernel's and the
// loaded modules'.
func (k *Kernel) Symbols() *symtab.Table { return k.syms }

// Find returns the module called name if it is formed (COMING, LIVE or
// GOING), else nil: find_module.
func (k *Kernel) Find(name string) *Module {
	k.mu.Lock()
	defer k.mu.Unlock()
	m := k.mods[name]
	if m == nil || m.State() == StateUnformed {
		return nil
	}
	return m
}

// ModuleAt returns the module whose memory contains addr, or nil:
// __module_address.
func (k *Kernel) ModuleAt(addr uint64) *Module {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, m := range k.mods {
		if m.Contains(addr) {
			return m
		}
	}
	return nil
}

// Info is one line of lsmod.
type Info struct {
	Name     string
	Size     uint64 // core and init regions; core only once init has run
	Refcount int64
	UsedBy   []string
	State    State
	Taints   image.Taint // as /proc/modules shows them: (OE)
}

// Modules lists the formed modules, the most recently loaded first, as
// /proc/modules does.
func (k *Kernel) Modules() []Info {
	k.mu.Lock()
	defer k.mu.Unlock()
	var ms []*Module
	for _, m := range k.mods {
		if m.State() != StateUnformed {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].seq > ms[j].seq })
	out := make([]Info, len(ms))
	for i, m := range ms {
		size := m.size
		if m.initFreed.Load() {
			size = m.img.Core.Size // as /proc/modules: the init layout is gone
		}
		out[i] = Info{Name: m.Name, Size: size, Refcount: m.Refcount(), UsedBy: m.usersLocked(), State: m.State(), Taints: m.taints}
	}
	return out
}

// LoadFile loads the module at path with args: insmod.
func (k *Kernel) LoadFile(path, args string) (*Module, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return k.load(path, data, args)
}

// Load loads the module whose object file is image, with args: the
// init_module system call, which does everything in one call. See
// LoadObject. An image loaded before (the same bytes) is not decoded and
// checked again: see SetCacheSize.
func (k *Kernel) Load(image []byte, args string) (*Module, error) {
	return k.load("(image)", image, args)
}

func (k *Kernel) load(name string, image []byte, args string) (*Module, error) {
	lm, err := k.cache.get(name, image, k.newModule)
	if err != nil {
		return nil, err
	}
	return k.loadModule(lm, args)
}

// newModule is golink.NewModule, naming a module built without
// KBUILD_MODNAME after its file, as kbuild would have named it.
func (k *Kernel) newModule(obj *gelf.File) (*golink.Module, error) {
	lm, err := golink.NewModule(obj, k.cfg)
	if err != nil {
		return nil, err
	}
	if lm.Name == "" {
		if lm.Name = nameFromFile(obj.Name); lm.Name == "" {
			return nil, &Error{Op: "load", Errno: syscall.ENOEXEC, Msg: "module has no name (build it with -DKBUILD_MODNAME='\"name\"')"}
		}
	}
	return lm, nil
}

// LoadObject loads obj with args as load_module does: checks and layout,
// a place in the list as UNFORMED, memory from the executor, symbol
// resolution (holding each module it resolves against), relocation,
// installation with its protections, COMING with its exports published,
// parameters, then init; LIVE once init returns 0 or more. Any failure
// undoes everything before it.
//
// Errors: those of golink.NewModule and Module.Link (*golink.KernelError,
// *golink.UnknownSymbolError with ENOENT, or EBUSY for a provider still in
// its init, ...), *symtab.DuplicateError for an export that clashes,
// *Error with EEXIST for a module already loaded, the parameters' errors,
// and *InitError when init fails.
func (k *Kernel) LoadObject(obj *gelf.File, args string) (*Module, error) {
	lm, err := k.newModule(obj)
	if err != nil {
		return nil, err
	}
	return k.loadModule(lm, args)
}

func (k *Kernel) loadModule(lm *golink.Module, args string) (*Module, error) {
	var err error
	m := &Module{Name: lm.Name, k: k, obj: lm.File, mod: lm, args: args,
		gone: make(chan struct{}), users: map[*Module]bool{}, gets: map[string]int{}}
	m.ref.init()
	m.state.Store(int32(StateUnformed))
	if err := k.addUnformed(m); err != nil {
		return nil, err
	}
	if m.mem, err = k.exec.Map(m, lm); err != nil {
		k.teardown(m)
		return nil, err
	}
	if err := k.link(m); err != nil {
		k.teardown(m)
		return nil, err
	}
	m.size = m.img.Core.Size + m.img.Init.Size
	k.logLoad(m)
	if err := m.mem.Install(m.img); err != nil {
		k.teardown(m)
		return nil, err
	}
	m.entryPoints()

	// complete_formation: publish the exports, COMING, open for references.
	k.mu.Lock()
	if err := k.syms.Add(m.Name, m.img.Exports); err != nil {
		k.mu.Unlock()
		k.teardown(m)
		return nil, err
	}
	m.setState(StateComing)
	m.ref.live.Store(true)
	k.mu.Unlock()

	if err := k.applyParams(m); err != nil {
		k.going(m)
		return nil, err
	}
	if err := k.doInit(m); err != nil {
		return nil, err
	}
	return m, nil
}

// nameFromFile is kbuild's KBUILD_MODNAME for a file: its base name
// without extensions, '-' made '_'. "" for a name that is not a path.
func nameFromFile(path string) string {
	if path == "" || path == "(image)" {
		return ""
	}
	base := filepath.Base(path)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	if len(base) >= modinfo.NameLen { // MODULE_NAME_LEN
		base = base[:modinfo.NameLen-1]
	}
	return strings.ReplaceAll(base, "-", "_")
}

// addUnformed is add_unformed_module: a module of the same name that is
// still coming or going is waited for; a live one is refused (EEXIST).
func (k *Kernel) addUnformed(m *Module) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for {
		old := k.mods[m.Name]
		if old == nil {
			k.seq++
			m.seq = k.seq
			k.mods[m.Name] = m
			return nil
		}
		if old.State() == StateLive {
			return &Error{Module: m.Name, Op: "load", Errno: syscall.EEXIST, Msg: fmt.Sprintf("%s: module is already loaded", m.Name)}
		}
		k.mu.Unlock()
		<-old.gone
		k.mu.Lock()
	}
}

// link resolves and relocates the module and takes a reference on every
// module it resolved a symbol from (resolve_symbol's ref_module), all under
// the module mutex, so that no provider can leave in between.
func (k *Kernel) link(m *Module) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	img, err := m.mod.Link(m.mem.Placement(), k.syms)
	if err != nil {
		return err
	}
	m.img = img
	var errs []error
	held := map[string]bool{}
	for _, im := range img.Imports {
		if im.Owner == "" || held[im.Owner] {
			continue
		}
		t := k.mods[im.Owner]
		errno := strongTryGet(t)
		if errno != 0 {
			errs = append(errs, &golink.UnknownSymbolError{Module: m.Name, Symbol: im.Name, Errno: errno,
				Hint: fmt.Sprintf("exported by %s, which is %s", im.Owner, stateOf(t))})
			continue
		}
		held[im.Owner] = true
		m.uses = append(m.uses, t)
		t.users[m] = true
	}
	if len(errs) > 0 {
		k.dropUsesLocked(m)
		return errors.Join(errs...)
	}
	return nil
}

func stateOf(m *Module) string {
	if m == nil {
		return "not loaded"
	}
	return m.State().String()
}

// strongTryGet is strong_try_module_get: EBUSY while the module is in its
// init, ENOENT if it is not live.
func strongTryGet(m *Module) syscall.Errno {
	if m == nil || m.State() == StateUnformed {
		return syscall.ENOENT
	}
	if m.State() == StateComing {
		return syscall.EBUSY
	}
	if m.TryGet() {
		return 0
	}
	return syscall.ENOENT
}

func (k *Kernel) dropUsesLocked(m *Module) {
	for _, t := range m.uses {
		delete(t.users, m)
		t.Put()
	}
	m.uses = nil
}

// doInit is do_init_module. The loader holds a reference while init runs.
// A failing init leaves the module GOING; golink then waits for references
// taken during init to be dropped before freeing anything, where the
// kernel trusts a failing init to have unregistered everything.
func (k *Kernel) doInit(m *Module) error {
	m.ref.get()
	var ret int32
	if m.initFn != 0 {
		ret = int32(m.mem.Call(m.initFn))
	}
	if ret < 0 {
		m.ref.put()
		k.going(m)
		return &InitError{Module: m.Name, Ret: ret}
	}
	if ret > 0 {
		k.log.Logf(LevelWarning, "do_init_module: '%s'->init suspiciously returned %d, it should follow 0/-E convention\ndo_init_module: loading module anyway...",
			m.Name, ret)
	}
	m.setState(StateLive)
	m.ref.put()
	m.initFreed.Store(true)
	m.mem.FreeInit()
	return nil
}

// going takes a formed module down without running its exit: a failed
// init or parameter. It waits for references to drain.
func (k *Kernel) going(m *Module) {
	m.ref.live.Store(false)
	m.setState(StateGoing)
	m.ref.drain(context.Background())
	k.teardown(m)
}

// teardown is free_module: the exports and uses go, the module leaves the
// list, its memory is unmapped and its leaks reported.
func (k *Kernel) teardown(m *Module) {
	k.mu.Lock()
	k.syms.Remove(m.Name)
	k.dropUsesLocked(m)
	if k.mods[m.Name] == m {
		delete(k.mods, m.Name)
	}
	k.mu.Unlock()
	if m.mem != nil {
		m.setState(StateUnformed)
		leaks := m.mem.Unmap()
		for _, l := range leaks {
			k.log.Logf(LevelErr, "%s: memory leak: %d bytes at %#x, allocated by %s", m.Name, l.Size, l.Addr, l.Caller)
		}
		k.mu.Lock()
		m.leaks = leaks
		k.mu.Unlock()
	}
	m.state.Store(int32(StateUnformed))
	close(m.gone)
}

// RemoveFlags are delete_module's flags.
type RemoveFlags uint

// NonBlock is O_NONBLOCK: fail at once if references are held, instead of
// waiting for them to be dropped.
const NonBlock RemoveFlags = syscall.O_NONBLOCK

// Remove removes the module called name: delete_module. It refuses a
// module others use (*BusyError, EWOULDBLOCK), one not live (*Error,
// EBUSY) and one with init but no exit (*Error, EBUSY). Otherwise it
// clears the live flag, so that no new reference can be taken, and waits
// for the references held to be dropped — or, with NonBlock, fails at once
// with *BusyError (EWOULDBLOCK) if any are held, leaving the module live.
// If ctx ends while it waits, the module is made live again and ctx's
// error returned. Then it runs exit and frees the module.
func (k *Kernel) Remove(ctx context.Context, name string, flags RemoveFlags) error {
	k.mu.Lock()
	m := k.mods[name]
	if m == nil || m.State() == StateUnformed {
		k.mu.Unlock()
		return &Error{Module: name, Op: "remove", Errno: syscall.ENOENT, Msg: fmt.Sprintf("Module %s is not currently loaded", name)}
	}
	if len(m.users) > 0 {
		users := m.usersLocked()
		k.mu.Unlock()
		return &BusyError{Module: name, Users: users, Refcount: m.Refcount(), Errno: syscall.EWOULDBLOCK}
	}
	switch m.State() {
	case StateGoing:
		k.mu.Unlock()
		return &Error{Module: name, Op: "remove", Errno: syscall.EBUSY, Msg: fmt.Sprintf("%s already dying", name)}
	case StateComing:
		k.mu.Unlock()
		return &Error{Module: name, Op: "remove", Errno: syscall.EBUSY, Msg: fmt.Sprintf("%s is still in its init", name)}
	}
	if m.initFn != 0 && m.exitFn == 0 {
		k.mu.Unlock()
		return &Error{Module: name, Op: "remove", Errno: syscall.EBUSY, Msg: fmt.Sprintf("%s has an init function but no exit function: it cannot be removed", name)}
	}
	// try_stop_module.
	m.ref.live.Store(false)
	if flags&NonBlock != 0 {
		if n := m.ref.count(); n != 0 {
			m.ref.live.Store(true)
			k.mu.Unlock()
			return &BusyError{Module: name, Refcount: n, Errno: syscall.EWOULDBLOCK}
		}
	}
	m.setState(StateGoing)
	k.mu.Unlock()
	if err := m.ref.drain(ctx); err != nil {
		k.mu.Lock()
		m.setState(StateLive)
		m.ref.live.Store(true)
		k.mu.Unlock()
		return fmt.Errorf("%s: removal abandoned with %d references held: %w", name, m.Refcount(), err)
	}
	if m.exitFn != 0 {
		m.mem.Call(m.exitFn)
	}
	k.teardown(m)
	return nil
}

// SymbolGet is __symbol_get: the address of an exported symbol, holding a
// reference on the module that exports it (none for the kernel's). Like
// 6.1.y it refuses a symbol not exported GPL-only ("failing symbol_get of
// non-GPLONLY symbol"), and a provider that is not live. Errors are
// *Error values (ENOENT, EBUSY).
func (k *Kernel) SymbolGet(name string) (uint64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.syms.Lookup(name)
	if !ok {
		return 0, &Error{Op: "symbol_get", Errno: syscall.ENOENT, Msg: fmt.Sprintf("symbol_get: no symbol %s", name)}
	}
	if !s.GPLOnly {
		k.log.Logf(LevelWarning, "failing symbol_get of non-GPLONLY symbol %s.", name)
		return 0, &Error{Module: s.Owner, Op: "symbol_get", Errno: syscall.ENOENT, Msg: fmt.Sprintf("failing symbol_get of non-GPLONLY symbol %s.", name)}
	}
	if s.Owner == "" {
		return s.Addr, nil
	}
	t := k.mods[s.Owner]
	if errno := strongTryGet(t); errno != 0 {
		return 0, &Error{Module: s.Owner, Op: "symbol_get", Errno: errno, Msg: fmt.Sprintf("symbol_get %s: %s is %s", name, s.Owner, stateOf(t))}
	}
	t.gets[name]++
	return s.Addr, nil
}

// SymbolPut is __symbol_put: it drops the reference a SymbolGet of name
// took. The kernel BUGs on a name it cannot find; golink returns an
// *Error (ENOENT).
func (k *Kernel) SymbolPut(name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.syms.Lookup(name)
	if !ok {
		return &Error{Op: "symbol_put", Errno: syscall.ENOENT, Msg: fmt.Sprintf("symbol_put: no symbol %s", name)}
	}
	if s.Owner == "" {
		return nil
	}
	t := k.mods[s.Owner]
	if t == nil || t.gets[name] == 0 {
		return &Error{Module: s.Owner, Op: "symbol_put", Errno: syscall.ENOENT, Msg: fmt.Sprintf("symbol_put %s: no symbol_get holds it", name)}
	}
	t.gets[name]--
	t.Put()
	return nil
}
