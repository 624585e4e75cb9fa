package symtab

import "os"

// Kernel is a kernel read from its files: its symbols' addresses, its
// Module.symvers (nil when none was given) and the exported-symbol table
// made of them.
type Kernel struct {
	Addrs   []MapSymbol
	Symvers []SymversEntry
	Table   *Table
	// PercpuEnd is __per_cpu_end, where modules' per-cpu areas start (0 if
	// the kernel has no such symbol).
	PercpuEnd uint64
	// Vermagic is the kernel's VERMAGIC_STRING when the kernel was read
	// from its image, "" from a map.
	Vermagic string
}

// ReadKernel reads a kernel's symbol addresses from mapPath (System.map,
// /proc/kallsyms or a vmlinux, see ReadAddresses) and, when symversPath is
// not "", its exports and CRCs from Module.symvers (see KernelTable). It
// returns the errors of ReadAddresses, ParseSymvers and KernelTable.
func ReadKernel(mapPath, symversPath string) (*Kernel, error) {
	addrs, err := ReadAddresses(mapPath)
	if err != nil {
		return nil, err
	}
	k := &Kernel{Addrs: addrs}
	if symversPath != "" {
		f, err := os.Open(symversPath)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if k.Symvers, err = ParseSymvers(f, symversPath); err != nil {
			return nil, err
		}
		if k.Symvers == nil {
			k.Symvers = []SymversEntry{}
		}
	}
	if k.Table, err = KernelTable(addrs, k.Symvers); err != nil {
		return nil, err
	}
	for _, s := range addrs {
		if s.Name == "__per_cpu_end" {
			k.PercpuEnd = s.Addr
		}
	}
	return k, nil
}
