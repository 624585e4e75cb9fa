package golink_test

// The goldens under testdata/golden are text golink prints about itself, so
// reviewing a golden diff is reading the program against itself. This file
// checks the same facts with tools golink does not share code with: readelf
// and objdump on the input object, and readelf, nm and objdump on the image
// golink writes (at TestGolden's fixed placement), plus the kernel's
// System.map for the addresses of imports. Each comparison builds two lists
// of text lines, one from the golden and one from a tool, and diffs them.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/reloc/x86_64"
)

// oracleImage links the object at path as TestGolden does (x86_64, core at
// 0xffffffffa0000000, per-cpu at 0x35000, testKernel) and returns the image
// written as an ELF file. It is the only use of golink's API in this file.
func oracleImage(t *testing.T, path string) ([]byte, error) {
	t.Helper()
	obj, err := gelf.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := golink.NewModule(obj, golink.Config{Arch: x86_64.New()})
	if err != nil {
		return nil, err
	}
	img, err := m.Link(golink.Placement{Core: 0xffffffffa0000000, Percpu: 0x35000}, testKernel(t))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := img.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// TestGoldenOracle checks every golden under testdata/golden against
// readelf, nm and objdump:
//
//   - input object (readelf -S, -s, -r): each listed section's index, name,
//     size and flags; each listed symbol's name, binding, section and order,
//     and its value from the tools alone (section address from the golden
//     plus st_value; the kernel's address from System.map for an undefined
//     one; file offset plus st_value for one in an unloaded section, as the
//     kernel's loader computes it); every relocation's place, type, symbol
//     and addend; each import's address (System.map); for a failed link,
//     what its messages say of the object's relocations, symbols, sections,
//     __versions and .modinfo, and of the kernel's Module.symvers.
//   - written image (readelf -S, -s, -l, nm, objdump -s, -d): each loaded
//     section's name, address, size and flags; each symbol's value,
//     binding, section, type and size; each export's address, ksymtab,
//     namespace and CRC; the program headers and the layout record against
//     the golden's core/init/percpu lines; at each relocated
//     place, the bytes in the file, the value the psABI formula gives from
//     the golden's S, A and P, and, in code, the operand objdump decodes.
func TestGoldenOracle(t *testing.T) {
	for _, tool := range []string{"readelf", "nm", "objdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found (%v): run scripts/deps.sh to install binutils", tool, err)
		}
	}
	goldens, _ := filepath.Glob("testdata/golden/*.txt")
	if len(goldens) == 0 {
		t.Fatal("no goldens in testdata/golden")
	}
	sysmap := oracleSystemMap(t, "testdata/kernel/System.map")
	symvers := oracleSymvers(t, "testdata/kernel/Module.symvers")
	for _, golden := range goldens {
		name := strings.TrimSuffix(filepath.Base(golden), ".txt")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			obj := filepath.Join("testdata", "x86_64", name)
			g := parseOracleGolden(t, string(text))
			in := readOracleELF(t, obj, true)
			if g.errors != nil {
				checkOracleErrors(t, g, in, symvers)
				if _, err := oracleImage(t, obj); err == nil {
					t.Errorf("the golden records a failed link, but linking %s succeeded", obj)
				}
				return
			}
			checkOracleInput(t, g, in, sysmap)
			image, err := oracleImage(t, obj)
			if err != nil {
				t.Fatalf("the golden records a link, but linking %s failed: %v", obj, err)
			}
			out := filepath.Join(t.TempDir(), name+".elf")
			if err := os.WriteFile(out, image, 0o644); err != nil {
				t.Fatal(err)
			}
			checkOracleImage(t, g, in, readOracleELF(t, out, false))
		})
	}
}

// ---- The golden, parsed. ----

type oracleGolden struct {
	core, init    [5]uint64 // base, size, text, ro, ro_after_init (init has no ro_after_init)
	percpu        [2]uint64 // base, size
	sections      []oracleGoldenSection
	symbols       []oracleGoldenSymbol
	imports       []string // "name addr owner"
	exports       []oracleGoldenExport
	relocs        []oracleGoldenReloc
	notApplied    []string // "rela-section target"
	errors        []string // message lines of a failed link, nil if it linked
	hasHeaderLine map[string]bool
}

type oracleGoldenSection struct {
	index      int
	name       string
	addr, size uint64
	init       bool
	flags      string // readelf's letters, sorted
}

type oracleGoldenSymbol struct {
	value            uint64
	bind, sect, name string // bind as readelf spells it (LOCAL)
}

type oracleGoldenExport struct {
	name string
	addr uint64
	gpl  bool
	ns   string
	crc  string // "none" or 0x%08x
}

type oracleGoldenReloc struct {
	sect  string
	off   uint64
	typ   string
	sym   string
	add   int64
	bytes []byte
}

var (
	oracleSectionRe = regexp.MustCompile(`^  \[\s*(\d+)\] (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+) (core|init) (\S+)$`)
	oracleSymbolRe  = regexp.MustCompile(`^  ([0-9a-f]{16}) STB_(\S+)\s+(\S+)\s+(\S+)$`)
	oracleImportRe  = regexp.MustCompile(`^  (\S+)\s+0x([0-9a-f]+) (\S+)$`)
	oracleExportRe  = regexp.MustCompile(`^  (\S+)\s+0x([0-9a-f]+) gpl=(true|false) ns="(.*)" crc=(\S+)$`)
	oracleRelocRe   = regexp.MustCompile(`^  (\S+)\+0x([0-9a-f]+) (R_\S+)\s+(\S+?)([+-]\d+) -> ((?:[0-9a-f]{2} ?)*)$`)
	oracleNotApplRe = regexp.MustCompile(`^  (\S+): not applied \((\S+) is not loaded\)$`)
)

