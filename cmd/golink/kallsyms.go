package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/golink/golink/image"
	"github.com/golink/golink/kallsyms"
	"github.com/golink/golink/vmlinux"
)

type kallsymsFlags struct {
	kernel  string
	lookups []string
	names   []string
}

func newKallsymsCmd() *cobra.Command {
	var fl kallsymsFlags
	cmd := &cobra.Command{
		Use:   "kallsyms [--kernel System.map] [IMAGE.elf-or-DIR...] [--lookup ADDR]... [--name SYM]...",
		Short: "List or search the kernel's and linked modules' symbols as /proc/kallsyms shows them",
		Long: `Kallsyms builds the kernel's symbol table for addresses — the kernel's own
symbols from --kernel (System.map or vmlinux) by scripts/kallsyms' rules, and
those each module keeps after its init has run — from the images golink link
wrote, and prints it as /proc/kallsyms does: the kernel's symbols, then each
module's ("%016x %c %s\t[%s]"), newest module first, the images being taken as
loaded in the order given (a directory's images in name order).

--lookup prints what %pS prints for an address ("name+0xoff/0xsize [module]");
--name prints the address of a symbol ("module:name" for one module's).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runKallsyms(cmd, &fl, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.kernel, "kernel", "", "the kernel: its vmlinuz or vmlinux, or its System.map")
	f.StringArrayVar(&fl.lookups, "lookup", nil, "an address to symbolise (repeatable)")
	f.StringArrayVar(&fl.names, "name", nil, "a symbol whose address to print (repeatable)")
	return cmd
}

// imagePaths expands directories into the .elf images in them.
func imagePaths(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(filepath.Join(a, "*.elf"))
		if err != nil {
			return nil, err
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	return out, nil
}

// buildKallsyms reads the kernel map and the images into one table, and
// returns the images too.
func buildKallsyms(kernelPath string, paths []string) (*kallsyms.Table, []*image.Image, error) {
	tab := kallsyms.New(kallsyms.Config{})
	if kernelPath != "" {
		k, err := vmlinux.Load(kernelPath, "")
		if err != nil {
			return nil, nil, err
		}
		syms := k.Addrs
		if err := tab.SetKernel(syms); err != nil {
			return nil, nil, err
		}
	}
	var files []*image.Image
	for _, p := range paths {
		f, err := image.Open(p)
		if err != nil {
			return nil, nil, err
		}
		tab.AddModule(f.Kallsyms())
		files = append(files, f)
	}
	return tab, files, nil
}

func runKallsyms(cmd *cobra.Command, fl *kallsymsFlags, args []string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if fl.kernel == "" && len(args) == 0 {
		return fmt.Errorf("nothing to list: give --kernel, images, or both")
	}
	paths, err := imagePaths(args)
	if err != nil {
		return err
	}
	tab, _, err := buildKallsyms(fl.kernel, paths)
	if err != nil {
		return err
	}
	if len(fl.lookups) == 0 && len(fl.names) == 0 {
		_, err := tab.WriteTo(stdout)
		return err
	}
	failed := false
	for _, a := range fl.lookups {
		addr, err := strconv.ParseUint(a, 0, 64)
		if err != nil {
			// Addresses are hex, as /proc/kallsyms prints them.
			if addr, err = strconv.ParseUint(a, 16, 64); err != nil {
				return fmt.Errorf("--lookup %q: not an address", a)
			}
		}
		fmt.Fprintf(stdout, "%016x %s\n", addr, tab.Symbolize(addr))
	}
	for _, n := range fl.names {
		addr, ok := tab.Addr(n)
		if !ok {
			fmt.Fprintf(stderr, "golink: kallsyms: no symbol %s\n", n)
			failed = true
			continue
		}
		fmt.Fprintf(stdout, "%016x %s\n", addr, n)
	}
	if failed {
		return exitError(1)
	}
	return nil
}
