package kmod

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/golink/golink/symtab"
)

// ModuleDir returns the module directory kmod's tools use:
// BASEDIR/lib/modules/VERSION, VERSION defaulting to the running kernel's
// release (uname -r).
func ModuleDir(basedir, version string) (string, error) {
	if version == "" {
		r, err := kernelRelease()
		if err != nil {
			return "", fmt.Errorf("uname: %w", err)
		}
		version = r
	}
	return basedir + "/lib/modules/" + version, nil
}

// Lookup finds modules by name in a module directory: in its modules.dep
// (modules installed as files) and its modules.builtin.modinfo (modules
// built into the kernel). Aliases are not resolved. It is safe for
// concurrent use.
type Lookup struct {
	dir     string
	once    sync.Once
	paths   map[string]string  // module name -> absolute path
	builtin map[string][]Field // module name -> modinfo fields
	err     error
}

// NewLookup returns a lookup over dir; files are read on first use.
func NewLookup(dir string) *Lookup { return &Lookup{dir: dir} }

// Found is a module found by name.
type Found struct {
	Name    string
	Path    string  // for a module file
	Builtin bool    // built into the kernel: Fields holds its modinfo
	Fields  []Field // of a built-in module
}

// Find returns the module called name ('-' and '_' alike).
func (l *Lookup) Find(name string) (*Found, error) {
	l.once.Do(l.load)
	if l.err != nil {
		return nil, l.err
	}
	n := strings.ReplaceAll(name, "-", "_")
	if p, ok := l.paths[n]; ok {
		return &Found{Name: n, Path: p}, nil
	}
	if f, ok := l.builtin[n]; ok {
		return &Found{Name: n, Builtin: true, Fields: f}, nil
	}
	//lint:ignore ST1005 kmod's words, which golink modinfo matches byte for byte
	return nil, fmt.Errorf("Module %s not found.", name)
}

func (l *Lookup) load() {
	l.paths = map[string]string{}
	l.builtin = map[string][]Field{}
	f, err := os.Open(filepath.Join(l.dir, "modules.dep"))
	if err != nil {
		l.err = err
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		p, _, ok := strings.Cut(sc.Text(), ":")
		if !ok || p == "" {
			continue
		}
		if !filepath.IsAbs(p) {
			p = l.dir + "/" + p
		}
		name := symtab.ModuleName(p)
		if _, dup := l.paths[name]; !dup {
			l.paths[name] = p
		}
	}
	if b, err := os.ReadFile(filepath.Join(l.dir, "modules.builtin.modinfo")); err == nil {
		for _, s := range bytes.Split(b, []byte{0}) {
			mod, kv, ok := bytes.Cut(s, []byte("."))
			if !ok || len(mod) == 0 {
				continue
			}
			n := strings.ReplaceAll(string(mod), "-", "_")
			l.builtin[n] = append(l.builtin[n], ModinfoFields(kv)...)
		}
	}
}
