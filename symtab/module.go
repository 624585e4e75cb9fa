package symtab

import (
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// ModuleName returns the name kmod gives the module file at path
// (path_to_modname): the file name up to its first '.', with every '-'
// turned into '_'.
func ModuleName(path string) string {
	base := filepath.Base(path)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	return strings.ReplaceAll(base, "-", "_")
}

// Providers says which modules provide each exported symbol. Unlike a
// Table, it keeps every provider of a name (two modules of a tree may
// export the same symbol; only one can be loaded at a time). Its methods
// are safe for concurrent use; the zero value is not usable, call
// NewProviders.
type Providers struct {
	mu sync.RWMutex
	m  map[string][]Symbol
}

// NewProviders returns an empty index.
func NewProviders() *Providers { return &Providers{m: make(map[string][]Symbol)} }

// Add records the exports of module owner (their Owner field is set to
// it). Providers of a name are kept in the order they were added.
func (p *Providers) Add(owner string, syms []Symbol) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range syms {
		s.Owner = owner
		p.m[s.Name] = append(p.m[s.Name], s)
	}
}

// Lookup returns every provider of name, in the order they were added.
// The slice must not be modified.
func (p *Providers) Lookup(name string) []Symbol {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.m[name]
}

// Provider returns the provider depmod would pick for name: the one added
// last (depmod adds modules in modules.order order and a later export
// replaces an earlier one).
func (p *Providers) Provider(name string) (Symbol, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	l := p.m[name]
	if len(l) == 0 {
		return Symbol{}, false
	}
	return l[len(l)-1], true
}

// Len returns the number of distinct names.
func (p *Providers) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.m)
}

// Duplicates returns, sorted by name, the names more than one module
// provides.
func (p *Providers) Duplicates() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []string
	for name, l := range p.m {
		if len(l) > 1 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