func parseOracleGolden(t *testing.T, text string) *oracleGolden {
	t.Helper()
	g := &oracleGolden{hasHeaderLine: map[string]bool{}}
	block := ""
	bad := func(line string) { t.Fatalf("golden line not understood: %q", line) }
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "module "):
			continue
		case strings.HasPrefix(line, "error: "):
			g.errors = append(g.errors, strings.TrimPrefix(line, "error: "))
			block = "error"
			continue
		case line == "link error:":
			g.errors = []string{}
			block = "error"
			continue
		case block == "error":
			g.errors = append(g.errors, line)
			continue
		case strings.HasPrefix(line, "core "):
			c := &g.core
			if _, err := fmt.Sscanf(line, "core %v size %v (text %v, ro %v, ro_after_init %v)", &c[0], &c[1], &c[2], &c[3], &c[4]); err != nil {
				bad(line)
			}
			g.hasHeaderLine["core"] = true
			continue
		case strings.HasPrefix(line, "init "):
			c := &g.init
			if _, err := fmt.Sscanf(line, "init %v size %v (text %v, ro %v)", &c[0], &c[1], &c[2], &c[3]); err != nil {
				bad(line)
			}
			g.hasHeaderLine["init"] = true
			continue
		case strings.HasPrefix(line, "percpu "):
			if _, err := fmt.Sscanf(line, "percpu %v size %v", &g.percpu[0], &g.percpu[1]); err != nil {
				bad(line)
			}
			g.hasHeaderLine["percpu"] = true
			continue
		case strings.HasPrefix(line, "taints "), strings.HasPrefix(line, "log: "):
			continue // no tool knows taints or the kernel's log
		case strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " "):
			block = strings.TrimSuffix(line, ":")
			continue
		}
		switch block {
		case "sections":
			m := oracleSectionRe.FindStringSubmatch(line)
			if m == nil {
				bad(line)
			}
			g.sections = append(g.sections, oracleGoldenSection{index: oracleAtoi(t, m[1]), name: m[2],
				addr: oracleHex(t, m[3]), size: oracleHex(t, m[4]), init: m[5] == "init", flags: oracleGoldenFlags(t, m[6])})
		case "symbols":
			m := oracleSymbolRe.FindStringSubmatch(line)
			if m == nil {
				bad(line)
			}
			g.symbols = append(g.symbols, oracleGoldenSymbol{value: oracleHex(t, m[1]), bind: m[2], sect: m[3], name: m[4]})
		case "imports":
			m := oracleImportRe.FindStringSubmatch(line)
			if m == nil {
				bad(line)
			}
			g.imports = append(g.imports, fmt.Sprintf("%s %#x %s", m[1], oracleHex(t, m[2]), m[3]))
		case "exports":
			m := oracleExportRe.FindStringSubmatch(line)
			if m == nil {
				bad(line)
			}
			g.exports = append(g.exports, oracleGoldenExport{name: m[1], addr: oracleHex(t, m[2]), gpl: m[3] == "true", ns: m[4], crc: m[5]})
		case "relocations":
			if m := oracleNotApplRe.FindStringSubmatch(line); m != nil {
				g.notApplied = append(g.notApplied, m[1]+" "+m[2])
				continue
			}
			m := oracleRelocRe.FindStringSubmatch(line)
			if m == nil {
				bad(line)
			}
			add, err := strconv.ParseInt(m[5], 10, 64)
			if err != nil {
				bad(line)
			}
			b, err := oracleHexBytes(m[6])
			if err != nil {
				bad(line)
			}
			g.relocs = append(g.relocs, oracleGoldenReloc{sect: m[1], off: oracleHex(t, m[2]), typ: m[3], sym: m[4], add: add, bytes: b})
		default:
			bad(line)
		}
	}
	if g.errors == nil {
		for _, h := range []string{"core", "init", "percpu"} {
			if !g.hasHeaderLine[h] {
				t.Fatalf("golden has no %s line", h)
			}
		}
	}
	return g
}

// oracleGoldenFlags turns debug/elf's SectionFlag.String() (SHF_WRITE+SHF_ALLOC)
// into readelf's letters, sorted.
func oracleGoldenFlags(t *testing.T, s string) string {
	t.Helper()
	letters := map[string]string{
		"SHF_WRITE": "W", "SHF_ALLOC": "A", "SHF_EXECINSTR": "X", "SHF_MERGE": "M", "SHF_STRINGS": "S",
		"SHF_INFO_LINK": "I", "SHF_LINK_ORDER": "L", "SHF_OS_NONCONFORMING": "O", "SHF_GROUP": "G",
		"SHF_TLS": "T", "SHF_COMPRESSED": "C",
	}
	var b strings.Builder
	if s == "0x0" {
		return ""
	}
	for _, f := range strings.Split(s, "+") {
		if l, ok := letters[f]; ok {
			b.WriteString(l)
			continue
		}
		v, err := strconv.ParseUint(f, 0, 64)
		if err != nil {
			t.Fatalf("section flag %q in golden not understood", f)
		}
		if v&0x0ff00000 != 0 {
			b.WriteString("o") // readelf: OS specific
		}
		if v&0xf0000000 != 0 {
			b.WriteString("p") // readelf: processor specific
		}
		if v&^0xfff00000 != 0 {
			b.WriteString("x") // readelf: unknown
		}
	}
	return oracleSortLetters(b.String())
}

// ---- What the tools say. ----

type oracleELF struct {
	path     string
	sections []oracleSection
	symbols  []oracleSymbol
	relocs   []oracleReloc // input objects only
}

type oracleSection struct {
	index           int
	name, typ       string
	addr, off, size uint64
	flags           string // sorted letters
	link, info      int
}

type oracleSymbol struct {
	num         int
	value, size uint64
	typ, bind   string
	ndx, name   string // ndx: UND, ABS, COM or a section number
}

type oracleReloc struct {
	rela   string // the relocation section
	off    uint64
	typ    string
	typNum uint64
	sym    string
	addend int64
}

func oracleRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s(is binutils installed? run scripts/deps.sh)", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

