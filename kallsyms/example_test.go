package kallsyms_test

import (
	"debug/elf"
	"fmt"
	"os"

	"github.com/golink/golink/kallsyms"
	"github.com/golink/golink/symtab"
)

func ExampleTable() {
	t := kallsyms.New(kallsyms.Config{})
	t.SetKernel([]symtab.MapSymbol{
		{Addr: 0xffffffff81000000, Type: 'T', Name: "_stext"},
		{Addr: 0xffffffff812b6580, Type: 'T', Name: "kmalloc_trace"},
		{Addr: 0xffffffff84430000, Type: 'B', Name: "_end"},
	})
	text := elf.SHF_ALLOC | elf.SHF_EXECINSTR
	t.AddModule(&kallsyms.Module{
		Name:     "demo",
		Core:     kallsyms.Region{Base: 0xffffffffa0000000, Size: 0x3000, TextSize: 0x1000},
		Sections: []kallsyms.ELFSection{{}, {Name: ".text", Type: elf.SHT_PROGBITS, Flags: text}},
		Symbols: []kallsyms.ELFSymbol{{},
			{Name: "demo_greet", Value: 0xffffffffa0000020, Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_FUNC), Shndx: 1}},
		Exports: map[string]uint64{"demo_greet": 0xffffffffa0000020},
	})
	fmt.Println(t.Symbolize(0xffffffff812b6590))
	fmt.Println(t.Symbolize(0xffffffffa0000025))
	a, _ := t.Addr("demo:demo_greet")
	fmt.Printf("%#x\n", a)
	t.WriteTo(os.Stdout)
	// Output:
	// kmalloc_trace+0x10/0x3179a80
	// demo_greet+0x5/0xfe0 [demo]
	// 0xffffffffa0000020
	// ffffffff81000000 T _stext
	// ffffffff812b6580 T kmalloc_trace
	// ffffffff84430000 B _end
	// ffffffffa0000020 T demo_greet	[demo]
}
