package kallsyms

import (
	"bytes"
	"debug/elf"
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink/symtab"
)

func TestElfType(t *testing.T) {
	m := &Module{Percpu: 6, Sections: []ELFSection{
		{},
		{Name: ".text", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR},
		{Name: ".rodata", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC},
		{Name: ".data", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_WRITE},
		{Name: ".bss", Type: elf.SHT_NOBITS, Flags: elf.SHF_ALLOC | elf.SHF_WRITE},
		{Name: ".modinfo", Type: elf.SHT_PROGBITS}, // SHF_ALLOC cleared by the loader
		{Name: ".data..percpu", Type: elf.SHT_PROGBITS, Flags: elf.SHF_WRITE},
		{Name: ".debug_info", Type: elf.SHT_PROGBITS},
	}}
	info := func(b elf.SymBind, t elf.SymType) byte { return elf.ST_INFO(b, t) }
	tests := []struct {
		info  byte
		shndx elf.SectionIndex
		want  byte
	}{
		{info(elf.STB_WEAK, elf.STT_OBJECT), 3, 'v'}, // weak first, whatever the section
		{info(elf.STB_WEAK, elf.STT_FUNC), 1, 'w'},
		{info(elf.STB_WEAK, elf.STT_NOTYPE), elf.SHN_UNDEF, 'w'},
		{info(elf.STB_GLOBAL, elf.STT_NOTYPE), elf.SHN_UNDEF, 'U'},
		{info(elf.STB_GLOBAL, elf.STT_OBJECT), elf.SHN_ABS, 'a'},
		{info(elf.STB_LOCAL, elf.STT_OBJECT), 6, 'a'}, // per-cpu
		{info(elf.STB_GLOBAL, elf.STT_OBJECT), elf.SHN_COMMON, '?'},
		{info(elf.STB_GLOBAL, elf.STT_FUNC), 1, 't'},
		{info(elf.STB_LOCAL, elf.STT_OBJECT), 2, 'r'},
		{info(elf.STB_LOCAL, elf.STT_OBJECT), 3, 'd'},
		{info(elf.STB_LOCAL, elf.STT_OBJECT), 4, 'b'},
		{info(elf.STB_LOCAL, elf.STT_OBJECT), 5, '?'}, // .modinfo
		{info(elf.STB_LOCAL, elf.STT_OBJECT), 7, 'n'},
	}
	for _, tt := range tests {
		s := &ELFSymbol{Name: "x", Info: tt.info, Shndx: tt.shndx}
		if got := elfType(m, s); got != tt.want {
			t.Errorf("elfType(info %#x, shndx %d) = %c, want %c", tt.info, tt.shndx, got, tt.want)
		}
	}
}

// testModule: text at base, rodata, data, an init section, per-cpu.
func testModule() *Module {
	g := elf.ST_INFO(elf.STB_GLOBAL, elf.STT_FUNC)
	l := elf.ST_INFO(elf.STB_LOCAL, elf.STT_FUNC)
	o := elf.ST_INFO(elf.STB_LOCAL, elf.STT_OBJECT)
	const base = 0xffffffffa0000000
	return &Module{
		Name: "m",
		Core: Region{Base: base, Size: 0x3000, TextSize: 0x1000},
		Sections: []ELFSection{{},
			{Name: ".text", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR},
			{Name: ".rodata", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC},
			{Name: ".data", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_WRITE},
			{Name: ".init.text", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR, Init: true},
			{Name: ".data..percpu", Type: elf.SHT_PROGBITS, Flags: elf.SHF_WRITE},
			{Name: ".modinfo", Type: elf.SHT_PROGBITS}},
		Percpu: 5,
		Symbols: []ELFSymbol{{},
			{Name: "", Value: base, Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_SECTION), Shndx: 1}, // no name: dropped
			{Name: "f", Value: base + 0x10, Info: l, Shndx: 1},
			{Name: "$x", Value: base + 0x20, Info: l, Shndx: 1}, // kept, but not for lookups
			{Name: "g", Value: base + 0x40, Info: g, Shndx: 1},
			{Name: "g_alias", Value: base + 0x40, Info: g, Shndx: 1},
			{Name: "gpl", Value: base + 0x80, Info: g, Shndx: 1},
			{Name: "ro", Value: base + 0x1000, Info: o, Shndx: 2},
			{Name: "rw", Value: base + 0x2000, Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_OBJECT), Shndx: 3},
			{Name: "init_fn", Value: base + 0x4000, Info: l, Shndx: 4},                                // init: dropped
			{Name: "pcpu", Value: 0x35000, Info: o, Shndx: 5},                                         // per-cpu: kept, 'a'
			{Name: "__UNIQUE_ID_license", Value: 0x1000000, Info: o, Shndx: 6},                        // .modinfo: dropped
			{Name: "printk", Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_NOTYPE), Shndx: elf.SHN_UNDEF}, // dropped
			{Name: "absval", Value: 5, Info: o, Shndx: elf.SHN_ABS},                                   // dropped
		},
		Exports: map[string]uint64{"g": base + 0x40, "rw": base + 0x2000, "f": base + 0x11},
	}
}