var (
	oracleReadelfSecRe = regexp.MustCompile(`^\s*\[\s*(\d+)\]\s(.*)$`)
	oracleReadelfSymRe = regexp.MustCompile(`^\s*(\d+):\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$`)
	oracleRelaHeadRe   = regexp.MustCompile(`^Relocation section '(.+)' at offset 0x[0-9a-f]+ contains \d+ entr(y|ies):$`)
	oracleRelaRowRe    = regexp.MustCompile(`^([0-9a-f]{16})\s+([0-9a-f]{16})\s+(\S+)\s+(?:[0-9a-f]{16}\s+)?(.*?)\s*([+-]) ([0-9a-f]+)$`)
	oracleHexOnlyRe    = regexp.MustCompile(`^[0-9a-f]+$`)
)

func readOracleELF(t *testing.T, path string, relocs bool) *oracleELF {
	t.Helper()
	e := &oracleELF{path: path}
	for _, line := range strings.Split(oracleRun(t, "readelf", "-W", "-S", path), "\n") {
		m := oracleReadelfSecRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := strings.Fields(m[2])
		n := len(f)
		if n < 8 {
			t.Fatalf("readelf -S %s: cannot parse %q", path, line)
		}
		s := oracleSection{index: oracleAtoi(t, m[1]), link: oracleAtoi(t, f[n-3]), info: oracleAtoi(t, f[n-2])}
		i := n - 4
		if !oracleHexOnlyRe.MatchString(f[i]) {
			s.flags = oracleSortLetters(f[i])
			i--
		}
		if i < 4 {
			t.Fatalf("readelf -S %s: cannot parse %q", path, line)
		}
		s.size, s.off, s.addr, s.typ = oracleHex(t, f[i-1]), oracleHex(t, f[i-2]), oracleHex(t, f[i-3]), f[i-4]
		s.name = strings.Join(f[:i-4], " ")
		if s.index != len(e.sections) {
			t.Fatalf("readelf -S %s: section [%d] out of order", path, s.index)
		}
		e.sections = append(e.sections, s)
	}
	if len(e.sections) == 0 {
		t.Fatalf("readelf -S %s: no sections", path)
	}
	for _, line := range strings.Split(oracleRun(t, "readelf", "-W", "-s", path), "\n") {
		m := oracleReadelfSymRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		size, err := strconv.ParseUint(m[3], 0, 64)
		if err != nil {
			t.Fatalf("readelf -s %s: cannot parse %q", path, line)
		}
		e.symbols = append(e.symbols, oracleSymbol{num: oracleAtoi(t, m[1]), value: oracleHex(t, m[2]), size: size,
			typ: m[4], bind: m[5], ndx: m[7], name: m[8]})
	}
	if !relocs {
		return e
	}
	rela := ""
	for _, line := range strings.Split(oracleRun(t, "readelf", "-W", "-r", path), "\n") {
		if m := oracleRelaHeadRe.FindStringSubmatch(line); m != nil {
			rela = m[1]
			continue
		}
		if rela == "" || !regexp.MustCompile(`^[0-9a-f]{16} `).MatchString(line) {
			continue
		}
		m := oracleRelaRowRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("readelf -r %s: cannot parse %q", path, line)
		}
		add := int64(oracleHex(t, m[6]))
		if m[5] == "-" {
			add = -add
		}
		e.relocs = append(e.relocs, oracleReloc{rela: rela, off: oracleHex(t, m[1]), typ: m[3],
			typNum: oracleHex(t, m[2]) & 0xffffffff, sym: m[4], addend: add})
	}
	return e
}

// sectionName is the name readelf's Ndx column stands for.
func (e *oracleELF) sectionName(ndx string) string {
	if i, err := strconv.Atoi(ndx); err == nil && i < len(e.sections) {
		return e.sections[i].name
	}
	return ndx
}

func (e *oracleELF) section(name string) *oracleSection {
	for i := range e.sections {
		if e.sections[i].name == name {
			return &e.sections[i]
		}
	}
	return nil
}

// kallsymsCopies are the input's symbol and string tables, which the
// loader copies into init memory (layout_symtab).
func (e *oracleELF) kallsymsCopies() map[string]bool {
	m := map[string]bool{}
	for _, s := range e.sections {
		if s.typ == "SYMTAB" {
			m[s.name] = true
			if s.link < len(e.sections) {
				m[e.sections[s.link].name] = true
			}
		}
	}
	return m
}

// oracleContents is objdump -s: every byte of every section with contents,
// by address.
func oracleContents(t *testing.T, path string) map[uint64]byte {
	t.Helper()
	mem := map[uint64]byte{}
	in := false
	for _, line := range strings.Split(oracleRun(t, "objdump", "-s", path), "\n") {
		if strings.HasPrefix(line, "Contents of section ") {
			in = true
			continue
		}
		if !in || !strings.HasPrefix(line, " ") {
			continue
		}
		rest := line[1:]
		sp := strings.IndexByte(rest, ' ')
		if sp < 0 {
			t.Fatalf("objdump -s %s: cannot parse %q", path, line)
		}
		addr := oracleHex(t, rest[:sp])
		hex := rest[sp+1:]
		hex = hex[:min(len(hex), 36)]
		b, err := oracleHexBytes(hex)
		if err != nil {
			t.Fatalf("objdump -s %s: cannot parse %q: %v", path, line, err)
		}
		for i, c := range b {
			mem[addr+uint64(i)] = c
		}
	}
	return mem
}

type oracleInsn struct {
	addr  uint64
	bytes []byte
	text  string
}

