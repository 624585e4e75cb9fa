package kmod

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DepmodFile is one file depmod writes.
type DepmodFile struct {
	Name  string
	Write func(d *Depmod, w io.Writer) error
	Index bool // a binary index: not written by -n (WriteAll)
}

// DepmodFiles are the files depmod writes, in kmod's order.
var DepmodFiles = []DepmodFile{
	{"modules.dep", (*Depmod).WriteDep, false},
	{"modules.dep.bin", (*Depmod).WriteDepBin, true},
	{"modules.alias", (*Depmod).WriteAlias, false},
	{"modules.alias.bin", (*Depmod).WriteAliasBin, true},
	{"modules.softdep", (*Depmod).WriteSoftdep, false},
	{"modules.symbols", (*Depmod).WriteSymbols, false},
	{"modules.symbols.bin", (*Depmod).WriteSymbolsBin, true},
	{"modules.builtin.bin", (*Depmod).WriteBuiltinBin, true},
	{"modules.builtin.alias.bin", (*Depmod).WriteBuiltinAliasBin, true},
	{"modules.devname", (*Depmod).WriteDevname, false},
}

// WriteFiles writes every file of DepmodFiles into the module directory,
// each through a temporary file renamed into place, as kmod does.
func (d *Depmod) WriteFiles() error {
	defer d.warn.Flush()
	for _, f := range DepmodFiles {
		path := filepath.Join(d.dir, f.Name)
		tmp := path + ".tmp"
		out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(out, 256<<10)
		err = f.Write(d, bw)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(tmp)
			return fmt.Errorf("could not write index '%s': %w", f.Name, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return nil
}

// WriteAll writes the text files of DepmodFiles to w, one after the
// other, as depmod -n does.
func (d *Depmod) WriteAll(w io.Writer) error {
	defer d.warn.Flush()
	bw := bufio.NewWriterSize(w, 256<<10)
	for _, f := range DepmodFiles {
		if f.Index {
			continue // kmod's index writers do nothing with -n
		}
		if err := f.Write(d, bw); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteDep writes modules.dep: each module's path relative to the module
// directory, a colon, and every module it needs, directly or not, in load
// order.
func (d *Depmod) WriteDep(w io.Writer) error {
	bw := asBuffered(w)
	for _, m := range d.modules {
		bw.WriteString(m.compressedPath())
		bw.WriteByte(':')
		if len(m.deps) > 0 {
			for _, dep := range m.allDeps() {
				bw.WriteByte(' ')
				bw.WriteString(dep.compressedPath())
			}
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteAlias writes modules.alias: every alias= of every module.
func (d *Depmod) WriteAlias(w io.Writer) error {
	bw := asBuffered(w)
	bw.WriteString("# Aliases extracted from modules themselves.\n")
	for _, m := range d.modules {
		for _, f := range m.info {
			if f.Key == "alias" {
				bw.WriteString("alias " + f.Value + " " + m.name + "\n")
			}
		}
	}
	return bw.Flush()
}

// WriteSoftdep writes modules.softdep: every softdep= of every module.
func (d *Depmod) WriteSoftdep(w io.Writer) error {
	bw := asBuffered(w)
	bw.WriteString("# Soft dependencies extracted from modules themselves.\n")
	for _, m := range d.modules {
		for _, f := range m.info {
			if f.Key == "softdep" {
				bw.WriteString("softdep " + m.name + " " + f.Value + "\n")
			}
		}
	}
	return bw.Flush()
}

// WriteSymbols writes modules.symbols: each symbol a module exports and
// the module depmod picked for it, in the order of kmod's symbol hash
// table (2048 buckets).
func (d *Depmod) WriteSymbols(w io.Writer) error {
	bw := asBuffered(w)
	bw.WriteString("# Aliases for symbols, used by symbol_request().\n")
	for _, name := range d.symbolOrder() {
		bw.WriteString("alias symbol:" + name + " " + d.symbols[name].owner.name + "\n")
	}
	return bw.Flush()
}

// symbolOrder returns the names of the symbols modules provide in kmod's
// hash iteration order.
func (d *Depmod) symbolOrder() []string {
	names := make([]string, 0, len(d.symbols))
	for n, s := range d.symbols {
		if s.owner != nil {
			names = append(names, n)
		}
	}
	hashOrder(names, 2048)
	return names
}

// WriteDevname writes modules.devname: modules that name a device node
// (alias devname:<name>) with its char-major-M-m or block-major-M-m
// alias.
func (d *Depmod) WriteDevname(w io.Writer) error {
	bw := asBuffered(w)
	bw.WriteString("# Device nodes to trigger on-demand module loading.\n")
	for _, m := range d.modules {
		devname, hasDev := "", false
		var typ byte
		var maj, mnr uint32
		for _, f := range m.info {
			if f.Key != "alias" {
				continue
			}
			if v, ok := strings.CutPrefix(f.Value, "devname:"); ok {
				devname, hasDev = v, true
			} else if a, b, ok := scanMajorMinor(f.Value, "char-major-"); ok {
				typ, maj, mnr = 'c', a, b
			} else if a, b, ok := scanMajorMinor(f.Value, "block-major-"); ok {
				typ, maj, mnr = 'b', a, b
			}
			if typ != 0 && hasDev {
				break
			}
		}
		if !hasDev {
			continue
		}
		if typ == 0 {
			d.warnf("ERROR", "Module '%s' has devname (%s) but lacks major and minor information. Ignoring.\n", m.name, devname)
			continue
		}
		fmt.Fprintf(bw, "%s %s %c%d:%d\n", m.name, devname, typ, maj, mnr)
	}
	return bw.Flush()
}

func asBuffered(w io.Writer) *bufio.Writer {
	if bw, ok := w.(*bufio.Writer); ok {
		return bw
	}
	return bufio.NewWriterSize(w, 64<<10)
}

// parseUint is sscanf's %u: optional white space and sign, then decimal
// digits (at least one), wrapping as strtoul does and truncated to 32
// bits. It returns the value and the rest of s.
func parseUint(s string) (uint32, string, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, s, false
	}
	v, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		v = ^uint64(0)
	}
	if neg {
		v = -v
	}
	return uint32(v), s[i:], true
}

// scanMajorMinor is sscanf(value, prefix "%u-%u", &maj, &min) == 2.
func scanMajorMinor(value, prefix string) (uint32, uint32, bool) {
	rest, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return 0, 0, false
	}
	maj, rest, ok := parseUint(rest)
	if !ok || !strings.HasPrefix(rest, "-") {
		return 0, 0, false
	}
	mnr, _, ok := parseUint(rest[1:])
	return maj, mnr, ok
}
