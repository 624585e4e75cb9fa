package kmod_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/golink/golink/kmod"
)

func ExampleWriteModinfo() {
	m, err := kmod.Open(filepath.Join("..", "cmd", "golink", "testdata", "mods", "mini.ko"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	kmod.WriteModinfo(os.Stdout, "mini.ko", kmod.Info(m.File), kmod.ModinfoOptions{Field: "parm"}, func(string) {})
	// Output:
	// quiet: (bool)
	// count:How many (int)
}

func ExampleModversions() {
	m, err := kmod.Open(filepath.Join("..", "cmd", "golink", "testdata", "mods", "user-mod.ko"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	vs, _ := kmod.Modversions(m.File)
	for _, v := range vs {
		fmt.Printf("0x%08x\t%s\n", v.CRC, v.Name)
	}
	// Output:
	// 0x1badcafe	mini_helper
	// 0x92997ed8	_printk
	// 0x160c03af	module_layout
}

func ExampleRunDepmod() {
	// A tree with the two fixture modules: user-mod needs mini's export.
	base, _ := os.MkdirTemp("", "depmod")
	defer os.RemoveAll(base)
	dir := filepath.Join(base, "lib", "modules", "6.1.0-test", "kernel")
	os.MkdirAll(dir, 0o755)
	for _, name := range []string{"mini.ko", "user-mod.ko"} {
		b, _ := os.ReadFile(filepath.Join("..", "cmd", "golink", "testdata", "mods", name))
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	d, err := kmod.RunDepmod(&kmod.DepmodConfig{BaseDir: base, Version: "6.1.0-test"})
	if err != nil {
		fmt.Println(err)
		return
	}
	d.WriteDep(os.Stdout)
	d.WriteSymbols(os.Stdout)
	// Without a modules.order, modules come in the order of kmod's hash
	// table, as with kmod.

	// Output:
	// kernel/user-mod.ko: kernel/mini.ko
	// kernel/mini.ko:
	// # Aliases for symbols, used by symbol_request().
	// alias symbol:mini_helper mini
}
