package vmlinux

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/symtab"
	"github.com/golink/golink/vmlinuz"
)

// Load reads the kernel golink links against from the file users have,
// recognised by its contents: a vmlinuz (bzImage, decompressed), a
// vmlinux without symbols (its kallsyms tables and exports, Recover and
// Exports), a vmlinux with them, or a System.map (symtab.ReadKernel).
//
// symversPath, if not "", is a Module.symvers: for a map it gives the
// exports, as symtab.ReadKernel says; for an image, which has its own, it
// must agree with them (a disagreement is an error naming the symbol).
func Load(path, symversPath string) (*symtab.Kernel, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if isBzImage(data) {
		if data, err = vmlinuz.Vmlinux(data); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else if !bytes.HasPrefix(data, []byte(elf.ELFMAG)) {
		return symtab.ReadKernel(path, symversPath)
	}
	f, err := gelf.DecodeExecutable(path, data)
	if err != nil {
		return nil, err
	}
	if f.Symtab != 0 {
		return symtab.ReadKernel(path, symversPath)
	}
	return fromImage(path, f, symversPath)
}

// fromImage is the kernel of a stripped vmlinux.
func fromImage(path string, f *gelf.File, symversPath string) (*symtab.Kernel, error) {
	ks, err := Recover(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	exps, err := Exports(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	k := &symtab.Kernel{Addrs: ks.Symbols, Symvers: make([]symtab.SymversEntry, len(exps))}
	for i := range exps {
		k.Symvers[i] = exps[i].SymversEntry
	}
	if symversPath != "" {
		if err := agree(path, exps, symversPath); err != nil {
			return nil, err
		}
	}
	if k.Table, err = symtab.KernelTable(k.Addrs, k.Symvers); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, s := range k.Addrs {
		switch s.Name {
		case "__per_cpu_end":
			k.PercpuEnd = s.Addr
		case "vermagic":
			// kernel/module/main.c: static const char vermagic[] =
			// VERMAGIC_STRING, what the loader compares modules with.
			if v, err := stringAtAddr(f, s.Addr); err == nil {
				k.Vermagic = v
			}
		}
	}
	return k, nil
}

// stringAtAddr reads the NUL-terminated string at addr through the
// image's loaded segments.
func stringAtAddr(f *gelf.File, addr uint64) (string, error) {
	for _, p := range f.Progs {
		if elf.ProgType(p.Type) != elf.PT_LOAD || addr < p.Vaddr || addr-p.Vaddr >= p.Filesz {
			continue
		}
		b := f.Data[p.Off+addr-p.Vaddr : p.Off+p.Filesz]
		if n := bytes.IndexByte(b, 0); n >= 0 {
			return string(b[:n]), nil
		}
		return "", fmt.Errorf("the string at %#x runs off its segment", addr)
	}
	return "", fmt.Errorf("%#x is in no loaded segment", addr)
}

// agree checks the image's exports against a Module.symvers: the same
// vmlinux rows, name for name.
func agree(path string, exps []Export, symversPath string) error {
	r, err := os.Open(symversPath)
	if err != nil {
		return err
	}
	defer r.Close()
	rows, err := symtab.ParseSymvers(r, symversPath)
	if err != nil {
		return err
	}
	mine := make(map[string]symtab.SymversEntry, len(exps))
	for _, e := range exps {
		mine[e.Name] = e.SymversEntry
	}
	n := 0
	for _, row := range rows {
		if row.Module != "vmlinux" {
			continue
		}
		n++
		e, ok := mine[row.Name]
		switch {
		case !ok:
			return fmt.Errorf("%s exports %s, which %s does not: are they from the same build?", symversPath, row.Name, path)
		case e != row:
			return fmt.Errorf("%s and %s disagree about %s: the image says CRC %#08x gpl=%v namespace %q, Module.symvers CRC %#08x gpl=%v namespace %q",
				path, symversPath, row.Name, e.CRC, e.GPLOnly, e.Namespace, row.CRC, row.GPLOnly, row.Namespace)
		}
	}
	if n != len(exps) {
		return fmt.Errorf("%s exports %d symbols, %s's vmlinux rows %d: are they from the same build?", path, len(exps), symversPath, n)
	}
	return nil
}

// isBzImage reports whether data starts as an x86 boot image: the setup
// header's "HdrS" at 0x202.
func isBzImage(data []byte) bool { return len(data) >= 0x206 && string(data[0x202:0x206]) == "HdrS" }