// oracleDisasm is objdump -d -z: every instruction of every code section.
func oracleDisasm(t *testing.T, path string) []oracleInsn {
	t.Helper()
	var insns []oracleInsn
	re := regexp.MustCompile(`^\s*([0-9a-f]+):\t([0-9a-f ]+)(?:\t(.*))?$`)
	for _, line := range strings.Split(oracleRun(t, "objdump", "-d", "-z", "-w", path), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		b, err := oracleHexBytes(m[2])
		if err != nil {
			t.Fatalf("objdump -d %s: cannot parse %q: %v", path, line, err)
		}
		addr := oracleHex(t, m[1])
		if m[3] == "" && len(insns) > 0 && insns[len(insns)-1].addr+uint64(len(insns[len(insns)-1].bytes)) == addr {
			insns[len(insns)-1].bytes = append(insns[len(insns)-1].bytes, b...) // continuation line
			continue
		}
		insns = append(insns, oracleInsn{addr: addr, bytes: b, text: strings.TrimSpace(m[3])})
	}
	return insns
}

func oracleSystemMap(t *testing.T, path string) map[string]uint64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]uint64{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 {
			if v, err := strconv.ParseUint(f[0], 16, 64); err == nil {
				if _, dup := m[f[2]]; !dup {
					m[f[2]] = v
				}
			}
		}
	}
	return m
}

// ---- The checks. ----

