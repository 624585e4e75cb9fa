package lifecycle_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection: lifecycle sits below host and does not import it,
// nor any backend; it uses no cgo. Its one import of unsafe is the blank
// one go:linkname needs (percpu.go); with -tags golink_purego it has none.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/golink/golink"
	list := func(args ...string) []string {
		out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	for _, d := range list("-deps", mod+"/lifecycle") {
		switch {
		case d == mod+"/host", d == mod+"/reloc/x86_64", d == mod+"/reloc/ia64", strings.HasPrefix(d, mod+"/cmd"):
			t.Errorf("lifecycle imports %s", d)
		case d == "runtime/cgo":
			t.Errorf("lifecycle depends on cgo")
		}
	}
	for _, tags := range []string{"", "golink_purego"} {
		imports := list("-tags", tags, "-f", "{{join .Imports \" \"}}", mod+"/lifecycle")
		for _, imp := range imports {
			if imp == "unsafe" && tags != "" {
				t.Errorf("lifecycle imports unsafe with -tags %s", tags)
			}
		}
	}
	// cgo anywhere but host.
	for _, line := range list("-f", "{{.ImportPath}}:{{len .CgoFiles}}", mod+"/...") {
		path, n, _ := strings.Cut(line, ":")
		if n != "0" && path != mod+"/host" && !strings.HasPrefix(path, mod+"/host/") {
			t.Errorf("%s uses cgo", path)
		}
	}
}
