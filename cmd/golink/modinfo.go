package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golink/golink/internal/workers"
	"github.com/golink/golink/kmod"
	"github.com/golink/golink/symtab"
)

type modinfoFlags struct {
	field                    string
	null, json               bool
	author, description, lic bool
	parameters, filename     bool
	modname                  bool
	kversion, basedir        string
	jobs                     int
}

func newModinfoCmd() *cobra.Command {
	var fl modinfoFlags
	cmd := &cobra.Command{
		Use:   "modinfo [-F field] [-0] [--json] FILE|NAME...",
		Short: "Show the information a module carries, as kmod's modinfo does",
		Long: `Modinfo prints the .modinfo fields of each module and its signature block,
byte for byte as kmod's modinfo does: filename first, then every field in
order with its value at column 16, parameters (parm= and parmtype= merged)
last.

A NAME that is not a file is looked up in modules.dep and
modules.builtin.modinfo of /lib/modules/VERSION (see -b and -k).

--json prints an array with one object per module: every key in the order
it first appears, a string for a key met once and a list for a repeated
one (alias, firmware, parm...).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runModinfo(cmd, &fl, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.field, "field", "F", "", "print only this field's values")
	f.BoolVarP(&fl.null, "null", "0", false, "end each value with NUL instead of a newline")
	f.BoolVar(&fl.json, "json", false, "print JSON")
	f.BoolVarP(&fl.author, "author", "a", false, "print only 'author'")
	f.BoolVarP(&fl.description, "description", "d", false, "print only 'description'")
	f.BoolVarP(&fl.lic, "license", "l", false, "print only 'license'")
	f.BoolVarP(&fl.parameters, "parameters", "p", false, "print only 'parm'")
	f.BoolVarP(&fl.filename, "filename", "n", false, "print only 'filename'")
	f.BoolVarP(&fl.modname, "modname", "m", false, "take every argument as a module name")
	f.StringVarP(&fl.kversion, "set-version", "k", "", "kernel version to look names up for (default: uname -r)")
	f.StringVarP(&fl.basedir, "basedir", "b", "", "root of the /lib/modules tree to look names up in")
	f.IntVarP(&fl.jobs, "jobs", "j", 0, "modules read at once (default: one per CPU)")
	return cmd
}

// modinfoResult is what one argument produced, kept until its turn to be
// written so that output follows argument order.
type modinfoResult struct {
	out, errs bytes.Buffer
	failed    bool
	done      chan struct{}
}

func runModinfo(cmd *cobra.Command, fl *modinfoFlags, args []string) error {
	opt := kmod.ModinfoOptions{Field: fl.field, Null: fl.null}
	// kmod's short options set the field; the last one given wins there,
	// and flags are not ordered here, so the first set one is taken.
	for _, s := range []struct {
		set   bool
		field string
	}{{fl.author, "author"}, {fl.description, "description"}, {fl.lic, "license"}, {fl.parameters, "parm"}, {fl.filename, "filename"}} {
		if s.set {
			opt.Field = s.field
			break
		}
	}
	var lookup *kmod.Lookup
	needLookup := fl.modname
	isFile := make([]bool, len(args))
	for i, a := range args {
		st, err := os.Stat(a)
		isFile[i] = !fl.modname && err == nil && st.Mode().IsRegular()
		needLookup = needLookup || !isFile[i]
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	if needLookup {
		dir, err := kmod.ModuleDir(fl.basedir, fl.kversion)
		if err != nil {
			return err
		}
		lookup = kmod.NewLookup(dir)
	}

	results := make([]*modinfoResult, len(args))
	for i := range results {
		results[i] = &modinfoResult{done: make(chan struct{})}
	}
	// The workers fill results in any order; the loop below prints them in
	// the order given as each is done.
	go workers.Run(len(args), fl.jobs, func(i int) {
		r := results[i]
		r.failed = !modinfoOne(r, args[i], isFile[i], cwd, opt, fl, lookup)
		close(r.done)
	})

	stdout := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
	stderr := cmd.ErrOrStderr()
	failed := false
	if fl.json {
		stdout.WriteString("[")
	}
	first := true
	for _, r := range results {
		<-r.done
		if fl.json && r.out.Len() > 0 {
			if !first {
				stdout.WriteString(",")
			}
			stdout.WriteString("\n")
			first = false
		}
		stdout.Write(r.out.Bytes())
		if r.errs.Len() > 0 {
			stdout.Flush()
			stderr.Write(r.errs.Bytes())
		}
		failed = failed || r.failed
	}
	if fl.json {
		stdout.WriteString("\n]\n")
	}
	if err := stdout.Flush(); err != nil {
		return err
	}
	if failed {
		return exitError(1)
	}
	return nil
}

// modinfoOne fills r for one argument and reports success.
func modinfoOne(r *modinfoResult, arg string, isFile bool, cwd string, opt kmod.ModinfoOptions, fl *modinfoFlags, lookup *kmod.Lookup) bool {
	warn := func(s string) { fmt.Fprintf(&r.errs, "golink modinfo: %s\n", s) }
	write := func(path string, fields []kmod.Field) {
		if fl.json {
			kmod.WriteModinfoJSON(&r.out, path, fields, opt, "  ")
			return
		}
		kmod.WriteModinfo(&r.out, path, fields, opt, warn)
	}
	path := arg
	if !isFile {
		m, err := lookup.Find(arg)
		if err != nil {
			warn(err.Error())
			return false
		}
		if m.Builtin {
			if !fl.json && opt.Field == "" {
				fmt.Fprintf(&r.out, "%-16s%s%c", "name:", m.Name, sep(opt))
			} else if !fl.json && opt.Field == "name" {
				fmt.Fprintf(&r.out, "%s%c", m.Name, sep(opt))
			}
			write("(builtin)", m.Fields)
			return true
		}
		path = m.Path
	}
	abs := path
	if !strings.HasPrefix(path, "/") {
		abs = cwd + "/" + path // kmod's path_make_absolute_cwd: nothing cleaned
	}
	if opt.Field == "filename" && !fl.json {
		fmt.Fprintf(&r.out, "%s%c", abs, sep(opt))
		return true
	}
	mod, err := kmod.Open(abs)
	if err != nil {
		if !fl.json && opt.Field == "" {
			fmt.Fprintf(&r.out, "%-16s%s%c", "filename:", abs, sep(opt))
		}
		warn(fmt.Sprintf("could not get modinfo from '%s': %v", modName(path), err))
		return false
	}
	defer mod.Close()
	write(mod.Path, kmod.Info(mod.File))
	return true
}

func sep(opt kmod.ModinfoOptions) byte {
	if opt.Null {
		return 0
	}
	return '\n'
}

// modName is the module name kmod uses in its messages.
func modName(path string) string { return symtab.ModuleName(path) }