func oracleDiff(t *testing.T, what string, want, got []string) {
	t.Helper()
	// Compared as text, so that cmp.Diff shows whole lines.
	if d := cmp.Diff(strings.Join(want, "\n")+"\n", strings.Join(got, "\n")+"\n"); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

// checkOracleInput compares the golden's facts about the input object with
// readelf's.
func checkOracleInput(t *testing.T, g *oracleGolden, in *oracleELF, sysmap map[string]uint64) {
	t.Helper()
	copies := in.kallsymsCopies()

	// Sections: index, name, size; flags as in the object, plus SHF_ALLOC
	// on the tables the loader copies into init.
	var want, got []string
	loaded := map[string]uint64{}
	byIndex := map[int]oracleGoldenSection{}
	for _, s := range g.sections {
		want = append(want, fmt.Sprintf("[%d] %s size %#x flags %q", s.index, s.name, s.size, s.flags))
		loaded[s.name] = s.addr
		byIndex[s.index] = s
		if s.index >= len(in.sections) {
			got = append(got, fmt.Sprintf("[%d] no such section", s.index))
			continue
		}
		is := in.sections[s.index]
		flags := is.flags
		if copies[is.name] {
			flags = oracleSortLetters(flags + "A")
		}
		got = append(got, fmt.Sprintf("[%d] %s size %#x flags %q", is.index, is.name, is.size, flags))
	}
	oracleDiff(t, "sections of "+in.path+" vs readelf -S", want, got)

	// Symbols: order, name, binding, section, and the value the tools give.
	want, got = nil, nil
	for _, s := range g.symbols {
		want = append(want, fmt.Sprintf("%016x %-6s %s %s", s.value, s.bind, s.sect, s.name))
	}
	for _, s := range in.symbols {
		if s.num == 0 || s.typ == "SECTION" || s.typ == "FILE" {
			continue
		}
		sect := in.sectionName(s.ndx)
		var v uint64
		switch i, err := strconv.Atoi(s.ndx); {
		case s.ndx == "UND":
			v = sysmap[s.name]
		case err != nil: // ABS, COM
			v = s.value
		case byIndex[i].name != "":
			v = byIndex[i].addr + s.value
		case sect == ".data..percpu":
			v = g.percpu[0] + s.value
		default: // not loaded: the loader's sh_addr is hdr + sh_offset, hdr 0 here
			v = in.sections[i].off + s.value
		}
		got = append(got, fmt.Sprintf("%016x %-6s %s %s", v, s.bind, sect, s.name))
	}
	oracleDiff(t, "symbols of "+in.path+" vs readelf -s (values: golden section addresses, System.map)", want, got)

	// Imports: the kernel's addresses.
	want, got = nil, nil
	for _, im := range g.imports {
		f := strings.Fields(im)
		want = append(want, im)
		if f[2] != "kernel" {
			got = append(got, im+" (owner not checked)")
			continue
		}
		v, ok := sysmap[f[0]]
		if !ok {
			got = append(got, f[0]+" not in System.map")
			continue
		}
		got = append(got, fmt.Sprintf("%s %#x kernel", f[0], v))
	}
	oracleDiff(t, "imports vs testdata/kernel/System.map", want, got)

	// Relocations: every entry of every relocation section, in order.
	want, got = nil, nil
	for _, r := range g.relocs {
		want = append(want, fmt.Sprintf("%s+%#x %s %s%+d", r.sect, r.off, r.typ, r.sym, r.add))
	}
	for _, n := range g.notApplied {
		want = append(want, n+" not applied")
	}
	sort.Strings(want[len(g.relocs):])
	var notApplied []string
	for _, r := range in.relocs {
		rs := in.section(r.rela)
		if rs == nil || rs.info >= len(in.sections) {
			t.Fatalf("readelf: relocation section %q has no target", r.rela)
		}
		target := in.sections[rs.info].name
		if _, ok := loaded[target]; !ok {
			n := r.rela + " " + target + " not applied"
			if len(notApplied) == 0 || notApplied[len(notApplied)-1] != n {
				notApplied = append(notApplied, n)
			}
			continue
		}
		got = append(got, fmt.Sprintf("%s+%#x %s %s%+d", target, r.off, r.typ, r.sym, r.addend))
	}
	sort.Strings(notApplied)
	got = append(got, notApplied...)
	oracleDiff(t, "relocations of "+in.path+" vs readelf -r", want, got)
}

// checkOracleImage compares the golden with the image golink wrote.
func checkOracleImage(t *testing.T, g *oracleGolden, in, out *oracleELF) {
	t.Helper()
	copies := in.kallsymsCopies()

	// Loaded sections: name, address, size, flags; the per-cpu section at
	// the per-cpu base. The kallsyms copies are loader bookkeeping, not
	// sections of the image.
	var want, got []string
	loaded := map[string]bool{}
	for _, s := range g.sections {
		if copies[s.name] {
			continue
		}
		loaded[s.name] = true
		want = append(want, fmt.Sprintf("%s %#x %#x %q", s.name, s.addr, s.size, s.flags))
	}
	if g.percpu[1] != 0 {
		loaded[".data..percpu"] = true
		want = append(want, fmt.Sprintf("%s %#x %#x %q", ".data..percpu", g.percpu[0], g.percpu[1], "AW"))
	}
	for _, s := range out.sections {
		if strings.Contains(s.flags, "A") {
			got = append(got, fmt.Sprintf("%s %#x %#x %q", s.name, s.addr, s.size, s.flags))
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	oracleDiff(t, "loaded sections vs readelf -S of the image", want, got)

	// Symbols: those in loaded sections, and the undefined ones (SHN_ABS
	// once resolved), at the golden's values.
	imported := map[string]bool{}
	for _, im := range g.imports {
		imported[strings.Fields(im)[0]] = true
	}
	want, got = nil, nil
	var wantNM []string
	inByName := map[string][]oracleSymbol{}
	for _, s := range in.symbols {
		inByName[s.name] = append(inByName[s.name], s)
	}
	var wantTS, gotTS []string
	for _, s := range g.symbols {
		sect := s.sect
		switch {
		case sect == "UND" && imported[s.name]:
			sect = "ABS"
		case sect == "UND", sect == "ABS", sect == "COM", loaded[sect]:
		default:
			continue // in a section that is not loaded
		}
		want = append(want, fmt.Sprintf("%016x %-6s %s %s", s.value, s.bind, sect, s.name))
		cls := strings.ToLower(s.bind)
		if sect == "ABS" {
			cls += " abs"
		}
		if sect != "UND" {
			wantNM = append(wantNM, fmt.Sprintf("%016x %s %s", s.value, s.name, cls))
		}
		if c := inByName[s.name]; len(c) == 1 {
			wantTS = append(wantTS, fmt.Sprintf("%s %s %d", s.name, c[0].typ, c[0].size))
		} else {
			wantTS = append(wantTS, fmt.Sprintf("%s: %d symbols of that name in the object", s.name, len(c)))
		}
	}
	for _, s := range out.symbols {
		if s.num == 0 || s.typ == "SECTION" || s.typ == "FILE" {
			continue
		}
		got = append(got, fmt.Sprintf("%016x %-6s %s %s", s.value, s.bind, out.sectionName(s.ndx), s.name))
		gotTS = append(gotTS, fmt.Sprintf("%s %s %d", s.name, s.typ, s.size))
	}
	oracleDiff(t, "symbols vs readelf -s of the image", want, got)
	oracleDiff(t, "symbol types and sizes: the image (readelf -s) vs the object (readelf -s)", wantTS, gotTS)
	var gotNM []string
	nmRe := regexp.MustCompile(`^([0-9a-f]{16}) ([A-Za-z]) (\S+)$`)
	for _, line := range strings.Split(strings.TrimSpace(oracleRun(t, "nm", out.path)), "\n") {
		if strings.HasPrefix(line, " ") {
			continue // undefined: no value
		}
		m := nmRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("nm %s: cannot parse %q", out.path, line)
		}
		cls := "global"
		switch l := m[2]; {
		case strings.Contains("wWvV", l):
			cls = "weak"
		case strings.ToLower(l) == l:
			cls = "local"
		}
		if m[2] == "A" || m[2] == "a" {
			cls += " abs"
		}
		gotNM = append(gotNM, fmt.Sprintf("%s %s %s", m[1], m[3], cls))
	}
	sort.Strings(wantNM)
	sort.Strings(gotNM)
	oracleDiff(t, "symbols vs nm of the image", wantNM, gotNM)

	// The layout: the .golink.layout record, and the program headers, one
	// PT_LOAD per non-empty class (text RX, ro R, ro_after_init R, data RW)
	// ending at the region's last section.
	mem := oracleContents(t, out.path)
	want = []string{
		fmt.Sprintf("core base %#x size %#x text %#x ro %#x ro_after_init %#x", g.core[0], g.core[1], g.core[2], g.core[3], g.core[4]),
		fmt.Sprintf("init base %#x size %#x text %#x ro %#x", g.init[0], g.init[1], g.init[2], g.init[3]),
		fmt.Sprintf("percpu base %#x size %#x", g.percpu[0], g.percpu[1]),
	}
	got = []string{"no .golink.layout section"}
	if ls := out.section(image.LayoutSection); ls != nil {
		rec := oracleBytes(out, ls, ls.size)
		if len(rec) != 96 {
			got = []string{fmt.Sprintf(".golink.layout is %d bytes", len(rec))}
		} else {
			v := func(i int) uint64 { return binary.LittleEndian.Uint64(rec[8*i:]) }
			got = []string{
				fmt.Sprintf("core base %#x size %#x text %#x ro %#x ro_after_init %#x", v(0), v(1), v(2), v(3), v(4)),
				fmt.Sprintf("init base %#x size %#x text %#x ro %#x", v(5), v(6), v(7), v(8)),
				fmt.Sprintf("percpu base %#x size %#x", v(10), v(11)),
			}
		}
	}
	oracleDiff(t, "layout vs the image's .golink.layout", want, got)
	want, got = nil, nil
	for _, r := range []struct {
		b    [5]uint64
		init bool
	}{{g.core, false}, {g.init, true}} {
		var end uint64
		for _, s := range g.sections {
			if s.init == r.init && !copies[s.name] {
				end = max(end, s.addr+s.size-r.b[0])
			}
		}
		roai := r.b[4]
		if r.init {
			roai = r.b[3] // init has no ro_after_init class
		}
		for _, c := range []struct {
			lo, hi uint64
			flags  string
		}{{0, r.b[2], "R E"}, {r.b[2], r.b[3], "R"}, {r.b[3], roai, "R"}, {roai, end, "RW"}} {
			if hi := min(c.hi, end); hi > c.lo {
				want = append(want, fmt.Sprintf("LOAD %#x %#x %s", r.b[0]+c.lo, hi-c.lo, c.flags))
			}
		}
	}
	if g.percpu[1] != 0 {
		want = append(want, fmt.Sprintf("LOAD %#x %#x RW", g.percpu[0], g.percpu[1]))
	}
	loadRe := regexp.MustCompile(`^\s*LOAD\s+0x[0-9a-f]+ 0x([0-9a-f]+) 0x[0-9a-f]+ 0x[0-9a-f]+ 0x([0-9a-f]+) (R?W?E?|R E)\s+0x[0-9a-f]+$`)
	for _, line := range strings.Split(oracleRun(t, "readelf", "-W", "-l", out.path), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "LOAD") {
			continue
		}
		m := loadRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("readelf -l %s: cannot parse %q", out.path, line)
		}
		got = append(got, fmt.Sprintf("LOAD %#x %#x %s", oracleHex(t, m[1]), oracleHex(t, m[2]), m[3]))
	}
	oracleDiff(t, "segments vs readelf -l of the image", want, got)

	// Exports: the address of the symbol, its __ksymtab section, its
	// namespace and CRC read from the image at __kstrtabns_<name> and
	// __crc_<name>.
	values := map[string]uint64{}
	for _, s := range out.symbols {
		values[s.name] = s.value
	}
	want, got = nil, nil
	for _, e := range g.exports {
		want = append(want, fmt.Sprintf("%s %#x gpl=%v ns=%q crc=%s", e.name, e.addr, e.gpl, e.ns, e.crc))
		gpl := false
		for _, s := range in.symbols {
			if s.name == "__ksymtab_"+e.name {
				gpl = in.sectionName(s.ndx) == "__ksymtab_gpl"
			}
		}
		crc := "none"
		if a, ok := values["__crc_"+e.name]; ok {
			if b, ok := oracleAt(mem, a, 4); ok {
				crc = fmt.Sprintf("%#08x", binary.LittleEndian.Uint32(b))
			} else {
				crc = "unreadable"
			}
		}
		ns := ""
		if a, ok := values["__kstrtabns_"+e.name]; ok {
			for ; mem[a] != 0; a++ {
				ns += string(rune(mem[a]))
			}
		}
		got = append(got, fmt.Sprintf("%s %#x gpl=%v ns=%q crc=%s", e.name, values[e.name], gpl, ns, crc))
	}
	oracleDiff(t, "exports vs the image's symbols and __kcrctab", want, got)

	// Relocations: at each place, the bytes in the file, the psABI
	// formula's value from the golden's S, A, P, and in code what objdump
	// decodes.
	addr := map[string]uint64{}
	for _, s := range g.sections {
		addr[s.name] = s.addr
	}
	symval := map[string][]uint64{}
	for _, s := range g.symbols {
		symval[s.name] = append(symval[s.name], s.value)
	}
	code := map[string]bool{}
	for _, s := range out.sections {
		code[s.name] = strings.Contains(s.flags, "X")
	}
	insns := oracleDisasm(t, out.path)
	want, got = nil, nil
	var wantInsn, gotInsn []string
	for _, r := range g.relocs {
		P := addr[r.sect] + r.off
		line := fmt.Sprintf("%s+%#x %s %s%+d", r.sect, r.off, r.typ, r.sym, r.add)
		want = append(want, fmt.Sprintf("%s -> % x", line, r.bytes))
		b, ok := oracleAt(mem, P, uint64(len(r.bytes)))
		if !ok {
			got = append(got, line+" -> not in objdump -s")
		} else {
			got = append(got, fmt.Sprintf("%s -> % x", line, b))
		}
		var S uint64
		switch v := symval[r.sym]; {
		case len(v) == 1:
			S = v[0]
		case len(v) == 0 && addr[r.sym] != 0:
			S = addr[r.sym] // a section symbol
		default:
			t.Errorf("%s: cannot tell S: %d symbols called %s in the golden", line, len(v), r.sym)
			continue
		}
		A := r.add
		field, width, pcrel, err := oracleFormula(r.typ, S, A, P)
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if width != len(r.bytes) {
			t.Errorf("%s: golden lists %d bytes, %s stores %d", line, len(r.bytes), r.typ, width)
			continue
		}
		if fb := binary.LittleEndian.AppendUint64(nil, field)[:width]; !bytes.Equal(fb, r.bytes) {
			t.Errorf("%s: golden bytes % x, but S=%#x A=%d P=%#x gives % x", line, r.bytes, S, A, P, fb)
		}
		if !code[r.sect] {
			continue
		}
		insn := oracleInsnAt(insns, P, uint64(width))
		if insn == nil {
			gotInsn = append(gotInsn, line+": no instruction holds it")
			wantInsn = append(wantInsn, line+": ok")
			continue
		}
		end := insn.addr + uint64(len(insn.bytes))
		var decoded bool
		var expect string
		if pcrel {
			target := S + uint64(A) + (end - P)
			expect = fmt.Sprintf("target %x", target)
			decoded = strings.Contains(insn.text, fmt.Sprintf("# %x ", target)) || strings.Contains(insn.text, fmt.Sprintf(" %x <", target))
		} else {
			v := S + uint64(A)
			expect = fmt.Sprintf("operand %#x", v)
			decoded = strings.Contains(insn.text, fmt.Sprintf("0x%x", v)) || strings.Contains(insn.text, fmt.Sprintf("0x%x", uint32(v))) ||
				(int32(v) < 0 && strings.Contains(insn.text, fmt.Sprintf("-0x%x", -int64(int32(v)))))
		}
		wantInsn = append(wantInsn, line+": ok")
		if decoded {
			gotInsn = append(gotInsn, line+": ok")
		} else {
			gotInsn = append(gotInsn, fmt.Sprintf("%s: %x: %q lacks %s", line, insn.addr, insn.text, expect))
		}
	}
	oracleDiff(t, "relocated bytes vs objdump -s of the image", want, got)
	oracleDiff(t, "relocated instructions vs objdump -d of the image", wantInsn, gotInsn)
}

