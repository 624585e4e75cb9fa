package kmod

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/golink/golink/symtab"
)

// WriteDepBin writes modules.dep.bin: module name → its modules.dep line.
func (d *Depmod) WriteDepBin(w io.Writer) error {
	root := &indexNode{}
	for _, m := range d.modules {
		var b strings.Builder
		b.WriteString(m.compressedPath())
		b.WriteByte(':')
		for _, dep := range m.allDeps() {
			b.WriteByte(' ')
			b.WriteString(dep.compressedPath())
		}
		root.insert(m.name, b.String(), uint32(m.idx))
	}
	return writeIndex(w, root)
}

// WriteAliasBin writes modules.alias.bin: normalised alias → module.
func (d *Depmod) WriteAliasBin(w io.Writer) error {
	root := &indexNode{}
	for _, m := range d.modules {
		for _, f := range m.info {
			if f.Key != "alias" {
				continue
			}
			key, ok := normalizeAlias(f.Value, 1024)
			if !ok {
				d.warnf("WARNING", "Unmatched bracket in %s\n", f.Value)
				continue
			}
			root.insert(key, m.name, uint32(m.idx))
		}
	}
	return writeIndex(w, root)
}

// WriteSymbolsBin writes modules.symbols.bin: "symbol:<name>" → module.
func (d *Depmod) WriteSymbolsBin(w io.Writer) error {
	root := &indexNode{}
	for _, name := range d.symbolOrder() {
		o := d.symbols[name].owner
		root.insert("symbol:"+name, o.name, uint32(o.idx))
	}
	return writeIndex(w, root)
}

// WriteBuiltinBin writes modules.builtin.bin from modules.builtin: the
// name of every module built into the kernel. Without modules.builtin the
// file is left empty, with kmod's warning.
func (d *Depmod) WriteBuiltinBin(w io.Writer) error {
	path := filepath.Join(d.dir, "modules.builtin")
	b, err := os.ReadFile(path)
	if err != nil {
		d.warnf("WARNING", "could not open modules.builtin at %s: %s\n", d.dir, errnoText(err))
		return nil
	}
	root := &indexNode{}
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line == "" {
			continue
		}
		if c := line[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			d.warnf("ERROR", "Invalid modules.builtin line: %s\n", line) // the line keeps its own newline too
			continue
		}
		root.insert(symtab.ModuleName(line), "", 0)
	}
	return writeIndex(w, root)
}

// WriteBuiltinAliasBin writes modules.builtin.alias.bin from
// modules.builtin.modinfo: each built-in module's aliases → the module. Without modules.builtin.modinfo, or without any
// module in it, the file is left empty.
func (d *Depmod) WriteBuiltinAliasBin(w io.Writer) error {
	b, err := os.ReadFile(filepath.Join(d.dir, "modules.builtin.modinfo"))
	if err != nil {
		d.warnf("WARNING", "could not open modules.builtin.modinfo at %s: %s\n", d.dir, errnoText(err))
		return nil
	}
	// Modules in the order of their first string, each once, with its
	// fields gathered from the whole file.
	var order []string
	fields := map[string][]Field{}
	for _, s := range bytes.Split(b, []byte{0}) {
		mod, kv, ok := bytes.Cut(s, []byte("."))
		if !ok || len(mod) == 0 {
			continue
		}
		name := string(mod)
		if _, seen := fields[name]; !seen {
			order = append(order, name)
		}
		fields[name] = append(fields[name], ModinfoFields(kv)...)
	}
	if len(order) == 0 {
		return nil
	}
	root := &indexNode{}
	for _, name := range order {
		for _, f := range fields[name] {
			if f.Key != "alias" {
				continue
			}
			key, ok := normalizeAlias(f.Value, 4096)
			if !ok {
				d.warnf("WARNING", "Unmatched bracket in %s\n", f.Value)
				continue
			}
			root.insert(key, name, 0)
		}
	}
	return writeIndex(w, root)
}
