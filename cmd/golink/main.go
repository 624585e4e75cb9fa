// Command golink is the command-line face of the golink module loader: it
// links kernel modules as the kernel's loader would (link), and reads them as
// kmod's tools do.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// exitError carries an exit status without a message of its own (the
// command printed what went wrong already).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Main runs golink with args and returns the exit status. Errors are printed
// once, here; cobra's own error printing is silenced.
func Main(args []string, stdout, stderr io.Writer) int {
	root := New(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return int(ee)
	}
	fmt.Fprintf(stderr, "golink: %v\n", err)
	return 1
}

// New builds the root command.
func New(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "golink",
		Short:         "Link Linux kernel modules in user space, as the kernel's loader does",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newLinkCmd())
	root.AddCommand(newModinfoCmd())
	root.AddCommand(newModversionsCmd())
	root.AddCommand(newDepmodCmd())
	root.AddCommand(newParamsCmd())
	root.AddCommand(newKallsymsCmd())
	root.AddCommand(newDisasmCmd())
	root.AddCommand(newRunCmd())
	return root
}