// oracleFormula is the x86_64 psABI: the field a relocation stores, its
// width, and whether it is PC-relative.
func oracleFormula(typ string, S uint64, A int64, P uint64) (uint64, int, bool, error) {
	switch typ {
	case "R_X86_64_64":
		return S + uint64(A), 8, false, nil
	case "R_X86_64_PC64":
		return S + uint64(A) - P, 8, true, nil
	case "R_X86_64_PC32", "R_X86_64_PLT32":
		v := S + uint64(A) - P
		if int64(v) != int64(int32(v)) {
			return 0, 0, false, fmt.Errorf("S+A-P = %#x does not fit 32 bits signed", v)
		}
		return v, 4, true, nil
	case "R_X86_64_32":
		v := S + uint64(A)
		if v != uint64(uint32(v)) {
			return 0, 0, false, fmt.Errorf("S+A = %#x does not fit 32 bits", v)
		}
		return v, 4, false, nil
	case "R_X86_64_32S":
		v := S + uint64(A)
		if int64(v) != int64(int32(v)) {
			return 0, 0, false, fmt.Errorf("S+A = %#x does not fit 32 bits signed", v)
		}
		return v, 4, false, nil
	case "R_X86_64_NONE":
		return 0, 0, false, nil
	}
	return 0, 0, false, fmt.Errorf("relocation type %s: the oracle test does not know its formula", typ)
}

