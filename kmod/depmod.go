package kmod

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/internal/workers"
	"github.com/golink/golink/symtab"
)

// DepmodConfig says what depmod indexes and how.
type DepmodConfig struct {
	BaseDir string // -b: root of the tree, "" for /
	Version string // the kernel release: modules are under BaseDir/lib/modules/Version
	// Symvers (-E) is a Module.symvers whose vmlinux rows are the kernel's
	// exports, with CRCs that are then checked; SystemMap (-F) a
	// System.map whose __ksymtab_ symbols are, without CRCs. Symvers wins
	// when both are set, as in kmod.
	Symvers, SystemMap string
	ErrSyms            bool     // -e: warn about unknown symbols and version mismatches
	SymPrefix          byte     // -P: the arch's symbol prefix character, 0 for none
	ConfigPaths        []string // -C: depmod.d files or directories; nil for kmod's defaults
	Jobs               int      // modules read at once; 0 for one per CPU
	// Warn receives what kmod prints on stderr, line by line with its
	// "depmod: WARNING: " or "depmod: ERROR: " prefix; nil discards it.
	Warn io.Writer
}

// DefaultConfigPaths are where kmod looks for depmod.d configuration.
var DefaultConfigPaths = []string{"/run/depmod.d", "/etc/depmod.d", "/lib/depmod.d"}

// Depmod is a computed module index: what depmod writes.
type Depmod struct {
	cfg     *DepmodConfig
	dir     string // BaseDir/lib/modules/Version
	modules []*depMod
	symbols map[string]*depSym
	warn    *bufio.Writer
	errSyms bool // cfg.ErrSyms, off when there are no kernel symbols to check against
}

type depMod struct {
	path       string // absolute, as found
	relpath    string // relative to the module directory ("" if outside it)
	uncrelpath string
	name       string
	sortIdx    int
	depSortIdx int
	idx        int
	users      int
	deps       []*depMod

	exports []ExportSymbol
	info    []Field
	depSyms []DepSymbol
	loadErr error
}

type depSym struct {
	owner *depMod // nil for the kernel
	crc   uint64
}

// CycleError reports modules that depend on each other in a loop; kmod's
// depmod then writes nothing.
type CycleError struct {
	Cycles []string // "a -> b -> a", as kmod prints them
	Count  int      // modules in cycles
}

func (e *CycleError) Error() string {
	return fmt.Sprintf("Found %d modules in dependency cycles!", e.Count)
}

