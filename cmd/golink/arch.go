package main

import (
	"debug/elf"
	"fmt"

	"github.com/spf13/pflag"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/reloc"
	"github.com/golink/golink/reloc/x86_64"
)

// archFlags are the options of the architecture backends.
type archFlags struct{}

func addArchFlags(f *pflag.FlagSet, a *archFlags) {}

// pickArch chooses the backend from the first module's e_machine: the one
// place that knows every backend.
func pickArch(paths []string, fl *archFlags) (reloc.Arch, error) {
	var first error
	for _, p := range paths {
		f, err := gelf.Open(p)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		f.Close()
		switch f.Machine {
		case elf.EM_X86_64:
			return x86_64.New(), nil
		default:
			return nil, fmt.Errorf("%s: no backend for %v", p, f.Machine)
		}
	}
	return nil, fmt.Errorf("no module could be read: %w", first)
}
