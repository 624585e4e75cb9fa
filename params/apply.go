package params

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"syscall"
)

var le = binary.LittleEndian

// Memory is module memory as the parameter code reads and writes it,
// addressed as the kernel would address it. A linked image implements it
// over its regions; an executed module over its live mapping.
type Memory interface {
	ReadAt(p []byte, addr uint64) error
	WriteAt(p []byte, addr uint64) error
}

// Allocator provides the memory param_set_charp takes from kmalloc: n
// fresh bytes that Memory can write, at the returned address.
type Allocator interface {
	Kmalloc(n int) (uint64, error)
}

// Config says how the kernel that parses the arguments is built and run.
// The zero value is Debian's 6.1: CONFIG_DYNAMIC_DEBUG_CORE=y, not locked
// down.
type Config struct {
	// NoDynamicDebug models CONFIG_DYNAMIC_DEBUG_CORE=n: a dyndbg
	// parameter is then refused with a warning instead of accepted.
	NoDynamicDebug bool
	// Lockdown models security_locked_down(LOCKDOWN_MODULE_PARAMETERS):
	// parameters flagged KERNEL_PARAM_FL_HWPARAM are refused (EPERM).
	Lockdown bool
	// NoUnknownCallback models parse_args called without an unknown
	// handler (as for the kernel's own parameters, not a module's): an
	// unknown name is then refused with ENOENT ("Unknown parameter").
	NoUnknownCallback bool
	// Custom, if set, applies a value to a parameter with custom ops (an
	// executed module can run its set function). Without it such
	// parameters are reported in Result.NotApplied, not guessed at. value
	// is nil for a bare name.
	Custom func(p *Param, value *string) error
}

// Error is an argument the kernel refuses: parse_args prints Error() and
// load_module fails with the last one's Errno.
type Error struct {
	Module   string        // parse_args' "doing": the module name
	Param    string        // the argument's name as given
	Value    string        // its value as parse_args prints it (after the setter's edits)
	HasValue bool          // false for a bare name, printed as ""
	Errno    syscall.Errno // EINVAL, ERANGE, ENOSPC, EPERM, EROFS, ENOMEM
}

func (e *Error) Error() string {
	switch e.Errno {
	case syscall.ENOENT:
		return fmt.Sprintf("%s: Unknown parameter `%s'", e.Module, e.Param)
	case syscall.ENOSPC:
		return fmt.Sprintf("%s: `%s' too large for parameter `%s'", e.Module, e.Value, e.Param)
	}
	return fmt.Sprintf("%s: `%s' invalid for parameter `%s'", e.Module, e.Value, e.Param)
}

// Write is a span of memory a setter stored into.
type Write struct {
	Addr uint64
	Len  int
}

// Applied is one argument that a parameter's set function accepted.
type Applied struct {
	Param  *Param
	Value  string // as the setter received it
	Writes []Write
	// Strings are the addresses of charp copies allocated for it.
	Strings []uint64
}

// NotApplied is an argument golink could not apply: the parameter has
// custom ops it cannot run, or its variable is not in the memory given
// (a module_param on a kernel variable).
type NotApplied struct {
	Param  *Param
	Value  string
	Bare   bool   // no value given
	Reason string // "custom ops <ops> (set <fn>)", or the memory fault
}

// Result is everything parse_args did.
type Result struct {
	Log        []string // what the kernel prints, in order, without newlines
	Applied    []Applied
	NotApplied []NotApplied
	Errors     []*Error // every refused argument; the load fails with the last
	AsyncProbe bool     // async_probe was given and not false
	Tainted    bool     // an unsafe parameter was set: taint U
	// AfterDashes is the text after a bare "--" (HasDashes), which
	// load_module warns about unless an error came first.
	AfterDashes string
	HasDashes   bool
}