func TestModuleSymbols(t *testing.T) {
	tab := New(Config{})
	tab.AddModule(testModule())
	var buf bytes.Buffer
	tab.WriteTo(&buf)
	want := "ffffffffa0000010 t f\t[m]\n" + // exported at another value: lowercase
		"ffffffffa0000020 t $x\t[m]\n" +
		"ffffffffa0000040 T g\t[m]\n" +
		"ffffffffa0000040 t g_alias\t[m]\n" +
		"ffffffffa0000080 t gpl\t[m]\n" + // GPL exports are not in the map: lowercase
		"ffffffffa0001000 r ro\t[m]\n" +
		"ffffffffa0002000 D rw\t[m]\n" +
		"0000000000035000 a pcpu\t[m]\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("listing (-want +got):\n%s", diff)
	}
	tt := New(Config{TextOnly: true})
	tt.AddModule(testModule())
	if n := tt.Len(); n != 5 {
		t.Errorf("KALLSYMS_ALL=n keeps %d symbols, want the 5 text ones", n)
	}
}

func TestModuleLookup(t *testing.T) {
	tab := New(Config{})
	tab.AddModule(testModule())
	const base = 0xffffffffa0000000
	tests := []struct {
		addr uint64
		want string
	}{
		{base, "pcpu+0xffffffff9ffcb000/0xffffffff9ffcb010 [m]"}, // below every text symbol: the per-cpu one is the best
		{base + 0x10, "f+0x0/0x30 [m]"},                          // $x is skipped: f runs to g
		{base + 0x25, "f+0x15/0x30 [m]"},
		{base + 0x40, "g+0x0/0x40 [m]"}, // g before its alias
		{base + 0x90, "gpl+0x10/0xf80 [m]"},
		{base + 0xfff, "gpl+0xf7f/0xf80 [m]"},
		{base + 0x1000, "ro+0x0/0x0 [m]"},                  // at the end of text: size 0
		{base + 0x2abc, "rw+0xabc/0xfffffffffffff000 [m]"}, // past text: the size wraps, as in the kernel
		{base + 0x3000, "0xffffffffa0003000"},              // past the core
		{base - 1, "0xffffffff9fffffff"},
	}
	for _, tt := range tests {
		if got := tab.Symbolize(tt.addr); got != tt.want {
			t.Errorf("Symbolize(%#x) = %s, want %s", tt.addr, got, tt.want)
		}
	}
	for _, n := range []struct {
		name string
		addr uint64
		ok   bool
	}{{"g", base + 0x40, true}, {"m:rw", base + 0x2000, true}, {"m:nope", 0, false}, {"x:g", 0, false}, {"init_fn", 0, false}, {"printk", 0, false}} {
		a, ok := tab.Addr(n.name)
		if a != n.addr || ok != n.ok {
			t.Errorf("Addr(%q) = %#x, %v; want %#x, %v", n.name, a, ok, n.addr, n.ok)
		}
	}
}

