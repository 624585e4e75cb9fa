package golink_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

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
