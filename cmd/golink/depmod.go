package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golink/golink/kmod"
)

type depmodFlags struct {
	basedir, symvers, systemMap, prefix string
	errsyms, show, all                  bool
	configs                             []string
	jobs                                int
}

func newDepmodCmd() *cobra.Command {
	var fl depmodFlags
	cmd := &cobra.Command{
		Use:   "depmod [-b BASEDIR] [-e] [-E Module.symvers | -F System.map] [VERSION]",
		Short: "Index a module tree's dependencies, symbols and aliases, as kmod's depmod does",
		Long: `Depmod reads every module under BASEDIR/lib/modules/VERSION and writes there
modules.dep, modules.alias, modules.softdep, modules.symbols,
modules.devname and the binary indexes modprobe reads (modules.dep.bin,
modules.alias.bin, modules.symbols.bin, modules.builtin.bin,
modules.builtin.alias.bin), byte for byte as kmod 30's depmod -a does.
VERSION defaults to the running kernel's; with -n the text files go to
standard output instead.

With -e, symbols no module or kernel export provides are reported, and with
-E Module.symvers CRC mismatches too, in kmod's words:

  depmod: WARNING: <file> needs unknown symbol <sym>
  depmod: WARNING: <file> disagrees about version of symbol <sym>`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDepmod(cmd, &fl, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.basedir, "basedir", "b", "", "root of the module tree (default /)")
	f.StringVarP(&fl.symvers, "symvers", "E", "", "the kernel's Module.symvers: its exports and their CRCs")
	f.StringVarP(&fl.systemMap, "filesyms", "F", "", "the kernel's System.map: its exports")
	f.BoolVarP(&fl.errsyms, "errsyms", "e", false, "report unknown symbols (and CRC mismatches with -E)")
	f.BoolVarP(&fl.show, "show", "n", false, "write the files to standard output instead")
	f.BoolVarP(&fl.all, "all", "a", false, "index every module (the default)")
	f.StringVarP(&fl.prefix, "symbol-prefix", "P", "", "the architecture's symbol prefix character")
	f.StringArrayVarP(&fl.configs, "config", "C", nil, "depmod.d file or directory (repeatable)")
	f.IntVarP(&fl.jobs, "jobs", "j", 0, "modules read at once (default: one per CPU)")
	return cmd
}

func runDepmod(cmd *cobra.Command, fl *depmodFlags, args []string) error {
	cfg := &kmod.DepmodConfig{
		BaseDir:     fl.basedir,
		Symvers:     fl.symvers,
		SystemMap:   fl.systemMap,
		ErrSyms:     fl.errsyms,
		ConfigPaths: fl.configs,
		Jobs:        fl.jobs,
		Warn:        cmd.ErrOrStderr(),
	}
	if len(fl.prefix) > 1 {
		return fmt.Errorf("-P only takes a single char")
	}
	if fl.prefix != "" {
		cfg.SymPrefix = fl.prefix[0]
	}
	if cfg.BaseDir != "" {
		abs, err := kmod.AbsPath(cfg.BaseDir)
		if err != nil {
			return err
		}
		cfg.BaseDir = abs
	}
	if len(args) == 1 && isVersionNumber(args[0]) {
		cfg.Version = args[0]
	} else {
		if len(args) == 1 {
			return fmt.Errorf("%s: not a kernel version; module files as arguments are not supported", args[0])
		}
		dir, err := kmod.ModuleDir("", "")
		if err != nil {
			return err
		}
		cfg.Version = dir[len("/lib/modules/"):]
	}
	d, err := kmod.RunDepmod(cfg)
	var ce *kmod.CycleError
	if errors.As(err, &ce) {
		return exitError(1) // reported already, as kmod does
	}
	if err != nil {
		return err
	}
	if fl.show {
		return d.WriteAll(cmd.OutOrStdout())
	}
	return d.WriteFiles()
}

// isVersionNumber is kmod's test for a version argument: sscanf("%u.%u").
func isVersionNumber(s string) bool {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return false
	}
	digits := func(x string, all bool) bool {
		n := 0
		for n < len(x) && x[n] >= '0' && x[n] <= '9' {
			n++
		}
		return n > 0 && (!all || n == len(x))
	}
	_, err := strconv.ParseUint(strings.TrimLeft(a, " +"), 10, 64)
	return err == nil && digits(b, false)
}