func TestKernel(t *testing.T) {
	syms := []symtab.MapSymbol{
		{Addr: 0, Type: 'D', Name: "__per_cpu_start"},
		{Addr: 0x100, Type: 'D', Name: "fixed_percpu_data"},
		{Addr: 0x2000, Type: 'D', Name: "__per_cpu_end"},
		{Addr: 0xffffffff81000000, Type: 'T', Name: "_stext"},
		{Addr: 0xffffffff81000000, Type: 'T', Name: "_text"},
		{Addr: 0xffffffff81000000, Type: 'T', Name: "startup_64"},
		{Addr: 0xffffffff81000100, Type: 'W', Name: "weak_fn"},
		{Addr: 0xffffffff81000100, Type: 'T', Name: "__start_foo_section"},
		{Addr: 0xffffffff81000100, Type: 'T', Name: "__strong_fn"},
		{Addr: 0xffffffff81000100, Type: 'T', Name: "strong_fn"},
		{Addr: 0xffffffff81000200, Type: 't', Name: "$x"},
		{Addr: 0xffffffff81000200, Type: 'T', Name: "__crc_foo"},
		{Addr: 0xffffffff81000200, Type: 'U', Name: "undef"},
		{Addr: 0xffffffff81000200, Type: 'A', Name: "abs"},
		{Addr: 0xffffffff81000200, Type: 'A', Name: "__gp"},
		{Addr: 0xffffffff81000300, Type: 'R', Name: "kallsyms_names"},
		{Addr: 0xffffffff81000300, Type: 'R', Name: "__kcfi_typeid_x"},
		{Addr: 0xffffffff81000300, Type: 't', Name: "thing_veneer"},
		{Addr: 0xffffffff81001000, Type: 'T', Name: "_etext"},
		{Addr: 0xffffffff82000000, Type: 'D', Name: "data"},
		{Addr: 0xffffffff83000000, Type: 'T', Name: "_sinittext"},
		{Addr: 0xffffffff83000010, Type: 't', Name: "init_fn"},
		{Addr: 0xffffffff83001000, Type: 'T', Name: "_einittext"},
		{Addr: 0xffffffff84000000, Type: 'B', Name: "_end"},
	}
	tab := New(Config{})
	if err := tab.SetKernel(syms); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tab.WriteTo(&buf)
	// startup_64 and _stext: the sort is by address, weakness,
	// linker-script name, leading underscores, then input order.
	want := "0000000000000000 A __per_cpu_start\n" +
		"0000000000000100 A fixed_percpu_data\n" +
		"0000000000002000 A __per_cpu_end\n" +
		"ffffffff81000000 T startup_64\n" +
		"ffffffff81000000 T _stext\n" +
		"ffffffff81000000 T _text\n" +
		"ffffffff81000100 T strong_fn\n" +
		"ffffffff81000100 T __strong_fn\n" +
		"ffffffff81000100 T __start_foo_section\n" +
		"ffffffff81000100 W weak_fn\n" +
		"ffffffff81000200 A __gp\n" +
		"ffffffff81001000 T _etext\n" +
		"ffffffff82000000 D data\n" +
		"ffffffff83000000 T _sinittext\n" +
		"ffffffff83000010 t init_fn\n" +
		"ffffffff83001000 T _einittext\n" +
		"ffffffff84000000 B _end\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("kernel listing (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		addr uint64
		want string
	}{
		{0xffffffff81000000, "startup_64+0x0/0x100"},
		{0xffffffff81000150, "strong_fn+0x50/0x100"},
		{0xffffffff81000250, "__gp+0x50/0xe00"},
		{0xffffffff83000020, "init_fn+0x10/0xff0"},
		{0xffffffff83fff000, "_einittext+0xffe000/0xfff000"},
		{0xffffffff84000000, "0xffffffff84000000"}, // _end itself is outside
		{0x100, "0x100"}, // per-cpu offsets are not kernel addresses
	} {
		if got := tab.Symbolize(tt.addr); got != tt.want {
			t.Errorf("Symbolize(%#x) = %s, want %s", tt.addr, got, tt.want)
		}
	}
}

// reference is the kernel's lookup, literally: get_symbol_pos over the
// kernel table, or find_kallsyms_symbol's linear scan of the module whose
// core holds addr.
func reference(t *Table, addr uint64) string {
	b := t.bounds
	if addr >= b.stext && addr < b.end {
		ks := t.kernel
		low, high := 0, len(ks)
		for high-low > 1 {
			mid := low + (high-low)/2
			if ks[mid].Addr <= addr {
				low = mid
			} else {
				high = mid
			}
		}
		for low > 0 && ks[low-1].Addr == ks[low].Addr {
			low--
		}
		end := uint64(0)
		for i := low + 1; i < len(ks); i++ {
			if ks[i].Addr > ks[low].Addr {
				end = ks[i].Addr
				break
			}
		}
		if end == 0 {
			if addr >= b.sinittext && addr < b.einittext {
				end = b.einittext
			} else {
				end = b.end
			}
		}
		return Found{Name: ks[low].Name, Addr: ks[low].Addr, Size: end - ks[low].Addr, Offset: addr - ks[low].Addr}.String()
	}
	for _, m := range t.mods {
		if addr-m.core.Base >= m.core.Size {
			continue
		}
		next := m.core.Base + m.core.TextSize
		var best Symbol
		for _, s := range m.lookups {
			if s.Addr <= addr && s.Addr > best.Addr {
				best = s
			}
			if s.Addr > addr && s.Addr < next {
				next = s.Addr
			}
		}
		if best.Addr == 0 {
			return fmtAddr(addr)
		}
		return Found{Name: best.Name, Module: m.name, Addr: best.Addr, Size: next - best.Addr, Offset: addr - best.Addr}.String()
	}
	return fmtAddr(addr)
}