// Errno returns what load_module would fail with: the last error's errno,
// or 0.
func (r *Result) Errno() syscall.Errno {
	if len(r.Errors) == 0 {
		return 0
	}
	return r.Errors[len(r.Errors)-1].Errno
}

// Err returns the refused arguments joined, or nil.
func (r *Result) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	errs := make([]error, len(r.Errors))
	for i, e := range r.Errors {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// MemoryError is a parameter whose memory golink could not read or write:
// a fault of the image or of the decoding, not an error the kernel has.
type MemoryError struct {
	Param string
	Addr  uint64
	Err   error
}

func (e *MemoryError) Error() string {
	return fmt.Sprintf("parameter %s: memory at %#x: %v", e.Param, e.Addr, e.Err)
}

func (e *MemoryError) Unwrap() error { return e.Err }

// Apply parses args for module as load_module does (parse_args with
// unknown_module_param_cb, levels -32768..32767) and stores each accepted
// value through mem. Refused arguments are in the Result with the
// kernel's messages; like the kernel, Apply goes on after one. The error
// is reserved for what the kernel does not have: memory that cannot be
// read or written (*MemoryError), or an allocator missing for charp.
func Apply(module, args string, ps []Param, mem Memory, alloc Allocator, cfg *Config) (*Result, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	r := &Result{}
	a := &applier{module: module, mem: mem, alloc: alloc, cfg: cfg, r: r}
	b := newBuf(cstr(args))
	i := b.skipSpaces(0)
	for b[i] != 0 {
		p, v, next := b.nextArg(i)
		i = next
		param := b.str(p)
		if v < 0 && param == "--" {
			if len(r.Errors) == 0 {
				r.AfterDashes, r.HasDashes = b.str(i), true
				r.Log = append(r.Log, fmt.Sprintf("%s: parameters '%s' after `--' ignored", module, r.AfterDashes))
			}
			return r, nil
		}
		errno, err := a.parseOne(b, p, v, ps)
		var me *MemoryError
		if errors.As(err, &me) && a.param != nil {
			na := NotApplied{Param: a.param, Bare: v < 0, Reason: me.Error()}
			if v >= 0 {
				na.Value = b.str(v)
			}
			r.NotApplied = append(r.NotApplied, na)
			continue
		}
		if err != nil {
			return r, err
		}
		if errno == 0 {
			continue
		}
		e := &Error{Module: module, Param: b.str(p), Errno: errno}
		if v >= 0 {
			e.Value, e.HasValue = b.str(v), true
		}
		r.Log = append(r.Log, e.Error())
		r.Errors = append(r.Errors, e)
	}
	return r, nil
}

type applier struct {
	module string
	mem    Memory
	alloc  Allocator
	cfg    *Config
	r      *Result
	cur    *Applied
	param  *Param // the parameter being set
}

func (a *applier) logf(format string, args ...any) {
	a.r.Log = append(a.r.Log, fmt.Sprintf(format, args...))
}

// parseOne is parse_one: the first parameter whose name matches gets the
// value; otherwise unknown_module_param_cb, which never fails.
func (a *applier) parseOne(b buf, p, v int, ps []Param) (syscall.Errno, error) {
	param := b.str(p)
	for i := range ps {
		kp := &ps[i]
		if !kp.InParamTable || !Parameq(param, kp.Name) {
			continue
		}
		// Module parameters are parsed with levels -32768..32767: every
		// s8 level is in range.
		if v < 0 && !kp.NoArg() {
			return syscall.EINVAL, nil
		}
		if kp.Flags&KERNEL_PARAM_FL_HWPARAM != 0 && a.cfg.Lockdown {
			return syscall.EPERM, nil
		}
		if kp.Flags&KERNEL_PARAM_FL_UNSAFE != 0 {
			a.logf("Setting dangerous option %s - tainting kernel", kp.Name)
			a.r.Tainted = true
		}
		a.param = kp
		return a.set(b, v, kp)
	}
	a.param = nil
	if a.cfg.NoUnknownCallback {
		return syscall.ENOENT, nil
	}
	a.unknown(b, p, v)
	return 0, nil
}

// unknown is unknown_module_param_cb: async_probe, then dynamic debug's
// "dyndbg" (after a "<x>." prefix, which it cuts off the name in place),
// else a warning. It always returns 0.
func (a *applier) unknown(b buf, p, v int) {
	param := b.str(p)
	if param == "async_probe" {
		on, err := Kstrtobool(strOrEmpty(b, v), v >= 0)
		a.r.AsyncProbe = on || err != nil
		return
	}
	if a.cfg.NoDynamicDebug {
		if strings.Contains(param, "dyndbg") {
			a.logf("dyndbg param is supported only in CONFIG_DYNAMIC_DEBUG builds")
			return
		}
	} else {
		name := param
		if dot := strings.IndexByte(param, '.'); dot >= 0 {
			b[p+dot] = 0
			name = param[dot+1:]
		}
		if name == "dyndbg" {
			return // a dynamic-debug query; golink does not evaluate it
		}
	}
	a.logf("%s: unknown parameter '%s' ignored", a.module, b.str(p))
}

func strOrEmpty(b buf, v int) string {
	if v < 0 {
		return ""
	}
	return b.str(v)
}

// set calls the parameter's ops->set.
func (a *applier) set(b buf, v int, kp *Param) (syscall.Errno, error) {
	if kp.Kind == Custom {
		var val *string
		if v >= 0 {
			s := b.str(v)
			val = &s
		}
		if a.cfg.Custom != nil {
			if err := a.cfg.Custom(kp, val); err != nil {
				var errno syscall.Errno
				if errors.As(err, &errno) {
					return errno, nil
				}
				return 0, err
			}
			return 0, nil
		}
		na := NotApplied{Param: kp, Bare: val == nil, Reason: "custom ops " + kp.Ops}
		if kp.Set != "" {
			na.Reason += " (set " + kp.Set + ")"
		}
		if val != nil {
			na.Value = *val
		}
		a.r.NotApplied = append(a.r.NotApplied, na)
		return 0, nil
	}
	ap := Applied{Param: kp, Value: strOrEmpty(b, v)}
	a.cur = &ap
	var errno syscall.Errno
	var err error
	switch {
	case kp.Array:
		errno, err = a.setArray(b, v, kp)
	case kp.Kind == String:
		errno, err = a.setCopystring(b.str(v), kp)
	default:
		var val *string
		if v >= 0 {
			s := b.str(v)
			val = &s
		}
		errno, err = a.setScalar(kp.Kind, kp.Name, kp.Var.Addr, val)
	}
	a.cur = nil
	if err == nil && errno == 0 {
		a.r.Applied = append(a.r.Applied, ap)
	}
	return errno, err
}

// setArray is param_array_set → param_array(min 1, max): *num is zeroed,
// then each comma-separated segment (NUL-terminated in place) goes to the
// element setter under the array's name.
func (a *applier) setArray(b buf, v int, kp *Param) (syscall.Errno, error) {
	num := uint32(0)
	writeNum := func() error {
		if kp.Num.Null {
			return nil
		}
		var w [4]byte
		le.PutUint32(w[:], num)
		return a.write(kp.Name, kp.Num.Addr, w[:])
	}
	if err := writeNum(); err != nil {
		return 0, err
	}
	elem := kp.Var.Addr
	for {
		if num == kp.Max {
			a.logf("%s: can only take %d arguments", kp.Name, int32(kp.Max))
			return syscall.EINVAL, nil
		}
		n := 0
		for b[v+n] != 0 && b[v+n] != ',' {
			n++
		}
		save := b[v+n]
		b[v+n] = 0
		s := b.str(v)
		errno, err := a.setScalar(kp.Kind, kp.Name, elem, &s)
		if err != nil || errno != 0 {
			return errno, err
		}
		elem += uint64(kp.ElemSize)
		v += n + 1
		num++
		if err := writeNum(); err != nil {
			return 0, err
		}
		if save != ',' {
			return 0, nil
		}
	}
}

// setCopystring is param_set_copystring.
func (a *applier) setCopystring(val string, kp *Param) (syscall.Errno, error) {
	if uint64(len(val))+1 > uint64(kp.MaxLen) {
		a.logf("%s: string doesn't fit in %d chars.", kp.Name, kp.MaxLen-1)
		return syscall.ENOSPC, nil
	}
	return 0, a.write(kp.Name, kp.Var.Addr, append([]byte(val), 0))
}

// setScalar is the set function of a standard scalar kind, storing at
// addr; val nil is a bare name. name is kp->name, for messages.
func (a *applier) setScalar(k Kind, name string, addr uint64, val *string) (syscall.Errno, error) {
	s, has := "", val != nil
	if has {
		s = *val
	}
	var w []byte
	switch k {
	case Byte, Ushort, Uint, Hexint, Ulong, Ullong:
		u, err := KstrtoU(s, 0, 8*k.Size())
		if err != nil {
			return err.(syscall.Errno), nil
		}
		w = putUint(u, k.Size())
	case Short, Int, Long:
		n, err := KstrtoS(s, 0, 8*k.Size())
		if err != nil {
			return err.(syscall.Errno), nil
		}
		w = putUint(uint64(n), k.Size())
	case Bool, Bint, Invbool, BoolEnableOnly:
		if !has { // param_set_bool: NULL means "1"
			s, has = "1", true
		}
		on, err := Kstrtobool(s, has)
		if err != nil {
			return err.(syscall.Errno), nil
		}
		switch k {
		case Bool:
			w = []byte{b2u(on)}
		case Invbool:
			w = []byte{b2u(!on)}
		case Bint:
			w = putUint(uint64(b2u(on)), 4)
		case BoolEnableOnly:
			var old [1]byte
			if err := a.read(name, addr, old[:]); err != nil {
				return 0, err
			}
			if !on && old[0] != 0 {
				return syscall.EROFS, nil
			}
			if !on {
				return 0, nil // already off: nothing changes
			}
			w = []byte{1}
		}
	case Charp:
		if len(s) > maxCharp {
			a.logf("%s: string parameter too long", name)
			return syscall.ENOSPC, nil
		}
		if a.alloc == nil {
			return 0, &MemoryError{Param: name, Addr: addr, Err: errors.New("charp parameter needs an allocator for its copy")}
		}
		p, err := a.alloc.Kmalloc(len(s) + 1)
		if err != nil {
			return 0, &MemoryError{Param: name, Addr: addr, Err: err}
		}
		if err := a.write(name, p, append([]byte(s), 0)); err != nil {
			return 0, err
		}
		if a.cur != nil {
			a.cur.Strings = append(a.cur.Strings, p)
		}
		w = putUint(p, 8)
	default:
		return 0, &MemoryError{Param: name, Addr: addr, Err: fmt.Errorf("no set function for kind %v", k)}
	}
	return 0, a.write(name, addr, w)
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func putUint(v uint64, size int) []byte {
	var w [8]byte
	le.PutUint64(w[:], v)
	return w[:size]
}

func (a *applier) write(name string, addr uint64, p []byte) error {
	if err := a.mem.WriteAt(p, addr); err != nil {
		return &MemoryError{Param: name, Addr: addr, Err: err}
	}
	if a.cur != nil {
		a.cur.Writes = append(a.cur.Writes, Write{Addr: addr, Len: len(p)})
	}
	return nil
}

func (a *applier) read(name string, addr uint64, p []byte) error {
	if err := a.mem.ReadAt(p, addr); err != nil {
		return &MemoryError{Param: name, Addr: addr, Err: err}
	}
	return nil
}
