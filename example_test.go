package golink_test

import (
	"fmt"
	"log"
	"os"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// Link one module against a kernel's exports and look at the result.
func Example() {
	kernel, err := symtab.LoadKernel("testdata/kernel/System.map", "testdata/kernel/Module.symvers")
	if err != nil {
		log.Fatal(err)
	}
	obj, err := gelf.Open("testdata/x86_64/hello.ko")
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	m, err := golink.NewModule(obj, golink.Config{Arch: x86_64.New()})
	if err != nil {
		log.Fatal(err)
	}
	img, err := m.Link(golink.Placement{Core: 0xffffffffa0000000, Percpu: 0x35000}, kernel)
	if err != nil {
		log.Fatal(err)
	}
	initFn, _ := img.Symbol("init_module")
	fmt.Printf("%s: core %#x, init %#x, %d relocations\n", img.Name, img.Core.Base, img.Init.Base, img.Relocations)
	fmt.Printf("init_module at %#x\n", initFn)
	for _, im := range img.Imports[:2] {
		fmt.Printf("import %s = %#x\n", im.Name, im.Addr)
	}
	for _, e := range img.Exports {
		fmt.Printf("export %s = %#x (GPL-only: %v)\n", e.Name, e.Addr, e.GPLOnly)
	}
	// Output:
	// hello: core 0xffffffffa0000000, init 0xffffffffa0004000, 40 relocations
	// init_module at 0xffffffffa0004000
	// import __kmalloc = 0xffffffff812b70d0
	// import _printk = 0xffffffff819fcd44
	// export hello_add = 0xffffffffa0000000 (GPL-only: false)
	// export hello_who = 0xffffffffa0000010 (GPL-only: true)
}

// An undefined symbol nobody exports fails the link in the kernel's words.
func ExampleModule_Link_unknownSymbol() {
	kernel, _ := symtab.LoadKernel("testdata/kernel/System.map", "testdata/kernel/Module.symvers")
	obj, _ := gelf.Open("testdata/x86_64/greeter.ko")
	m, _ := golink.NewModule(obj, golink.Config{Arch: x86_64.New()})
	_, err := m.Link(golink.Placement{Core: 0xffffffffa0000000}, kernel)
	fmt.Println(err)
	// Output:
	// greeter: Unknown symbol hello_add (err -2)
	// greeter: Unknown symbol hello_who (err -2)
}

// Link a set of modules in dependency order and write their images.
func ExampleBatch() {
	kernel, _ := symtab.LoadKernel("testdata/kernel/System.map", "testdata/kernel/Module.symvers")
	out, _ := os.MkdirTemp("", "golink")
	defer os.RemoveAll(out)
	b := &golink.Batch{
		Config: golink.Config{Arch: x86_64.New()},
		Kernel: kernel,
		Base:   0xffffffffa0000000,
		Percpu: 0x35000,
		Output: func(img *image.Image) error {
			f, err := os.Create(out + "/" + img.Name + ".elf")
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = img.WriteTo(f)
			return err
		},
	}
	results, _ := b.Run([]string{"testdata/x86_64/greeter.ko", "testdata/x86_64/hello.ko"})
	for _, r := range results {
		fmt.Printf("%s: err=%v, %d relocations\n", r.Name, r.Err, r.Relocations)
	}
	// Output:
	// greeter: err=<nil>, 6 relocations
	// hello: err=<nil>, 40 relocations
}
