package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/golink/golink"
	"github.com/golink/golink/host"
	"github.com/golink/golink/lifecycle"
)

type runFlags struct {
	calls  []string
	levels bool
	wait   time.Duration
}

func newRunCmd() *cobra.Command {
	var fl runFlags
	cmd := &cobra.Command{
		Use:   "run MODULE [name=value...] [MODULE [name=value...]]... [--call SYMBOL[=ARG,...]]...",
		Short: "Load modules into a kernel in this process, run them, remove them",
		Long: `Run loads each module into a kernel that lives in this process, as insmod
would: checks, layout, symbol resolution against the host's C runtime and the
modules loaded before it, relocation, protection (text read-execute, read-only
data read-only, data read-write), parameters, then init. Parameters follow
their module, as on insmod's command line, and are checked by type before init
runs. It prints what the modules print (printk), lists the modules with their
sizes, states and reference counts, calls the functions --call names through
the guard that takes a reference first, and removes the modules in reverse
order, running their exits and reporting what they leaked.

--call names an exported function, or a callback a module registered with
golink_register_callback; up to six integer arguments follow '=', separated
by commas (decimal, or hex with 0x).

Modules are x86_64 objects built against include/golink/module.h: with the
kernel's flags (-mcmodel=kernel -fno-pic) or with plain gcc -c.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, &fl, args)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&fl.calls, "call", nil, "call an exported function or registered callback: SYMBOL[=ARG,...] (repeatable)")
	f.BoolVar(&fl.levels, "levels", false, "show each printk line's level, as <6> for KERN_INFO")
	f.DurationVar(&fl.wait, "wait", 0, "on removal, wait this long for references to be dropped (default: fail at once, as delete_module with O_NONBLOCK)")
	return cmd
}

// runner prints a run's transcript.
type runner struct {
	k      *lifecycle.Kernel
	fl     *runFlags
	out    io.Writer
	errw   io.Writer
	seq    uint64
	loaded []*lifecycle.Module
}

// flushLog prints what was logged since the last call.
func (r *runner) flushLog() {
	recs, next := r.k.Log().Since(r.seq)
	r.seq = next
	for _, rec := range recs {
		if r.fl.levels {
			fmt.Fprintf(r.out, "<%d>%s\n", rec.Level, rec.Text)
		} else {
			fmt.Fprintln(r.out, rec.Text)
		}
	}
}

func runRun(cmd *cobra.Command, fl *runFlags, args []string) error {
	mods, margs, err := splitModuleArgs(args)
	if err != nil {
		return err
	}
	for _, m := range mods {
		if st, err := os.Stat(m); err == nil && st.IsDir() {
			return fmt.Errorf("%s: a directory; run takes module files", m)
		}
	}
	calls, err := parseCalls(fl.calls)
	if err != nil {
		return err
	}
	k, err := host.NewKernel()
	if err != nil {
		return err
	}
	r := &runner{k: k, fl: fl, out: cmd.OutOrStdout(), errw: cmd.ErrOrStderr()}
	failed := false
	for _, path := range mods {
		a := margs.args[path]
		fmt.Fprintf(r.out, "insmod %s\n", strings.TrimSpace(path+" "+a))
		m, err := k.LoadFile(path, a)
		r.flushLog()
		if err != nil {
			r.loadError(path, err)
			failed = true
			break
		}
		r.loaded = append(r.loaded, m)
	}
	if !failed {
		r.lsmod()
		for _, c := range calls {
			if !r.call(c) {
				failed = true
			}
		}
		if len(calls) > 0 {
			r.lsmod()
		}
	}
	if !r.removeAll() {
		failed = true
	}
	if failed {
		return exitError(1)
	}
	return nil
}

// loadError prints a refused load as insmod and the kernel would: the
// kernel's lines, then insmod's summary.
func (r *runner) loadError(path string, err error) {
	var pe *lifecycle.ParamsError
	if !errors.As(err, &pe) { // parse_args logged its refusals already
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(r.errw, line)
		}
	}
	fmt.Fprintf(r.errw, "golink: could not insert module %s: %s\n", path, loadReason(err))
}

// loadReason is what insmod says after "could not insert module": kmod's
// mod_strerror for the errno the load failed with.
func loadReason(err error) string {
	var us *golink.UnknownSymbolError
	var ke *golink.KernelError
	var ie *lifecycle.InitError
	var pe *lifecycle.ParamsError
	switch {
	case errors.As(err, &us):
		return "Unknown symbol in module"
	case errors.As(err, &ie):
		if ie.Ret < 0 && ie.Ret > -4096 {
			return "init failed: " + strerror(syscall.Errno(-ie.Ret))
		}
		return fmt.Sprintf("init failed: %d", ie.Ret)
	case errors.As(err, &pe):
		if pe.Errno == syscall.EINVAL {
			return "Invalid parameters"
		}
		return strerror(pe.Errno)
	case errors.As(err, &ke) && ke.Errno == syscall.ENOEXEC:
		return "Invalid module format"
	case errors.Is(err, syscall.EEXIST):
		return "Module already loaded"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return strerror(errno)
	}
	return "see above"
}

// strerror capitalises as the C library's does.
func strerror(e syscall.Errno) string {
	s := []rune(e.Error())
	if len(s) > 0 {
		s[0] = unicode.ToUpper(s[0])
	}
	return string(s)
}

// lsmod prints the modules as lsmod does, with their states.
func (r *runner) lsmod() {
	fmt.Fprintf(r.out, "%-19s %8s  %-7s %s\n", "Module", "Size", "State", "Used by")
	for _, m := range r.k.Modules() {
		fmt.Fprintln(r.out, strings.TrimRight(fmt.Sprintf("%-19s %8d  %-7s %d %s", m.Name, m.Size, m.State, m.Refcount, strings.Join(m.UsedBy, ",")), " "))
	}
}

type call struct {
	sym  string
	args []uint64
	text string
}

func parseCalls(specs []string) ([]call, error) {
	var out []call
	for _, s := range specs {
		c := call{sym: s, text: s + "()"}
		if sym, list, ok := strings.Cut(s, "="); ok {
			c.sym = sym
			var shown []string
			for _, a := range strings.Split(list, ",") {
				a = strings.TrimSpace(a)
				v, err := strconv.ParseInt(a, 0, 64)
				if err != nil {
					u, uerr := strconv.ParseUint(a, 0, 64)
					if uerr != nil {
						return nil, fmt.Errorf("--call %s: %q is not an integer", s, a)
					}
					v = int64(u)
				}
				c.args = append(c.args, uint64(v))
				shown = append(shown, a)
			}
			if len(c.args) > 6 {
				return nil, fmt.Errorf("--call %s: %d arguments; at most 6 go in registers", s, len(c.args))
			}
			c.text = fmt.Sprintf("%s(%s)", sym, strings.Join(shown, ", "))
		}
		if c.sym == "" {
			return nil, fmt.Errorf("--call %q: no symbol", s)
		}
		out = append(out, c)
	}
	return out, nil
}

// call calls an exported function, or failing that a registered
// callback, through the guard.
func (r *runner) call(c call) bool {
	f, err := r.k.Func(c.sym)
	if err != nil {
		cb, cerr := host.Callback(r.k, c.sym)
		if cerr != nil {
			fmt.Fprintf(r.errw, "golink: --call %s: %v, and no callback is registered under that name\n", c.sym, err)
			return false
		}
		f = cb
	}
	v, err := f.Call(c.args...)
	r.flushLog()
	if err != nil {
		fmt.Fprintf(r.errw, "golink: call %s: %v\n", c.text, err)
		return false
	}
	fmt.Fprintf(r.out, "call %s = %d (%#x)\n", c.text, int64(v), v)
	return true
}

// removeAll removes the loaded modules, last first.
func (r *runner) removeAll() bool {
	ok := true
	for i := len(r.loaded) - 1; i >= 0; i-- {
		m := r.loaded[i]
		fmt.Fprintf(r.out, "rmmod %s\n", m.Name)
		ctx, flags := context.Background(), lifecycle.NonBlock
		var cancel context.CancelFunc = func() {}
		if r.fl.wait > 0 {
			ctx, cancel = context.WithTimeout(ctx, r.fl.wait)
			flags = 0
		}
		err := r.k.Remove(ctx, m.Name, flags)
		cancel()
		r.flushLog()
		if err != nil {
			fmt.Fprintf(r.errw, "golink: could not remove module %s: %v\n", m.Name, err)
			ok = false
		}
	}
	return ok
}