func oracleInsnAt(insns []oracleInsn, a, n uint64) *oracleInsn {
	for i := range insns {
		in := &insns[i]
		if in.addr <= a && a+n <= in.addr+uint64(len(in.bytes)) {
			return in
		}
	}
	return nil
}

func oracleAt(mem map[uint64]byte, a, n uint64) ([]byte, bool) {
	b := make([]byte, n)
	for i := range b {
		c, ok := mem[a+uint64(i)]
		if !ok {
			return nil, false
		}
		b[i] = c
	}
	return b, true
}

// oracleBytes is an unloaded section's contents, by readelf's offset and size.
func oracleBytes(e *oracleELF, s *oracleSection, n uint64) []byte {
	b, err := os.ReadFile(e.path)
	if err != nil || s.off+n > uint64(len(b)) {
		return nil
	}
	return b[s.off : s.off+n]
}

// checkOracleErrors checks the facts about the input object that a failed
// link's messages state. A message line the test cannot check fails it:
// teach this function the new line's facts, or list its form below.
func checkOracleErrors(t *testing.T, g *oracleGolden, in *oracleELF, symvers map[string][3]string) {
	t.Helper()
	relocRe := regexp.MustCompile(`^\S+: (\S+)\+0x([0-9a-f]+): relocation (R_\S+) against (\S+)(?::| out of range:) `)
	unknownRe := regexp.MustCompile(`^\S+: Unknown symbol (\S+) \(err -\d+\)`)
	commonRe := regexp.MustCompile(`\(symbol (\S+) is a common symbol\)$`)
	flagsRe := regexp.MustCompile(`^\S+: section (\S+) \(index (\d+)\) has invalid WRITE\|EXEC flags$`)
	versionRe := regexp.MustCompile(`^\S+: disagrees about version of symbol (\S+)$`)
	crcRe := regexp.MustCompile(`\(module built against CRC (0x[0-9a-f]+), kernel exports (0x[0-9a-f]+)\)$`)
	gplRe := regexp.MustCompile(`^\S+: Unknown symbol (\S+) \(err -\d+\) \(exported GPL-only, `)
	nsRe := regexp.MustCompile(`^\S+: module uses symbol \((\S+)\) from namespace (\S+), but does not import it\.$`)
	licenseRe := regexp.MustCompile(`the module's license "([^"]*)" is not GPL-compatible\)$`)
	noModuleRe := regexp.MustCompile(`^\S+: No module found in object$`)
	typeNumRe := regexp.MustCompile(`^\tkernel: module: (?:\S+: Unknown rela relocation|overflow in relocation type):? (\d+)`)
	// Lines that state no fact about the object a tool can read.
	unchecked := []*regexp.Regexp{
		regexp.MustCompile("^\tkernel: module: `\\S+' likely not compiled with -mcmodel=kernel$"),
	}
	var want, got []string
	fact := func(w, g string) { want, got = append(want, w), append(got, g) }
	var last *oracleReloc
	for _, line := range g.errors {
		matched := false
		if m := relocRe.FindStringSubmatch(line); m != nil {
			matched = true
			w := fmt.Sprintf("%s+%#x %s %s", m[1], oracleHex(t, m[2]), m[3], m[4])
			last = nil
			for i, r := range in.relocs {
				rs := in.section(r.rela)
				if rs != nil && rs.info < len(in.sections) && in.sections[rs.info].name == m[1] && r.off == oracleHex(t, m[2]) {
					last = &in.relocs[i]
				}
			}
			if last == nil {
				fact(w, fmt.Sprintf("%s+%s: no relocation there", m[1], m[2]))
			} else {
				fact(w, fmt.Sprintf("%s+%#x %s %s", m[1], last.off, last.typ, last.sym))
			}
		}
		if m := typeNumRe.FindStringSubmatch(line); m != nil {
			matched = true
			if last == nil {
				fact("type "+m[1], "no relocation before this line")
			} else {
				fact(fmt.Sprintf("%s is type %s", last.typ, m[1]), fmt.Sprintf("%s is type %d", last.typ, last.typNum))
			}
		}
		if m := unknownRe.FindStringSubmatch(line); m != nil {
			matched = true
			fact(m[1]+" UND GLOBAL-or-WEAK", oracleSymFact(in, m[1], func(s oracleSymbol) string {
				if s.bind != "LOCAL" {
					return s.ndx + " GLOBAL-or-WEAK"
				}
				return s.ndx + " " + s.bind
			}))
		}
		if m := commonRe.FindStringSubmatch(line); m != nil {
			matched = true
			fact(m[1]+" COM", oracleSymFact(in, m[1], func(s oracleSymbol) string { return s.ndx }))
		}
		if m := flagsRe.FindStringSubmatch(line); m != nil {
			matched = true
			i := oracleAtoi(t, m[2])
			w := fmt.Sprintf("[%d] %s W X", i, m[1])
			if i >= len(in.sections) {
				fact(w, fmt.Sprintf("[%d] no such section", i))
			} else {
				s := in.sections[i]
				f := ""
				for _, l := range "WX" {
					if strings.ContainsRune(s.flags, l) {
						f += " " + string(l)
					}
				}
				fact(w, fmt.Sprintf("[%d] %s%s", i, s.name, f))
			}
		}
		if noModuleRe.MatchString(line) {
			matched = true
			s := "absent"
			if in.section(".gnu.linkonce.this_module") != nil {
				s = "present"
			}
			fact(".gnu.linkonce.this_module absent", ".gnu.linkonce.this_module "+s)
		}
		if m := versionRe.FindStringSubmatch(line); m != nil {
			matched = true
			_, ok := oracleVersions(t, in)[m[1]]
			fact(m[1]+" in __versions: true", fmt.Sprintf("%s in __versions: %v", m[1], ok))
		}
		if m := crcRe.FindStringSubmatch(line); m != nil {
			matched = true
			name := unknownRe.FindStringSubmatch(line)
			if name == nil {
				t.Fatalf("CRC line without a symbol: %q", line)
			}
			crc, ok := oracleVersions(t, in)[name[1]]
			fact(fmt.Sprintf("__versions %s %s (true)", name[1], m[1]), fmt.Sprintf("__versions %s %#x (%v)", name[1], crc, ok))
			fact("Module.symvers "+name[1]+" "+m[2], "Module.symvers "+name[1]+" "+symvers[name[1]][0])
		}
		if m := gplRe.FindStringSubmatch(line); m != nil {
			fact("Module.symvers "+m[1]+" EXPORT_SYMBOL_GPL", "Module.symvers "+m[1]+" "+symvers[m[1]][1])
		}
		if m := nsRe.FindStringSubmatch(line); m != nil {
			matched = true
			mi := oracleModinfo(t, in)
			fact(fmt.Sprintf("%s undefined, import_ns=%s false", m[1], m[2]),
				fmt.Sprintf("%s, import_ns=%s %v", oracleSymFact(in, m[1], func(s oracleSymbol) string {
					if s.ndx == "UND" {
						return "undefined"
					}
					return "defined"
				}), m[2], mi["import_ns="+m[2]]))
			fact("Module.symvers "+m[1]+" namespace "+m[2], "Module.symvers "+m[1]+" namespace "+symvers[m[1]][2])
		}
		if m := licenseRe.FindStringSubmatch(line); m != nil {
			matched = true
			fact("license="+m[1]+" true", fmt.Sprintf("license=%s %v", m[1], oracleModinfo(t, in)["license="+m[1]]))
		}
		for _, re := range unchecked {
			matched = matched || re.MatchString(line)
		}
		if !matched {
			t.Errorf("golden message not understood by the oracle test, so not checked: %q", line)
		}
	}
	oracleDiff(t, "the failed link's messages vs readelf of "+in.path, want, got)
}

