package golink_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
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
