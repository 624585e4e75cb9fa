package golink_test

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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

func oracleDiff(t *testing.T, what string, want, got []string) {
	t.Helper()
	// Compared as text, so that cmp.Diff shows whole lines.
	if d := cmp.Diff(strings.Join(want, "\n")+"\n", strings.Join(got, "\n")+"\n"); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}
