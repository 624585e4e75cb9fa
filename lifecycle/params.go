package lifecycle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/golink/golink/params"
)

// ParamsError is a load refused because the kernel's parse_args refused an
// argument: every refusal, in the kernel's words, and the errno the load
// fails with (the last one's).
type ParamsError struct {
	Module string
	Errors []*params.Error
	Errno  syscall.Errno
}

func (e *ParamsError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, pe := range e.Errors {
		lines[i] = pe.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errno, then each refusal.
func (e *ParamsError) Unwrap() []error {
	out := []error{e.Errno}
	for _, pe := range e.Errors {
		out = append(out, pe)
	}
	return out
}

// applyParams is load_module's parse_args, run after complete_formation
// (the module is COMING, its memory installed): each value is checked by
// the kernel's rules for its type and stored into the module's memory
// through the executor; charp copies come from the executor's kmalloc; a
// parameter with ops of the module's own runs its set function. A refused
// value fails the load before init runs.
func (k *Kernel) applyParams(m *Module) error {
	if strings.TrimSpace(m.args) == "" {
		return nil
	}
	ps, err := m.Params()
	if err != nil {
		return err
	}
	cfg := &params.Config{Custom: func(p *params.Param, val *string) error { return m.customSet(p, val) }}
	r, err := params.Apply(m.Name, m.args, ps, m.mem, m.mem, cfg)
	if r != nil {
		refused := map[string]bool{}
		for _, e := range r.Errors {
			refused[e.Error()] = true
		}
		for _, line := range r.Log {
			level := LevelWarning
			if refused[line] {
				level = LevelErr
			}
			k.log.Logf(level, "%s", line)
		}
		for _, na := range r.NotApplied {
			k.log.Logf(LevelWarning, "%s: parameter %s not applied: %s", m.Name, na.Param.Name, na.Reason)
		}
	}
	if err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return &ParamsError{Module: m.Name, Errors: r.Errors, Errno: r.Errno()}
	}
	return nil
}

// Params returns the module's parameters, decoded from its __param table
// and .modinfo, with their addresses in module memory.
func (m *Module) Params() ([]params.Param, error) {
	if m.img == nil {
		return nil, fmt.Errorf("%s: not linked", m.Name)
	}
	m.paramsOnce.Do(func() { m.params, m.paramsErr = m.img.Params() })
	return m.params, m.paramsErr
}

// ParamValue returns a parameter's current value as sysfs would show it
// (params.Get), read from the running module's memory.
func (m *Module) ParamValue(name string) (string, error) {
	ps, err := m.Params()
	if err != nil {
		return "", err
	}
	for i := range ps {
		if ps[i].InParamTable && params.Parameq(ps[i].Name, name) {
			if m.State() == StateUnformed {
				return "", fmt.Errorf("%s: not loaded", m.Name)
			}
			return params.Get(&ps[i], m.mem)
		}
	}
	return "", fmt.Errorf("%s: no parameter %s", m.Name, name)
}

// customSet runs the set function of a parameter whose ops the module
// defines: ops->set(val, kp), with val copied into kernel memory.
func (m *Module) customSet(p *params.Param, val *string) error {
	kp, err := m.kernelParam(p.Name)
	if err != nil {
		return err
	}
	var b [8]byte
	if err := m.mem.ReadAt(b[:], kp+16); err != nil {
		return err
	}
	ops := binary.LittleEndian.Uint64(b[:])
	if err := m.mem.ReadAt(b[:], ops+8); err != nil {
		return fmt.Errorf("%s: parameter %s: ops at %#x: %w", m.Name, p.Name, ops, err)
	}
	set := binary.LittleEndian.Uint64(b[:])
	if set == 0 {
		return syscall.EINVAL
	}
	var s uint64
	if val != nil {
		if s, err = m.mem.Kmalloc(len(*val) + 1); err != nil {
			return err
		}
		if err := m.mem.WriteAt(append([]byte(*val), 0), s); err != nil {
			return err
		}
	}
	if ret := int32(m.mem.Call(set, s, kp)); ret < 0 {
		return syscall.Errno(-ret)
	}
	return nil
}

// kernelParam finds the address of the __param entry called name.
func (m *Module) kernelParam(name string) (uint64, error) {
	sec := m.img.Section("__param")
	if sec == nil {
		return 0, errors.New("no __param section")
	}
	for off := uint64(0); off+params.KernelParamSize <= uint64(len(sec.Data)); off += params.KernelParamSize {
		np := binary.LittleEndian.Uint64(sec.Data[off:])
		var buf [64]byte
		if m.mem.ReadAt(buf[:len(name)+1], np) == nil && string(buf[:len(name)]) == name && buf[len(name)] == 0 {
			return sec.Addr + off, nil
		}
	}
	return 0, fmt.Errorf("%s: no __param entry %s", m.Name, name)
}
