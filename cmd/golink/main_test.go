package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/golink/golink/host"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"golink": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script; $TESTDATA is the
// repository's testdata directory, $LONG a value too long for a charp,
// $MODS the module-shaped fixtures of testdata/mods (see its Makefile).
func TestScripts(t *testing.T) {
	td, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	mods, err := filepath.Abs("testdata/mods")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("TESTDATA", td)
			env.Setenv("MODS", mods)
			env.Setenv("LONG", strings.Repeat("x", 1025)) // one more than charp takes
			return nil
		},
		// [runs]: modules can run in this process (golink run).
		Condition: func(cond string) (bool, error) {
			if cond != "runs" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			_, err := host.New()
			return err == nil, nil
		},
	})
}
