// Package symtab holds exported-symbol tables: the kernel's (from System.map
// or a vmlinux ELF, with Module.symvers saying what is exported, GPL-only or
// not, in which namespace and with which CRC) and those of loaded modules
// (from their __ksymtab sections). A Table answers the loader's one question
// — "who exports this name, at what address, under which rules?" — and is
// safe for concurrent use.
package symtab

import (
	"fmt"
	"sort"
	"sync"
)

// Symbol is one exported symbol.
type Symbol struct {
	Name      string
	Addr      uint64
	GPLOnly   bool   // exported with EXPORT_SYMBOL_GPL
	Namespace string // "" when exported without a namespace
	CRC       uint32 // modversions CRC, valid when HasCRC
	HasCRC    bool
	Owner     string // "" for the kernel (vmlinux), else the module's name
	Type      byte   // nm type letter where known ('T' for kernel text), 0 otherwise
}

// OwnerName returns the owner as the kernel names it in messages:
// "kernel" for vmlinux, else the module name.
func (s *Symbol) OwnerName() string {
	if s.Owner == "" {
		return "kernel"
	}
	return s.Owner
}

// DuplicateError reports an export that another owner already exports; the
// kernel refuses the second module in complete_formation
// (verify_exported_symbols).
type DuplicateError struct {
	Module string // the module whose export clashes
	Name   string
	Owner  string // who exports it already: "kernel" or a module name
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s: exports duplicate symbol %s (owned by %s)", e.Module, e.Name, e.Owner)
}

// Table is a set of exported symbols keyed by name. Its methods are safe for
// concurrent use. The zero value is not usable; call New.
type Table struct {
	mu   sync.RWMutex
	syms map[string]Symbol
}

// New returns an empty table.
func New() *Table { return &Table{syms: make(map[string]Symbol)} }

// Lookup returns the symbol exported under name.
func (t *Table) Lookup(name string) (Symbol, bool) {
	t.mu.RLock()
	s, ok := t.syms[name]
	t.mu.RUnlock()
	return s, ok
}

// Len returns the number of symbols in the table.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.syms)
}

// Add adds the exports of one owner (module name, or "" for the kernel)
// all together or not at all: if any name is exported already, nothing is
// added and the first clash is returned as a *DuplicateError.
func (t *Table) Add(owner string, syms []Symbol) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range syms {
		if old, ok := t.syms[syms[i].Name]; ok {
			return &DuplicateError{Module: owner, Name: syms[i].Name, Owner: old.OwnerName()}
		}
	}
	for _, s := range syms {
		s.Owner = owner
		t.syms[s.Name] = s
	}
	return nil
}

// Remove drops every symbol exported by owner (a module being unloaded).
func (t *Table) Remove(owner string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, s := range t.syms {
		if s.Owner == owner {
			delete(t.syms, name)
		}
	}
}

// Symbols returns a copy of the table's symbols sorted by name.
func (t *Table) Symbols() []Symbol {
	t.mu.RLock()
	out := make([]Symbol, 0, len(t.syms))
	for _, s := range t.syms {
		out = append(out, s)
	}
	t.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Clone returns a copy of the table that can be extended independently.
func (t *Table) Clone() *Table {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c := &Table{syms: make(map[string]Symbol, len(t.syms))}
	for k, v := range t.syms {
		c.syms[k] = v
	}
	return c
}
