package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/modversions"
	"github.com/golink/golink/params"
	"github.com/golink/golink/symtab"
	"github.com/golink/golink/vmlinux"
)

type paramsFlags struct {
	kernel, symvers string
	json            bool
	arch            archFlags
}

func newParamsCmd() *cobra.Command {
	var fl paramsFlags
	cmd := &cobra.Command{
		Use:   "params [--json] [--kernel System.map [--symvers Module.symvers]] MODULE-or-IMAGE [name=value...]",
		Short: "List a module's parameters with their types and current values",
		Long: `Params lists each parameter of a module, one a line: name, type (as
.modinfo's parmtype= spells it), current value (as the kernel's sysfs get
would print it), permission and description.

MODULE may be an image golink link wrote, whose memory is read as it is, or a
module object, which is linked in memory first: against the kernel given by
--kernel (and --symvers), with any symbol the kernel does not export — one of
another module's — standing in at the kernel's _text, which is reported. Values
given after it, insmod-style, are applied before the listing.

Parameters with custom ops show no value: golink does not run their get
function. With --json the output is an array of objects with the keys name,
type, value (null when unknown), perm (octal, as a string) and description.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runParams(cmd, &fl, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.kernel, "kernel", "", "the kernel: its vmlinuz or vmlinux, or its System.map, to link a module object against")
	f.StringVar(&fl.symvers, "symvers", "", "the kernel's Module.symvers")
	f.BoolVar(&fl.json, "json", false, "print a JSON array")
	addArchFlags(f, &fl.arch)
	return cmd
}

// paramRow is one line of the listing.
type paramRow struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	Value       *string `json:"value"`
	Perm        string  `json:"perm"`
	Description string  `json:"description"`
}

func runParams(cmd *cobra.Command, fl *paramsFlags, args []string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if d := cmd.ArgsLenAtDash(); d >= 1 {
		// cobra took "--" for the end of the flags; the kernel wants it.
		args = append(append(append([]string(nil), args[:d]...), "--"), args[d:]...)
	}
	path, opts := args[0], strings.Join(args[1:], " ")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ps []params.Param
	var mem params.Memory
	if isImage(data) {
		if opts != "" {
			return fmt.Errorf("%s is a linked image: give parameters to golink link, or list a module object", path)
		}
		f, err := image.Read(path, data)
		if err != nil {
			return err
		}
		if ps, err = f.Params(); err != nil {
			return err
		}
		mem = f
	} else {
		img, err := linkForParams(path, fl, stderr)
		if err != nil {
			return err
		}
		area := &image.ParamArea{Base: kmallocBase, Cap: kmallocStride}
		var r *params.Result
		if ps, r, err = img.ApplyParams(opts, area, nil); err != nil {
			return err
		}
		for _, l := range r.Log {
			fmt.Fprintln(stderr, l)
		}
		for _, na := range r.NotApplied {
			fmt.Fprintf(stderr, "golink: %s: %s not applied: %s\n", img.Name, argText(na), na.Reason)
		}
		if r.Err() != nil {
			return &paramsError{module: img.Name, log: nil, errno: r.Errno()}
		}
		mem = img
	}
	rows := make([]paramRow, 0, len(ps))
	for i := range ps {
		rows = append(rows, row(&ps[i], mem))
	}
	if fl.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 8, 2, ' ', 0)
	for _, r := range rows {
		typ := r.Type
		if typ == "" {
			typ = "-"
		}
		val := "-"
		if r.Value != nil {
			val = *r.Value
			if val == "" || strings.ContainsAny(val, " \t\n\"") {
				val = strconv.Quote(val)
			}
		}
		perm := r.Perm
		if perm == "" {
			perm = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, typ, val, perm, strings.ReplaceAll(r.Description, "\n", " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line != "" {
			fmt.Fprintln(stdout, strings.TrimRight(line, " \n"))
		}
	}
	return nil
}

func row(p *params.Param, mem params.Memory) paramRow {
	r := paramRow{Name: p.Name, Type: p.Type(), Description: p.Desc}
	if !p.InParamTable {
		return r // only .modinfo mentions it: no variable, no permission
	}
	r.Perm = fmt.Sprintf("%04o", p.Perm)
	if v, err := params.Get(p, mem); err == nil {
		r.Value = &v
	}
	return r
}

// isImage reports whether data is an ELF executable: an image golink
// link wrote, not a module object.
func isImage(data []byte) bool {
	return len(data) >= 18 && bytes.HasPrefix(data, []byte(elf.ELFMAG)) && elf.Type(data[16]) == elf.ET_EXEC
}

// stubResolver resolves what the kernel exports, and stands every other
// symbol in at one address, counting them.
type stubResolver struct {
	kernel  *symtab.Table
	at      uint64
	missing map[string]bool
}

func (s *stubResolver) Lookup(name string) (symtab.Symbol, bool) {
	if s.kernel != nil {
		if sym, ok := s.kernel.Lookup(name); ok {
			return sym, true
		}
	}
	if name == modversions.ModuleLayout {
		return symtab.Symbol{}, false // looked up by the versions check, not imported
	}
	s.missing[name] = true
	return symtab.Symbol{Name: name, Addr: s.at}, true
}

// linkForParams links one module object in memory for reading its
// parameters.
func linkForParams(path string, fl *paramsFlags, stderr io.Writer) (*image.Image, error) {
	arch, err := pickArch([]string{path}, &fl.arch)
	if err != nil {
		return nil, err
	}
	obj, err := gelf.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := golink.NewModule(obj, golink.Config{Arch: arch})
	if err != nil {
		return nil, err
	}
	res := &stubResolver{at: 0xffffffff81000000, missing: map[string]bool{}}
	if fl.kernel != "" {
		k, err := vmlinux.Load(fl.kernel, fl.symvers)
		if err != nil {
			return nil, err
		}
		res.kernel = k.Table
		if t, ok := res.kernel.Lookup("_text"); ok {
			res.at = t.Addr
		}
	}
	img, err := m.Link(golink.Placement{Core: defaultBase}, res)
	if err != nil {
		return nil, err
	}
	if len(res.missing) > 0 {
		names := make([]string, 0, len(res.missing))
		for n := range res.missing {
			names = append(names, n)
		}
		sort.Strings(names)
		more := ""
		if len(names) > 5 {
			more = fmt.Sprintf(" and %d more", len(names)-5)
			names = names[:5]
		}
		what := "not exported by the kernel"
		if fl.kernel == "" {
			what = "resolved without a kernel (no --kernel)"
		}
		fmt.Fprintf(stderr, "golink: %s: %s%s %s: standing in at %#x for reading parameters\n",
			m.Name, strings.Join(names, ", "), more, what, res.at)
	}
	return img, nil
}
