package params_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection: params, kallsyms and linked are usable alone; none
// of them may import the core linker (the root package).
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/golink/golink/params",
		"github.com/golink/golink/kallsyms", "github.com/golink/golink/linked").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/golink/golink" {
			t.Fatalf("params, kallsyms or linked imports the root package")
		}
	}
}
