package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/golink/golink/kmod"
	"github.com/golink/golink/modversions"
	"github.com/golink/golink/symtab"
)

type modversionsFlags struct {
	check   bool
	symvers string
}

func newModversionsCmd() *cobra.Command {
	var fl modversionsFlags
	cmd := &cobra.Command{
		Use:   "modversions [--check --symvers Module.symvers] FILE...",
		Short: "Show the symbol versions a module was built against",
		Long: `Modversions prints the __versions entries of each module, one
"0x<crc>\t<symbol>" line each, byte for byte as modprobe --dump-modversions.

With --check it prints nothing of the sort but checks each module against
a Module.symvers (every row, kernel and modules alike) as the kernel's
check_version would, one line per finding:

  <file>: disagrees about version of symbol <sym>   (the CRCs differ: refused)
  <file>: no symbol version for <sym>               (no __versions entry: accepted)
  <file>: needs unknown symbol <sym>                (nobody exports it)

and exits 1 if any symbol is refused or unknown.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fl.check != (fl.symvers != "") {
				return errors.New("--check and --symvers go together")
			}
			if fl.check {
				return runModversionsCheck(cmd, fl.symvers, args)
			}
			return runModversions(cmd, args)
		},
	}
	cmd.Flags().BoolVar(&fl.check, "check", false, "check the versions against --symvers instead of printing them")
	cmd.Flags().StringVar(&fl.symvers, "symvers", "", "Module.symvers to check against")
	return cmd
}

func runModversions(cmd *cobra.Command, args []string) error {
	w := bufio.NewWriter(cmd.OutOrStdout())
	defer w.Flush()
	failed := false
	for _, p := range args {
		m, err := kmod.Open(p)
		if err != nil {
			w.Flush()
			fmt.Fprintf(cmd.ErrOrStderr(), "golink: could not get modversions of %s: %v\n", p, err)
			failed = true
			continue
		}
		vs, err := kmod.Modversions(m.File)
		m.Close()
		if err != nil {
			w.Flush()
			fmt.Fprintf(cmd.ErrOrStderr(), "golink: could not get modversions of %s: %v\n", p, err)
			failed = true
			continue
		}
		for _, v := range vs {
			fmt.Fprintf(w, "0x%08x\t%s\n", v.CRC, v.Name)
		}
	}
	if failed {
		return exitError(1)
	}
	return nil
}

func runModversionsCheck(cmd *cobra.Command, symversPath string, args []string) error {
	f, err := os.Open(symversPath)
	if err != nil {
		return err
	}
	rows, err := symtab.ParseSymvers(f, symversPath)
	f.Close()
	if err != nil {
		return err
	}
	exports := make(map[string]symtab.SymversEntry, len(rows))
	for _, r := range rows {
		if _, dup := exports[r.Name]; !dup {
			exports[r.Name] = r
		}
	}
	w := bufio.NewWriter(cmd.OutOrStdout())
	defer w.Flush()
	bad := false
	for _, p := range args {
		m, err := kmod.Open(p)
		if err != nil {
			return err
		}
		findings, err := checkModule(m, exports)
		m.Close()
		if err != nil {
			return err
		}
		for _, fd := range findings {
			fmt.Fprintf(w, "%s: %s\n", p, fd.text)
			bad = bad || fd.fatal
		}
	}
	if bad {
		return exitError(1)
	}
	return nil
}

type finding struct {
	text  string
	fatal bool
}

// checkModule checks every symbol a module needs against exports with
// the kernel's check_version.
func checkModule(m *kmod.Module, exports map[string]symtab.SymversEntry) ([]finding, error) {
	vers, err := modversions.Read(m.File, false)
	if err != nil {
		return nil, err
	}
	deps, err := kmod.DependencySymbols(m.File)
	if err != nil {
		return nil, err
	}
	var out []finding
	for _, d := range deps {
		if d.Weak || d.Name == "__this_module" || d.Name == "_GLOBAL_OFFSET_TABLE_" {
			continue
		}
		e, ok := exports[d.Name]
		if !ok {
			out = append(out, finding{"needs unknown symbol " + d.Name, true})
			continue
		}
		switch v, _ := vers.Check("", d.Name, e.CRC, true); v {
		case modversions.Disagrees:
			out = append(out, finding{"disagrees about version of symbol " + d.Name, true})
		case modversions.NoSymbolVersion:
			out = append(out, finding{"no symbol version for " + d.Name, false})
		case modversions.Forced:
			out = append(out, finding{"no __versions: " + d.Name + " can only be force-loaded", true})
		}
	}
	return out, nil
}
