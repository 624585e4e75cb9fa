// Package corpus gives tests and benchmarks the Debian kernel builds golink
// is measured on, fetching them with scripts/corpus.sh when they are not
// cached yet, and installing the oracle tools with scripts/deps.sh. Neither
// is skipped when missing: they are installed.
package corpus

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Default is the build golink's own tests run on.
const Default = "6.1.0-47-amd64"

// ABIs returns the builds the corpus tests run on: $GOLINK_ABIS
// (comma-separated), else Default.
func ABIs() []string {
	if v := os.Getenv("GOLINK_ABIS"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{Default}
}

// Root returns the repository's top directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var (
	mu      sync.Mutex
	dirs    = map[string]string{}
	deps    sync.Once
	depsErr error
)

// Dir returns the unpacked corpus of build abi (see scripts/corpus.sh),
// fetching it if needed. It fails the test if that is impossible. With
// -short it skips instead, so that quick local runs stay quick; CI never
// passes -short.
func Dir(tb testing.TB, abi string) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("corpus test: not run with -short")
	}
	mu.Lock()
	defer mu.Unlock()
	if d, ok := dirs[abi]; ok {
		return d
	}
	cmd := exec.Command(filepath.Join(Root(), "scripts", "corpus.sh"), abi)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("scripts/corpus.sh %s: %v", abi, err)
	}
	d := strings.TrimSpace(string(out))
	dirs[abi] = d
	return d
}

// Modules returns the module directory of a corpus.
func Modules(dir, abi string) string { return filepath.Join(dir, "lib", "modules", abi) }

// Tools makes sure the oracle tools are installed (scripts/deps.sh).
func Tools(tb testing.TB) {
	tb.Helper()
	deps.Do(func() {
		cmd := exec.Command(filepath.Join(Root(), "scripts", "deps.sh"))
		cmd.Stderr = os.Stderr
		depsErr = cmd.Run()
	})
	if depsErr != nil {
		tb.Fatalf("scripts/deps.sh: %v", depsErr)
	}
}
