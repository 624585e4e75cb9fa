package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/params/golden")

// testdata is the repository's test objects: demo.o and user.o, their C
// sources, and a System.map with the kernel symbols they use.
var testdata = filepath.Join("..", "..", "testdata", "params")

// golden compares got with the golden file name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(testdata, "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// run runs golink with args and returns its exit status, stdout and stderr.
func run(args ...string) (int, []byte, []byte) {
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return code, stdout.Bytes(), stderr.Bytes()
}

// TestGolden links the test objects (demo with parameters given, user as
// it is) and checks golink's listings of the images against golden files:
// parameters, kallsyms and disassembly with symbol names in the targets.
func TestGolden(t *testing.T) {
	out := t.TempDir()
	sysmap := filepath.Join(testdata, "System.map")
	code, _, stderr := run("link", "-q", "--kernel", sysmap, "-o", out,
		filepath.Join(testdata, "demo.o"), "i=42", "name=golink", "ints=7,8", `greeting="hi there"`, "level=3", "verbose", "names=a,b", "hex=0x10", "bogus=1",
		filepath.Join(testdata, "user.o"))
	if code != 0 {
		t.Fatalf("link: exit %d\n%s", code, stderr)
	}
	golden(t, "link.stderr", stderr)
	demo, user := filepath.Join(out, "demo.elf"), filepath.Join(out, "user.elf")
	for _, c := range []struct {
		name string
		args []string
	}{
		{"params-demo.txt", []string{"params", demo}},
		{"params-demo.json", []string{"params", "--json", demo}},
		{"params-user.txt", []string{"params", user}},
		{"kallsyms.txt", []string{"kallsyms", "--kernel", sysmap, demo, user}},
		{"kallsyms-lookup.txt", []string{"kallsyms", "--kernel", sysmap, demo, user,
			"--lookup", "ffffffffa0000025", "--lookup", "0xffffffff819fcd50", "--lookup", "0xffffffffa0002044",
			"--lookup", "0xffffffffa0004000", "--lookup", "0xffffffff90000000",
			"--name", "demo_greet", "--name", "user:who", "--name", "_printk"}},
		{"disasm-demo.txt", []string{"disasm", "--kernel", sysmap, demo}},
		{"disasm-user.txt", []string{"disasm", "--kernel", sysmap, "--with", demo, user}},
	} {
		code, stdout, stderr := run(c.args...)
		if code != 0 {
			t.Errorf("%v: exit %d\n%s", c.args, code, stderr)
			continue
		}
		golden(t, c.name, stdout)
	}
}
