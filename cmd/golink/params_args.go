package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/params"
)

// kmallocBase is where golink puts the memory the kernel would kmalloc for
// parameters (charp copies): x86_64's direct map without KASLR. Each
// module given parameters gets its own kmallocStride bytes there, in the
// order of the command line, so addresses do not depend on scheduling.
const (
	kmallocBase   = 0xffff888000000000
	kmallocStride = 1 << 20
)

// moduleArgs are the insmod-style parameters given after each module on
// the command line, keyed by the module's path.
type moduleArgs struct {
	args  map[string]string
	areas map[string]uint64
	mu    sync.Mutex // serialises what Output goroutines print
}

// splitModuleArgs separates modules (directories, and files named like
// modules or holding an ELF object) from the parameters that follow them:
// every other argument belongs to the module before it, and a module's parameters are joined with spaces, as
// insmod joins them for the kernel. Parameters after a directory are an
// error: they would apply to every module in it.
func splitModuleArgs(args []string) ([]string, *moduleArgs, error) {
	ma := &moduleArgs{args: map[string]string{}, areas: map[string]uint64{}}
	var mods []string
	var opts [][]string
	cur := -1
	for _, a := range args {
		if st, err := os.Stat(a); err == nil && (st.IsDir() || gelf.IsModuleName(a) || isELF(a)) {
			mods = append(mods, a)
			opts = append(opts, nil)
			cur = len(mods) - 1
			continue
		}
		if cur < 0 {
			return nil, nil, fmt.Errorf("%s: a parameter must follow the module it is for (or no such file)", a)
		}
		opts[cur] = append(opts[cur], a)
	}
	area := uint64(kmallocBase)
	for i, m := range mods {
		if len(opts[i]) == 0 {
			continue
		}
		if st, _ := os.Stat(m); st.IsDir() {
			return nil, nil, fmt.Errorf("%s: parameters %q follow a directory; give them after a module file", m, strings.Join(opts[i], " "))
		}
		ma.args[m] = strings.Join(opts[i], " ")
		ma.areas[m] = area
		area += kmallocStride
	}
	return mods, ma, nil
}

// isELF reports whether the file at path starts with the ELF magic.
func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "\x7fELF"
}

// paramsError is a module whose parameters the kernel refuses: what
// parse_args printed, and the error load_module fails with.
type paramsError struct {
	module string
	log    []string
	errno  syscall.Errno
}

func (e *paramsError) Error() string {
	return strings.Join(e.log, "\n") + fmt.Sprintf("\n%s: parameters refused: the kernel fails the load (err %d)", e.module, -int(e.errno))
}

// write applies the module's parameters, if it has any, and writes the
// image to path. What the kernel would print while parsing them, and what
// golink did not or could not apply, goes to stderr.
func (ma *moduleArgs) write(path string, img *image.Image, stderr io.Writer) error {
	args, ok := ma.args[img.Path]
	if !ok {
		return writeImage(path, img)
	}
	area := &image.ParamArea{Base: ma.areas[img.Path], Cap: kmallocStride}
	_, r, err := img.ApplyParams(args, area, nil)
	if err != nil {
		return err
	}
	if r.Err() != nil {
		return &paramsError{module: img.Name, log: r.Log, errno: r.Errno()}
	}
	ma.mu.Lock()
	for _, l := range r.Log {
		fmt.Fprintln(stderr, l)
	}
	for _, na := range r.NotApplied {
		fmt.Fprintf(stderr, "golink: %s: %s not applied: %s\n", img.Name, argText(na), na.Reason)
	}
	if len(area.Data) > 0 {
		fmt.Fprintf(stderr, "golink: %s: charp values copied to %#x (%d bytes, section %s), standing in for kmalloc\n",
			img.Name, area.Base, len(area.Data), image.KmallocSection)
	}
	ma.mu.Unlock()
	return writeImage(path, img)
}

func argText(na params.NotApplied) string {
	if na.Bare {
		return na.Param.Name
	}
	return na.Param.Name + "=" + na.Value
}
