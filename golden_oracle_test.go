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
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
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
