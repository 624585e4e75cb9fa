package symtab_test

import (
	"fmt"
	"path/filepath"

	"github.com/golink/golink/elf"
	"github.com/golink/golink/symtab"
)

func ExampleModuleExports() {
	f, err := elf.Open(filepath.Join("..", "cmd", "golink", "testdata", "mods", "mini.ko"))
	if err != nil {
		fmt.Println(err)
		return
	}
	syms, _ := symtab.ModuleExports(f, symtab.ModuleName(f.Name))
	p := symtab.NewProviders()
	p.Add("mini", syms)
	s, _ := p.Provider("mini_helper")
	fmt.Printf("%s from %s: GPL-only %v, namespace %s, CRC %#x\n", s.Name, s.Owner, s.GPLOnly, s.Namespace, s.CRC)
	// Output:
	// mini_helper from mini: GPL-only true, namespace MINI_NS, CRC 0x1badcafe
}