// oracleSymvers is Module.symvers: CRC (0x%08x), export type and namespace
// by symbol.
func oracleSymvers(t *testing.T, path string) map[string][3]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][3]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			continue
		}
		ns := ""
		if len(f) > 4 {
			ns = f[4]
		}
		crc, err := strconv.ParseUint(f[0], 0, 32)
		if err != nil {
			t.Fatalf("%s: cannot parse %q", path, line)
		}
		m[f[1]] = [3]string{fmt.Sprintf("%#08x", crc), f[3], ns}
	}
	return m
}

func oracleSymFact(in *oracleELF, name string, f func(oracleSymbol) string) string {
	var facts []string
	for _, s := range in.symbols {
		if s.name == name && s.typ != "SECTION" && s.typ != "FILE" {
			facts = append(facts, f(s))
		}
	}
	if len(facts) != 1 {
		return fmt.Sprintf("%s: %d symbols of that name", name, len(facts))
	}
	return name + " " + facts[0]
}

// oracleVersions is the object's __versions (struct modversion_info: u64 crc,
// char name[56]), read by readelf's offset and size.
func oracleVersions(t *testing.T, in *oracleELF) map[string]uint64 {
	t.Helper()
	s := in.section("__versions")
	m := map[string]uint64{}
	if s == nil {
		return m
	}
	b := oracleBytes(in, s, s.size)
	for ; len(b) >= 64; b = b[64:] {
		name, _, _ := bytes.Cut(b[8:64], []byte{0})
		m[string(name)] = binary.LittleEndian.Uint64(b)
	}
	return m
}

// oracleModinfo is the set of the object's .modinfo strings (readelf -p).
func oracleModinfo(t *testing.T, in *oracleELF) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	re := regexp.MustCompile(`^\s*\[\s*[0-9a-f]+\]  (.*)$`)
	for _, line := range strings.Split(oracleRun(t, "readelf", "-p", ".modinfo", in.path), "\n") {
		if s := re.FindStringSubmatch(line); s != nil {
			m[s[1]] = true
		}
	}
	return m
}

// ---- Small parsers. ----

func oracleHex(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	if err != nil {
		t.Fatalf("not a hex number: %q", s)
	}
	return v
}

func oracleAtoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

func oracleHexBytes(s string) ([]byte, error) {
	s = strings.ReplaceAll(s, " ", "")
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits in %q", s)
	}
	b := make([]byte, len(s)/2)
	for i := range b {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, err
		}
		b[i] = byte(v)
	}
	return b, nil
}

func oracleSortLetters(s string) string {
	r := []rune(s)
	sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
	return string(r)
}
