package kallsyms

import (
	"debug/elf"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/golink/golink/symtab"
)

// Config describes the kernel's configuration. The zero value is Debian's
// 6.1 x86_64: CONFIG_KALLSYMS_ALL=y, KALLSYMS_ABSOLUTE_PERCPU=y.
type Config struct {
	// TextOnly models CONFIG_KALLSYMS_ALL=n: only kernel text and init
	// text, and only module text, are in the tables.
	TextOnly bool
	// NoAbsolutePercpu models CONFIG_KALLSYMS_ABSOLUTE_PERCPU=n: per-cpu
	// symbols keep their own letters.
	NoAbsolutePercpu bool
}

// Symbol is one entry of the table.
type Symbol struct {
	Addr   uint64
	Type   byte // as /proc/kallsyms prints it
	Name   string
	Module string // "" for the kernel
}

// Region is module memory: [Base, Base+Size), the first TextSize bytes
// text (the kernel's core_layout).
type Region struct {
	Base, Size, TextSize uint64
}

// ELFSection is what the kernel's rules need of a module's section
// header, as the loader left it (.modinfo and __versions without
// SHF_ALLOC).
type ELFSection struct {
	Name  string
	Type  elf.SectionType
	Flags elf.SectionFlag
	Init  bool // placed in the init region (.init*)
}

// ELFSymbol is one entry of a module's symbol table, at its final value.
type ELFSymbol struct {
	Name  string
	Value uint64
	Info  byte
	Shndx elf.SectionIndex
}

// Module is a loaded module as kallsyms sees it.
type Module struct {
	Name      string
	Core      Region
	Sections  []ELFSection // by section index
	Percpu    int          // index of .data..percpu, 0 if none
	Symbols   []ELFSymbol  // the symbol table, index 0 included
	Exports   map[string]uint64
	Livepatch bool // every symbol is kept
}

// Table is the kernel's and the loaded modules' kallsyms. Add everything,
// then look up; lookups are safe for concurrent use, adding is not.
type Table struct {
	cfg    Config
	kernel []Symbol
	bounds struct{ stext, etext, sinittext, einittext, end uint64 }
	hasK   bool
	mods   []*module // in load order

	once  *sync.Once
	idx   *index
	names map[string]uint64
}

type module struct {
	name    string
	core    Region
	syms    []Symbol // kept, in symbol-table order
	lookups []Symbol // those address lookup considers: named, not mapping symbols
}

// New returns an empty table.
func New(cfg Config) *Table { return &Table{cfg: cfg, once: new(sync.Once)} }

// mksysmapDrop is scripts/mksysmap's filter, applied to a vmlinux symbol
// table (a System.map already had it).
func mksysmapDrop(s symtab.MapSymbol) bool {
	switch s.Type {
	case 'a', 'N', 'U', 'w':
		return true
	}
	n := s.Name
	return strings.HasPrefix(n, "$") || strings.HasPrefix(n, ".L") || strings.HasPrefix(n, "__crc_") ||
		strings.HasPrefix(n, "__kstrtab_") || strings.HasPrefix(n, "__kstrtabns_") || n == "L0"
}

var ignoredNames = map[string]bool{
	"kallsyms_addresses": true, "kallsyms_offsets": true, "kallsyms_relative_base": true,
	"kallsyms_num_syms": true, "kallsyms_names": true, "kallsyms_markers": true,
	"kallsyms_token_table": true, "kallsyms_token_index": true, "kallsyms_seqs_of_names": true,
	"_SDA_BASE_": true, "_SDA2_BASE_": true,
}

var ignoredPrefixes = []string{"__efistub_", "__kvm_nvhe_$", "__kvm_nvhe_.L", "__AArch64ADRPThunk_",
	"__ARMV5PILongThunk_", "__ARMV7PILongThunk_", "__ThumbV7PILongThunk_", "__LA25Thunk_",
	"__microLA25Thunk_", "__kcfi_typeid_"}

var keptAbsolute = map[string]bool{"__kernel_syscall_via_break": true, "__kernel_syscall_via_epc": true,
	"__kernel_sigtramp": true, "__gp": true}

// ksymNameLen is KSYM_NAME_LEN in 6.1.
const ksymNameLen = 512