func fmtAddr(a uint64) string { return Found{}.String()[:0] + "0x" + hex(a) }

func hex(a uint64) string {
	const d = "0123456789abcdef"
	if a == 0 {
		return "0"
	}
	var b []byte
	for ; a > 0; a >>= 4 {
		b = append([]byte{d[a&15]}, b...)
	}
	return string(b)
}

// randomTable is a kernel and modules with random symbols.
func randomTable(r *rand.Rand, nk, nmod, per int) *Table {
	tab := New(Config{})
	var ks []symtab.MapSymbol
	ks = append(ks, symtab.MapSymbol{Addr: 0xffffffff81000000, Type: 'T', Name: "_stext"})
	for i := 0; i < nk; i++ {
		ks = append(ks, symtab.MapSymbol{Addr: 0xffffffff81000000 + uint64(r.Intn(1<<24)), Type: "TtDdRrBb"[r.Intn(8)], Name: "k" + hex(uint64(i))})
	}
	ks = append(ks, symtab.MapSymbol{Addr: 0xffffffff82000000, Type: 'B', Name: "_end"},
		symtab.MapSymbol{Addr: 0xffffffff81f00000, Type: 'T', Name: "_sinittext"},
		symtab.MapSymbol{Addr: 0xffffffff81f80000, Type: 'T', Name: "_einittext"})
	if err := tab.SetKernel(ks); err != nil {
		panic(err)
	}
	base := uint64(0xffffffffa0000000)
	for m := 0; m < nmod; m++ {
		size := uint64(1+r.Intn(8)) << 12
		mod := testModule()
		mod.Name = "m" + hex(uint64(m))
		mod.Core = Region{Base: base, Size: size, TextSize: uint64(r.Intn(int(size>>12)+1)) << 12}
		mod.Symbols = mod.Symbols[:1]
		for i := 0; i < per; i++ {
			mod.Symbols = append(mod.Symbols, ELFSymbol{Name: "s" + hex(uint64(i)), Value: base + uint64(r.Intn(int(size))),
				Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_FUNC), Shndx: elf.SectionIndex(1 + r.Intn(3))})
		}
		tab.AddModule(mod)
		base += size + uint64(r.Intn(3))<<12
	}
	return tab
}

// TestLookupAgainstReference compares the interval index with the
// kernel's algorithms on random tables and addresses.
func TestLookupAgainstReference(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for round := 0; round < 20; round++ {
		tab := randomTable(r, 1+r.Intn(500), r.Intn(30), r.Intn(20))
		for i := 0; i < 2000; i++ {
			var a uint64
			switch r.Intn(3) {
			case 0:
				a = 0xffffffff81000000 + uint64(r.Intn(1<<25)) - 100
			case 1:
				a = 0xffffffffa0000000 + uint64(r.Intn(1<<18)) - 100
			default:
				a = r.Uint64()
			}
			if got, want := tab.Symbolize(a), reference(tab, a); got != want {
				t.Fatalf("round %d: Symbolize(%#x) = %s, the kernel's algorithm says %s", round, a, got, want)
			}
		}
	}
}

func FuzzLookup(f *testing.F) {
	f.Add(int64(1), uint64(0xffffffffa0000010))
	f.Fuzz(func(t *testing.T, seed int64, addr uint64) {
		r := rand.New(rand.NewSource(seed))
		tab := randomTable(r, r.Intn(50), r.Intn(5), r.Intn(10))
		if got, want := tab.Symbolize(addr), reference(tab, addr); got != want {
			t.Fatalf("Symbolize(%#x) = %s, want %s", addr, got, want)
		}
	})
}