// RunDepmod scans the tree, reads every module and computes their
// dependencies as kmod's depmod -a does. Warnings go to cfg.Warn as they
// arise. It fails if the module directory cannot be read, if the kernel's
// symbols cannot be read, or with a *CycleError.
func RunDepmod(cfg *DepmodConfig) (*Depmod, error) {
	d := &Depmod{cfg: cfg, dir: cfg.BaseDir + "/lib/modules/" + cfg.Version, symbols: make(map[string]*depSym, 1<<15), errSyms: cfg.ErrSyms}
	w := cfg.Warn
	if w == nil {
		w = io.Discard
	}
	d.warn = bufio.NewWriter(w)
	defer d.warn.Flush()

	switch {
	case cfg.Symvers != "":
		if err := d.loadSymvers(cfg.Symvers); err != nil {
			return nil, err
		}
	case cfg.SystemMap != "":
		if err := d.loadSystemMap(cfg.SystemMap); err != nil {
			return nil, err
		}
	case cfg.ErrSyms:
		d.warnf("WARNING", "-e needs -E or -F\n")
		d.errSyms = false
	}
	searches, overrides := loadDepmodConfig(cfg.ConfigPaths, cfg.Version, d)
	if err := d.search(searches, overrides); err != nil {
		return nil, err
	}
	d.sortModules()
	d.load()
	for _, m := range d.modules {
		if m.loadErr != nil {
			d.warnf("ERROR", "failed to load symbols from %s: %v\n", m.path, m.loadErr)
		}
		for _, e := range m.exports {
			d.addSymbol(e.Name, false, e.CRC, m)
		}
	}
	for _, m := range d.modules {
		d.moduleDependencies(m)
	}
	if err := d.calculate(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Depmod) warnf(level, format string, args ...any) {
	d.warn.WriteString("depmod: " + level + ": ")
	fmt.Fprintf(d.warn, format, args...)
}

// Dir returns the module directory.
func (d *Depmod) Dir() string { return d.dir }

func (d *Depmod) addSymbol(name string, prefixSkipped bool, crc uint64, owner *depMod) {
	if !prefixSkipped && d.cfg.SymPrefix != 0 && len(name) > 0 && name[0] == d.cfg.SymPrefix {
		name = name[1:]
	}
	d.symbols[name] = &depSym{owner: owner, crc: crc}
}

func (d *Depmod) findSymbol(name string) *depSym {
	if len(name) > 0 && name[0] == '.' {
		name = name[1:]
	}
	if d.cfg.SymPrefix != 0 && len(name) > 0 && name[0] == d.cfg.SymPrefix {
		name = name[1:]
	}
	return d.symbols[name]
}

// search walks the module directory in directory order, as kmod's
// readdir-based walk does, keeping for each module name the file of
// highest priority.
func (d *Depmod) search(searches []cfgSearch, overrides []string) error {
	byName := map[string]*depMod{}
	var walk func(dir string) error
	walk = func(dir string) error {
		f, err := os.Open(dir)
		if err != nil {
			return err
		}
		ents, err := f.ReadDir(-1) // directory order, not sorted
		f.Close()
		if err != nil {
			return err
		}
		for _, e := range ents {
			name := e.Name()
			if name == "build" || name == "source" {
				continue
			}
			p := dir + "/" + name
			t := e.Type()
			if t&fs.ModeType != 0 && !t.IsDir() {
				st, err := os.Stat(p)
				if err != nil {
					d.warnf("ERROR", "fstatat(%s): %v\n", p, err)
					continue
				}
				t = st.Mode().Type()
			}
			switch {
			case t.IsDir():
				if err := walk(p); err != nil {
					d.warnf("ERROR", "failed %s: %v\n", p, err)
				}
			case t.IsRegular():
				d.addFile(p, name, byName, searches, overrides)
			default:
				d.warnf("ERROR", "unsupported file type %s: %o\n", p, uint32(t))
			}
		}
		return nil
	}
	if err := walk(d.dir); err != nil {
		return fmt.Errorf("could not open directory %s: %w", d.dir, err)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	// kmod numbers the modules in the iteration order of its
	// modules_by_name hash (512 buckets).
	hashOrder(names, 512)
	d.modules = make([]*depMod, len(names))
	for i, n := range names {
		d.modules[i] = byName[n]
	}
	return nil
}

func hasModExt(name string) bool { return gelf.IsModuleName(name) }

func (d *Depmod) addFile(path, base string, byName map[string]*depMod, searches []cfgSearch, overrides []string) {
	if !hasModExt(base) {
		return
	}
	name := symtab.ModuleName(base)
	if old := byName[name]; old != nil {
		if d.existingWins(old.path, path, searches, overrides) {
			return
		}
	}
	m := &depMod{path: path, name: name, sortIdx: 1, depSortIdx: int(^uint32(0) >> 1)}
	if strings.HasPrefix(path, d.dir+"/") {
		m.relpath = path[len(d.dir)+1:]
		// kmod's "uncompressed relpath": the directory, then as many bytes
		// of the file name as the module name has, then ".ko".
		dirLen := strings.LastIndexByte(m.relpath, '/') + 1
		n := min(dirLen+len(name)+3, len(m.relpath))
		m.uncrelpath = m.relpath[:n]
	}
	byName[name] = m
}

// existingWins is kmod's depmod_module_is_higher_priority: overrides
// first, then the search list (unlisted directories count as "built-in").
func (d *Depmod) existingWins(oldPath, newPath string, searches []cfgSearch, overrides []string) bool {
	rel := func(p string) string { return strings.TrimPrefix(p, d.dir+"/") }
	oldRel, newRel := rel(oldPath), rel(newPath)
	stem := func(r string) string { // directory + module file name without extensions
		base := r[strings.LastIndexByte(r, '/')+1:]
		if i := strings.IndexByte(base, '.'); i >= 0 {
			return r[:len(r)-len(base)+i]
		}
		return r
	}
	for _, o := range overrides {
		if stem(newRel) == o {
			return false
		}
		if stem(oldRel) == o {
			return true
		}
	}
	bprio, oldprio, newprio := -1, -1, -1
	for i, s := range searches {
		switch {
		case s.builtin:
			bprio = i
		case strings.HasPrefix(newRel, s.path+"/"):
			newprio = i
		case strings.HasPrefix(oldRel, s.path+"/"):
			oldprio = i
		}
	}
	if newprio < 0 {
		newprio = bprio
	}
	if oldprio < 0 {
		oldprio = bprio
	}
	return newprio <= oldprio
}

// sortModules orders the modules by modules.order, as kmod's
// depmod_modules_sort: listed modules in list order, then the others in
// hash order (the sort is stable, as glibc's merge-sorting qsort is).
func (d *Depmod) sortModules() {
	path := d.dir + "/modules.order"
	b, err := os.ReadFile(path)
	if err != nil {
		d.warnf("WARNING", "could not open modules.order at %s: %v\n", d.dir, errnoText(err))
		d.renumber()
		return
	}
	lines := strings.SplitAfter(string(b), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		if !strings.HasSuffix(l, "\n") {
			d.warnf("ERROR", "%s:%d corrupted line misses '\\n'\n", path, i+1)
			d.renumber()
			return
		}
	}
	byUnc := make(map[string]*depMod, len(d.modules))
	for _, m := range d.modules {
		if m.uncrelpath != "" {
			byUnc[m.uncrelpath] = m
		}
	}
	total := len(lines) + 1
	for i, l := range lines {
		if m := byUnc[strings.TrimSuffix(l, "\n")]; m != nil {
			m.sortIdx = i + 1 - total
		}
	}
	sort.SliceStable(d.modules, func(i, j int) bool { return d.modules[i].sortIdx < d.modules[j].sortIdx })
	d.renumber()
}

func (d *Depmod) renumber() {
	for i, m := range d.modules {
		m.idx = i
	}
}

// errnoText gives the strerror text of an *fs.PathError's errno.
func errnoText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		s := pe.Err.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

// load reads every module concurrently.
func (d *Depmod) load() {
	workers.Run(len(d.modules), d.cfg.Jobs, func(i int) { d.modules[i].loadModule() })
}

func (m *depMod) loadModule() {
	mod, err := Open(m.path)
	if err != nil {
		m.loadErr = err
		return
	}
	defer mod.Close()
	if m.exports, err = ExportedSymbols(mod.File); err != nil {
		m.loadErr = err
	}
	if i := mod.File.SectionByName(".modinfo", 0); i != 0 {
		for _, f := range ModinfoFields(mod.File.Bytes(i)) {
			if f.Key == "alias" || f.Key == "softdep" {
				m.info = append(m.info, f)
			}
		}
	}
	m.depSyms, _ = DependencySymbols(mod.File)
}

// moduleDependencies is depmod_load_module_dependencies.
func (d *Depmod) moduleDependencies(m *depMod) {
	check := d.cfg.Symvers != ""
	for _, s := range m.depSyms {
		sym := d.findSymbol(s.Name)
		if sym == nil {
			if d.errSyms && !s.Weak {
				d.warnf("WARNING", "%s needs unknown symbol %s\n", m.path, s.Name)
			}
			continue
		}
		if check && sym.crc != s.CRC && !s.Weak && d.errSyms {
			d.warnf("WARNING", "%s disagrees about version of symbol %s\n", m.path, s.Name)
		}
		if sym.owner == nil {
			continue
		}
		dup := false
		for _, x := range m.deps {
			if x == sym.owner {
				dup = true
				break
			}
		}
		if !dup {
			m.deps = append(m.deps, sym.owner)
			sym.owner.users++
		}
	}
}

// calculate is depmod_calculate_dependencies: a topological sort that
// numbers modules without users first, taking roots from a stack.
func (d *Depmod) calculate() error {
	n := len(d.modules)
	users := make([]int, n)
	roots := make([]int, 0, n)
	for i, m := range d.modules {
		users[i] = m.users
		if users[i] == 0 {
			roots = append(roots, i)
		}
	}
	sorted := 0
	for len(roots) > 0 {
		src := d.modules[roots[len(roots)-1]]
		roots = roots[:len(roots)-1]
		src.depSortIdx = sorted
		sorted++
		for _, dst := range src.deps {
			users[dst.idx]--
			if users[dst.idx] == 0 {
				roots = append(roots, dst.idx)
			}
		}
	}
	if sorted < n {
		u16 := make([]uint16, n)
		for i, u := range users {
			u16[i] = uint16(u)
		}
		return d.reportCycles(u16, n-sorted)
	}
	for _, m := range d.modules {
		if len(m.deps) > 1 {
			sort.Slice(m.deps, func(i, j int) bool { return m.deps[i].depSortIdx < m.deps[j].depSortIdx })
		}
	}
	return nil
}

// reportCycles is depmod_report_cycles.
func (d *Depmod) reportCycles(users []uint16, nRoots int) error {
	e := &CycleError{Count: nRoots}
	defer d.warnf("ERROR", "Found %d modules in dependency cycles!\n", e.Count)
	visited := make([]bool, len(d.modules))
	var edges []int
	ir := 0
	for nRoots > 0 {
		for ir < len(d.modules) && users[ir] == 0 {
			ir++
		}
		if ir >= len(d.modules) {
			break
		}
		stack := []int{ir}
		edges = edges[:0]
		nRoots--
		ir++
		for len(stack) > 0 {
			idx := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			m := d.modules[idx]
			if visited[idx] {
				k := len(edges) - 1
				for ; k >= 0 && d.modules[edges[k]] != m; k-- {
				}
				if k < 0 {
					k = 0
				}
				var parts []string
				for _, e := range edges[k:] {
					parts = append(parts, d.modules[e].name)
				}
				parts = append(parts, m.name)
				c := strings.Join(parts, " -> ")
				e.Cycles = append(e.Cycles, c)
				d.warnf("ERROR", "Cycle detected: %s\n", c)
				continue
			}
			visited[idx] = true
			if len(m.deps) == 0 {
				continue
			}
			edges = append(edges, idx)
			for _, dep := range m.deps {
				stack = append(stack, dep.idx)
				users[dep.idx]--
			}
		}
	}
	return e
}

// allDeps returns every module m needs, directly or not, in dependency
// order (mod_get_all_sorted_dependencies).
func (m *depMod) allDeps() []*depMod {
	seen := map[*depMod]bool{}
	var out []*depMod
	var fill func(x *depMod)
	fill = func(x *depMod) {
		for _, dep := range x.deps {
			if seen[dep] {
				continue
			}
			seen[dep] = true
			out = append(out, dep)
			fill(dep)
		}
	}
	fill(m)
	sort.Slice(out, func(i, j int) bool { return out[i].depSortIdx < out[j].depSortIdx })
	return out
}

// compressedPath is the path modules.dep names a module by.
func (m *depMod) compressedPath() string {
	if m.relpath != "" {
		return m.relpath
	}
	return m.path
}