// isIgnored is scripts/kallsyms' is_ignored_symbol.
func isIgnored(s symtab.MapSymbol) bool {
	if ignoredNames[s.Name] {
		return true
	}
	for _, p := range ignoredPrefixes {
		if strings.HasPrefix(s.Name, p) {
			return true
		}
	}
	for _, p := range []string{"_from_arm", "_from_thumb", "_veneer"} {
		if strings.HasSuffix(s.Name, p) {
			return true
		}
	}
	if strings.Contains(s.Name, ".long_branch.") || strings.Contains(s.Name, ".plt_branch.") {
		return true
	}
	switch s.Type {
	case 'U', 'u', 'N', 'n':
		return true
	case 'A', 'a':
		return !keptAbsolute[s.Name]
	}
	return false
}

// linkerScriptName is may_be_linker_script_provide_symbol.
func linkerScriptName(n string) bool {
	if len(n) < 8 || !strings.HasPrefix(n, "__") {
		return false
	}
	return strings.HasPrefix(n[2:], "start_") || strings.HasPrefix(n[2:], "stop_") || strings.HasPrefix(n[2:], "end_") ||
		strings.HasSuffix(n, "_start") || strings.HasSuffix(n, "_end")
}

// SetKernel builds the kernel's kallsyms from its symbol map (System.map,
// or a vmlinux symbol table as symtab.ReadAddresses reads it), replacing
// any earlier one. It fails on a name of KSYM_NAME_LEN (512) bytes or more,
// as scripts/kallsyms does.
func (t *Table) SetKernel(syms []symtab.MapSymbol) error {
	t.resetIndex()
	byName := map[string]uint64{}
	for _, s := range syms {
		if _, ok := byName[s.Name]; !ok {
			byName[s.Name] = s.Addr
		}
	}
	b := &t.bounds
	var found [5]bool
	for i, p := range []*uint64{&b.stext, &b.etext, &b.sinittext, &b.einittext, &b.end} {
		*p, found[i] = byName[[]string{"_stext", "_etext", "_sinittext", "_einittext", "_end"}[i]]
	}
	pcStart, okS := byName["__per_cpu_start"]
	pcEnd, okE := byName["__per_cpu_end"]
	type ent struct {
		Symbol
		pos int
	}
	var kept []ent
	for _, s := range syms {
		if mksysmapDrop(s) || isIgnored(s) {
			continue
		}
		if len(s.Name) >= ksymNameLen {
			return fmt.Errorf("kallsyms: name too long (%d bytes), starting %.40q", len(s.Name), s.Name)
		}
		if t.cfg.TextOnly {
			inText := found[0] && found[1] && s.Addr >= b.stext && s.Addr <= b.etext
			inInit := found[2] && found[3] && s.Addr >= b.sinittext && s.Addr <= b.einittext
			if !inText && !inInit {
				continue
			}
			if (found[1] && s.Addr == b.etext && s.Name != "_stext") || (found[3] && s.Addr == b.einittext && s.Name != "_sinittext") {
				continue
			}
		}
		typ := s.Type
		if !t.cfg.NoAbsolutePercpu && okS && okE && s.Addr >= pcStart && s.Addr <= pcEnd {
			typ = 'A'
		}
		kept = append(kept, ent{Symbol{Addr: s.Addr, Type: typ, Name: s.Name}, len(kept)})
	}
	weak := func(c byte) int {
		if c == 'w' || c == 'W' {
			return 1
		}
		return 0
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	sort.Slice(kept, func(i, j int) bool {
		a, c := &kept[i], &kept[j]
		if a.Addr != c.Addr {
			return a.Addr < c.Addr
		}
		if wa, wc := weak(a.Type), weak(c.Type); wa != wc {
			return wa < wc
		}
		if la, lc := b2i(linkerScriptName(a.Name)), b2i(linkerScriptName(c.Name)); la != lc {
			return la < lc
		}
		if ua, uc := len(a.Name)-len(strings.TrimLeft(a.Name, "_")), len(c.Name)-len(strings.TrimLeft(c.Name, "_")); ua != uc {
			return ua < uc
		}
		return a.pos < c.pos
	})
	t.kernel = make([]Symbol, len(kept))
	for i := range kept {
		t.kernel[i] = kept[i].Symbol
	}
	t.hasK = found[0] && found[4] || (t.cfg.TextOnly && found[0] && found[1])
	return nil
}

// Kernel returns the kernel's symbols in kallsyms order.
func (t *Table) Kernel() []Symbol { return t.kernel }

// elfType is the kernel's elf_type (6.1).
func elfType(m *Module, s *ELFSymbol) byte {
	switch {
	case elf.ST_BIND(s.Info) == elf.STB_WEAK:
		if elf.ST_TYPE(s.Info) == elf.STT_OBJECT {
			return 'v'
		}
		return 'w'
	case s.Shndx == elf.SHN_UNDEF:
		return 'U'
	case s.Shndx == elf.SHN_ABS || (m.Percpu != 0 && int(s.Shndx) == m.Percpu):
		return 'a'
	case s.Shndx >= elf.SHN_LORESERVE || int(s.Shndx) >= len(m.Sections):
		return '?'
	}
	sec := &m.Sections[s.Shndx]
	switch {
	case sec.Flags&elf.SHF_EXECINSTR != 0:
		return 't'
	case sec.Flags&elf.SHF_ALLOC != 0 && sec.Type != elf.SHT_NOBITS:
		if sec.Flags&elf.SHF_WRITE == 0 {
			return 'r'
		}
		return 'd'
	case sec.Type == elf.SHT_NOBITS:
		return 'b'
	case strings.HasPrefix(sec.Name, ".debug"):
		return 'n'
	}
	return '?'
}

// isCoreSymbol is the kernel's is_core_symbol: what a module keeps in its
// kallsyms once init has run.
func (t *Table) isCoreSymbol(m *Module, s *ELFSymbol) bool {
	if s.Shndx == elf.SHN_UNDEF || int(s.Shndx) >= len(m.Sections) || s.Name == "" {
		return false
	}
	if !t.cfg.TextOnly && m.Percpu != 0 && int(s.Shndx) == m.Percpu {
		return true
	}
	sec := &m.Sections[s.Shndx]
	if sec.Flags&elf.SHF_ALLOC == 0 || (t.cfg.TextOnly && sec.Flags&elf.SHF_EXECINSTR == 0) || sec.Init {
		return false
	}
	return true
}

// isMappingSymbol is 6.1's filter at lookup time: ".L..." and the ARM
// mapping symbols $a, $x, $t, $d (alone or followed by '.').
func isMappingSymbol(n string) bool {
	if strings.HasPrefix(n, ".L") {
		return true
	}
	if len(n) >= 2 && n[0] == '$' && strings.IndexByte("axtd", n[1]) >= 0 {
		return len(n) == 2 || n[2] == '.'
	}
	return false
}

// AddModule adds a loaded module's core kallsyms, as the module would
// show after its init has run. Modules are listed and searched newest
// first, the last added being the newest.
func (t *Table) AddModule(m *Module) {
	t.resetIndex()
	mod := &module{name: m.Name, core: m.Core}
	for i := 1; i < len(m.Symbols); i++ {
		s := &m.Symbols[i]
		if !m.Livepatch && !t.isCoreSymbol(m, s) {
			continue
		}
		typ := elfType(m, s)
		if v, ok := m.Exports[s.Name]; ok && v == s.Value {
			typ = upper(typ)
		} else {
			typ = lower(typ)
		}
		sym := Symbol{Addr: s.Value, Type: typ, Name: s.Name, Module: m.Name}
		mod.syms = append(mod.syms, sym)
		if s.Name != "" && s.Shndx != elf.SHN_UNDEF && !isMappingSymbol(s.Name) {
			mod.lookups = append(mod.lookups, sym)
		}
	}
	t.mods = append(t.mods, mod)
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}

// Modules returns each module's kept symbols, newest module first.
func (t *Table) Modules() [][]Symbol {
	out := make([][]Symbol, 0, len(t.mods))
	for i := len(t.mods) - 1; i >= 0; i-- {
		out = append(out, t.mods[i].syms)
	}
	return out
}

// Len returns the number of symbols in the table.
func (t *Table) Len() int {
	n := len(t.kernel)
	for _, m := range t.mods {
		n += len(m.syms)
	}
	return n
}

// WriteTo writes the table as /proc/kallsyms shows it to a reader allowed
// to see addresses: the kernel's symbols ("%016x %c %s"), then each
// module's, newest module first ("%016x %c %s\t[%s]"); entries without a
// name are skipped.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	for _, s := range t.kernel {
		if s.Name != "" {
			fmt.Fprintf(cw, "%016x %c %s\n", s.Addr, s.Type, s.Name)
		}
	}
	for i := len(t.mods) - 1; i >= 0; i-- {
		for _, s := range t.mods[i].syms {
			if s.Name != "" {
				fmt.Fprintf(cw, "%016x %c %s\t[%s]\n", s.Addr, s.Type, s.Name, s.Module)
			}
		}
	}
	return cw.n, cw.err
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
