package lifecycle

import "fmt"

// Func is a function in a module's memory, with the module it belongs to:
// what a function pointer into a module is, plus the owner the Golden Rule
// needs to know. Call is the only way into the module from Go.
type Func struct {
	Module *Module
	Name   string // symbol name, or "" for a bare pointer
	Addr   uint64
}

// Call enters the function the way the Golden Rule demands: it takes a
// reference on the owner first (try_module_get), calls, and puts it back.
// If no reference can be taken — the module is being formed, removed, or
// gone — nothing is called and the error is a *NotLiveError. While the
// call runs the module cannot be freed: removal waits for the reference.
func (f Func) Call(args ...uint64) (uint64, error) {
	m := f.Module
	if m == nil {
		return 0, fmt.Errorf("%s: no module owns %#x", f.name(), f.Addr)
	}
	if !m.ref.tryGet() {
		return 0, &NotLiveError{Module: m.Name, Func: f.name(), State: m.State()}
	}
	defer m.ref.put()
	if len(args) > 6 {
		return 0, fmt.Errorf("%s: %s: %d arguments; at most 6 go in registers", m.Name, f.name(), len(args))
	}
	return m.mem.Call(f.Addr, args...), nil
}

func (f Func) name() string {
	if f.Name != "" {
		return f.Name
	}
	return fmt.Sprintf("%#x", f.Addr)
}

// Func returns the module's function called name (any symbol it defines,
// exported or not), for calling through the guard.
func (m *Module) Func(name string) (Func, error) {
	if m.img == nil {
		return Func{}, fmt.Errorf("%s: not linked", m.Name)
	}
	addr, ok := m.img.Symbol(name)
	if !ok {
		return Func{}, fmt.Errorf("%s: no symbol %s", m.Name, name)
	}
	return Func{Module: m, Name: name, Addr: addr}, nil
}

// Func returns the exported function name, owned by whichever module
// exports it now.
func (k *Kernel) Func(name string) (Func, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.syms.Lookup(name)
	if !ok || s.Owner == "" {
		return Func{}, fmt.Errorf("no module exports %s", name)
	}
	m := k.mods[s.Owner]
	if m == nil {
		return Func{}, fmt.Errorf("%s: exported by %s, which is not loaded", name, s.Owner)
	}
	return Func{Module: m, Name: name, Addr: s.Addr}, nil
}

// FuncAt returns the function at addr with the module that owns it: a
// callback a module registered, as a function pointer.
func (k *Kernel) FuncAt(addr uint64) (Func, error) {
	m := k.ModuleAt(addr)
	if m == nil {
		return Func{}, fmt.Errorf("%#x: not in any module", addr)
	}
	return Func{Module: m, Addr: addr}, nil
}

// Call calls the exported function name through the guard (see Func.Call).
func (k *Kernel) Call(name string, args ...uint64) (uint64, error) {
	f, err := k.Func(name)
	if err != nil {
		return 0, err
	}
	return f.Call(args...)
}
