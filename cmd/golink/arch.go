package main

import (
	"debug/elf"
	"fmt"

	"github.com/spf13/pflag"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/reloc"
	"github.com/golink/golink/reloc/ia64"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// archFlags are the options of the architecture backends.
type archFlags struct {
	flags *pflag.FlagSet // to read --kernel, which ia64 needs for __gp

	ia64PLT48     bool
	ia64Slot2Only bool
	ia64KernelOPD string
}

func addArchFlags(f *pflag.FlagSet, a *archFlags) {
	a.flags = f
	f.BoolVar(&a.ia64PLT48, "ia64-plt48", false,
		"ia64: 48-byte PLT stubs of a kernel built for Itanium 1 (CONFIG_ITANIUM), instead of the 32-byte brl stubs")
	f.BoolVar(&a.ia64Slot2Only, "ia64-slot2-only", false,
		"ia64: accept movl/brl relocations only at slot 2, as kernels before 4.11 did")
	f.StringVar(&a.ia64KernelOPD, "ia64-kernel-opd", "",
		"ia64: address of the kernel function descriptors golink makes (default: the kernel's _end rounded up to 64 MiB)")
}

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
		case elf.EM_IA_64:
			opts, err := ia64Options(fl)
			if err != nil {
				return nil, err
			}
			return ia64.New(opts), nil
		default:
			return nil, &UnsupportedMachineError{Path: p, Machine: f.Machine}
		}
	}
	return nil, fmt.Errorf("no module could be read: %w", first)
}

// UnsupportedMachineError reports a module for a machine golink has no
// backend for: elf reads objects of any machine, linking them is golink's
// decision.
type UnsupportedMachineError struct {
	Path    string
	Machine elf.Machine
}

func (e *UnsupportedMachineError) Error() string {
	return fmt.Sprintf("%s: %v object: golink links %v and %v", e.Path, e.Machine, elf.EM_X86_64, elf.EM_IA_64)
}

// ia64Options reads what the ia64 backend needs from the kernel's symbol
// map: its gp (__gp), where its text starts (_stext, else _text, else the
// lowest text symbol) and where its image ends (_end), after which golink
// places the kernel function descriptors unless --ia64-kernel-opd says
// otherwise.
func ia64Options(fl *archFlags) (ia64.Options, error) {
	opts := ia64.Options{PLT48: fl.ia64PLT48, Slot2Only: fl.ia64Slot2Only, Descriptors: ia64.NewDescriptors()}
	path := ""
	if fl.flags != nil {
		if k := fl.flags.Lookup("kernel"); k != nil {
			path = k.Value.String()
		}
	}
	syms, err := symtab.ReadAddresses(path)
	if err != nil {
		return opts, err
	}
	var gp, stext, text, low, end uint64
	var haveGP bool
	for _, s := range syms {
		switch s.Name {
		case "__gp":
			gp, haveGP = s.Addr, true
		case "_stext":
			stext = s.Addr
		case "_text":
			text = s.Addr
		case "_end":
			end = s.Addr
		}
		if (s.Type == 'T' || s.Type == 't') && (low == 0 || s.Addr < low) {
			low = s.Addr
		}
	}
	if !haveGP {
		return opts, fmt.Errorf("%s has no __gp: an ia64 module needs the kernel's gp (is this an ia64 System.map?)", path)
	}
	opts.KernelGP = gp
	switch {
	case stext != 0:
		opts.KernelText = stext
	case text != 0:
		opts.KernelText = text
	default:
		opts.KernelText = low
	}
	if low != 0 && low < opts.KernelText {
		opts.KernelText = low
	}
	if fl.ia64KernelOPD != "" {
		if opts.KernelOPD, err = parseAddr("--ia64-kernel-opd", fl.ia64KernelOPD); err != nil {
			return opts, err
		}
	} else if end != 0 {
		const align = 64 << 20
		opts.KernelOPD = (end + align - 1) &^ (align - 1)
	} else {
		return opts, fmt.Errorf("%s has no _end: say where the kernel function descriptors go with --ia64-kernel-opd", path)
	}
	return opts, nil
}
