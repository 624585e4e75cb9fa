package ia64

import (
	"debug/elf"
	"errors"
	"fmt"
	"testing"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/reloc"
)

const (
	tCore uint64 = 0xa000000200000000
	tInit uint64 = 0xa000000210000000
	tKGP  uint64 = 0xa000000101200000
	tText uint64 = tCore + 0x100
)

// testModule is a laid-out module: .text (core+0), .data (core+0x1000),
// .init.text (init+0), and the four arch sections Size appends, sized for
// 4 of everything.
func testModule(t *testing.T, opts Options) (*reloc.Module, *relocator) {
	t.Helper()
	m := &reloc.Module{Name: "mod", Core: reloc.Region{Base: tCore, Size: 0x2000000}, Init: reloc.Region{Base: tInit, Size: 0x1000}}
	add := func(name string, addr uint64, size int, flags elf.SectionFlag) {
		m.Sections = append(m.Sections, &reloc.Section{Index: len(m.Sections), Name: name, Type: elf.SHT_PROGBITS, Flags: flags,
			Size: uint64(size), Loaded: true, Addr: addr, Data: make([]byte, size)})
	}
	add("", 0, 0, 0)
	add(".text", tText, 0x100, elf.SHF_ALLOC|elf.SHF_EXECINSTR)
	add(".data", tCore+0x1000, 0x100, elf.SHF_ALLOC|elf.SHF_WRITE)
	add(".init.text", tInit, 0x100, elf.SHF_ALLOC|elf.SHF_EXECINSTR)
	var rels []gelf.Rela
	for i := 0; i < 4; i++ {
		for _, typ := range []R_IA64{R_IA64_LTOFF22, R_IA64_FPTR64LSB, R_IA64_PCREL21B} {
			rels = append(rels, gelf.Rela{Info: uint64(i)<<32 | uint64(typ)})
		}
	}
	m.Sections = append(m.Sections, &reloc.Section{Index: len(m.Sections), Name: ".rela.text", Type: elf.SHT_RELA})
	m.Sections = append(m.Sections, &reloc.Section{Index: len(m.Sections), Name: ".rela.init.text", Type: elf.SHT_RELA})
	pl, err := New(opts).Size(m, []reloc.RelocSection{
		{Index: 4, Target: 1, Type: elf.SHT_RELA, Data: gelf.AppendRela(nil, rels...)},
		{Index: 5, Target: 3, Type: elf.SHT_RELA, Data: gelf.AppendRela(nil, rels...)}})
	if err != nil {
		t.Fatal(err)
	}
	r := pl.Relocator().(*relocator)
	addr := map[string]uint64{".core.plt": tCore + 0x2000, ".init.plt": tInit + 0x800, ".opd": tCore + 0x3000, ".got": tCore + 0x1e00800}
	for _, s := range m.Sections[6:] {
		s.Loaded, s.Addr, s.Data = true, addr[s.Name], make([]byte, s.Size)
	}
	m.Symbols = []reloc.Symbol{{}, {Name: "printk", Value: 0xa000000100010000, Resolved: true, Kernel: true, Func: true},
		{Name: "jiffies", Value: 0xa000000100f00000, Resolved: true, Kernel: true}}
	if err := r.Begin(m); err != nil {
		t.Fatal(err)
	}
	return m, r
}

var testOpts = Options{KernelGP: tKGP, KernelText: 0xa000000100000000, KernelOPD: 0xa000000180000000}

// printkDesc is where the test kernel's printk descriptor lives.
const printkDesc uint64 = 0xa000000180010000

func site(m *reloc.Module, sec int, off uint64, typ R_IA64, S uint64, A int64) *reloc.Site {
	s := m.Sections[sec]
	return &reloc.Site{Module: m, Section: s, Off: off, P: s.Addr + off, Type: uint32(typ), S: S, A: A, SymName: "sym"}
}

func bundleBytes(w0, w1 uint64) []byte {
	b := make([]byte, 16)
	Bundle{w0, w1}.Store(b)
	return b
}

func TestApply(t *testing.T) {
	m0, r0 := testModule(t, testOpts)
	gp := r0.gp
	if gp != tCore+0x1e00000 {
		t.Fatalf("gp = %#x, want core + size - 2 MiB = %#x", gp, tCore+0x1e00000)
	}
	le64 := func(v uint64) []byte { b := make([]byte, 8); le.PutUint64(b, v); return b }
	le32 := func(v uint32) []byte { b := make([]byte, 4); le.PutUint32(b, v); return b }
	text, data, initText := 1, 2, 3
	tests := []struct {
		typ     R_IA64
		sec     int
		off     uint64
		S       uint64
		A       int64
		want    []byte // at the site (data) or its bundle (instructions)
		wantErr string // a word the error must contain; "" for success
	}{
		{R_IA64_DIR64LSB, data, 8, 0x1122334455667788, 8, le64(0x1122334455667790), ""},
		{R_IA64_DIR32LSB, data, 4, 0x1122334455667788, 0, le32(0x55667788), ""},
		{R_IA64_SEGREL64LSB, data, 0, 0x1000, 5, le64(0x1005), ""},
		{R_IA64_GPREL64LSB, data, 0, gp + 0x10, 0, le64(0x10), ""},
		{R_IA64_GPREL32LSB, data, 0, gp - 0x2000, 0, le32(uint32(0xffffe000)), ""},
		{R_IA64_PCREL64LSB, data, 0x10, tCore + 0x1000, 0, le64(1<<64 - 0x10), ""},
		{R_IA64_PCREL32LSB, data, 0x10, tCore + 0x1020, 0, le32(0x10), ""},
		{R_IA64_SECREL64LSB, data, 0, tCore + 0x1040, 0, le64(0x40), ""},
		{R_IA64_REL64LSB, data, 0, tInit + 0x40, 0, le64(0x40), ""},
		{R_IA64_REL32LSB, data, 0, tCore + 0x40, 0, le32(0x40), ""},
		{R_IA64_GPREL64I, text, 1, gp + 0x0123456789abcdef, 0, bundleBytes(0x6789800000000000, 0x066d76f000012345), ""},
		{R_IA64_FPTR64LSB, data, 0, printkDesc, 0, le64(printkDesc), ""},
		{R_IA64_FPTR64LSB, data, 0, tCore + 0x40, 0, le64(tCore + 0x3000), ""},
		{R_IA64_FPTR64LSB, data, 0, 0, 0, le64(0), ""}, // "fdesc for zero requested!", not fatal
		{R_IA64_LTOFF_FPTR64LSB, data, 0, printkDesc, 0, le64(0x800), ""},
		{R_IA64_LTOFF64I, text, 1, 7, 0, bundleBytes(0, 1<<54), ""}, // got+0x800-gp
		{R_IA64_IMM64, text, 1, 0x0123456789abcdef, 0, bundleBytes(0x6789800000000000, 0x066d76f000012345), ""},
		{R_IA64_IMM64, text, 2, 0x0123456789abcdef, 0, bundleBytes(0x6789800000000000, 0x066d76f000012345), ""},
		{R_IA64_SUB, text, 1, 1, 0x0123456789abcdf0, bundleBytes(0x6789800000000000, 0x066d76f000012345), ""},
		{R_IA64_IMM22, text, 1, 0x12345, 0, bundleBytes(0x2800000000000000, 0x8c12), ""},
		{R_IA64_PCREL60B, text, 1, tText - 0x20, 0, bundleBytes(0xffff000000000000, 0x08ffffe0007fffff), ""},
		{R_IA64_PCREL21B, text, 2, tText - 0x10, 0, bundleBytes(0, 0x08fffff000000000), ""},
		{R_IA64_PCREL21BI, text, 2, tText - 0x10, 0, bundleBytes(0, 0x08fffff000000000), ""},
		{R_IA64_GPREL22, text, 1, gp + 0x12345, 0, bundleBytes(0x2800000000000000, 0x8c12), ""},
		{R_IA64_PCREL22, text, 0x11, tText + 0x10 + 0x12345, 0, bundleBytes(0x2800000000000000, 0x8c12), ""},
		// Errors: range, slot, refusals.
		{R_IA64_IMM22, text, 1, 1 << 21, 0, nil, "out of range"},
		{R_IA64_IMM22, text, 1, 0, -(1 << 21) - 1, nil, "out of range"},
		{R_IA64_GPREL22, text, 0, gp - 1<<21, 0, bundleBytes(1<<41, 0), ""},
		{R_IA64_PCREL21B, text, 2, tText + 1<<24, 0, nil, "out of range"},
		{R_IA64_PCREL21B, text, 2, tText + (1<<20-1)*16, 0, bundleBytes(0, 0x00fffff000000000), ""},
		{R_IA64_IMM64, text, 0, 1, 0, nil, "invalid slot number 0 for IMM64"},
		{R_IA64_PCREL60B, text, 3, 1, 0, nil, "invalid slot number 3 for IMM60"},
		{R_IA64_IMM22, text, 3, 1, 0, nil, "slot 3"},
		{R_IA64_DIR64MSB, data, 0, 1, 0, nil, "format 6 needed by DIR64MSB"},
		{R_IA64_IMM14, text, 0, 1, 0, nil, "format 1 needed by IMM14"},
		{R_IA64_PCREL21M, text, 0, 1, 0, nil, "format 10 needed by PCREL21M"},
		{R_IA64_TPREL64LSB, data, 0, 1, 0, nil, "TPREL64LSB reloc not supported"},
		{R_IA64_LTV64LSB, data, 0, 1, 0, nil, "BUG()"},
		{R_IA64_COPY, data, 0, 1, 0, nil, "special reloc COPY not supported"},
		{R_IA64(0x82), data, 0, 1, 0, nil, "unknown special reloc 82"},
		{R_IA64(0x20), data, 0, 1, 0, nil, "unknown format 0"},
		{R_IA64(0x08), data, 0, 1, 0, nil, "unknown reloc 8"},
		{R_IA64_PCREL21BI, text, 2, 0xa000000100000000, 0, nil, "non-local symbol"},
		{R_IA64_DIR64LSB, data, 0xfc, 1, 0, nil, "past the end"},
		{R_IA64_PLTOFF64LSB, data, 0, 0xa000000100000000, 0, nil, "not a function descriptor"},
	}
	for _, tt := range tests {
		m, r := testModule(t, testOpts)
		s := site(m, tt.sec, tt.off, tt.typ, tt.S, tt.A)
		err := r.Apply(s)
		desc := fmt.Sprintf("Apply(%v, S=%#x A=%#x P=%#x)", tt.typ, tt.S, tt.A, s.P)
		if tt.wantErr != "" {
			if err == nil || !contains(err.Error(), tt.wantErr) {
				t.Errorf("%s = %v, want error with %q", desc, err, tt.wantErr)
			}
			var re *reloc.Error
			var oe *reloc.OverflowError
			if err != nil && !errors.As(err, &re) && !errors.As(err, &oe) {
				t.Errorf("%s: error %T is neither *reloc.Error nor *reloc.OverflowError", desc, err)
			}
			if err != nil && !contains(err.Error(), "mod: "+s.Section.Name+fmt.Sprintf("+%#x", tt.off)) {
				t.Errorf("%s: error does not name the location: %v", desc, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", desc, err)
			continue
		}
		var got []byte
		if len(tt.want) == 16 {
			got = s.Section.Data[tt.off&^15:][:16]
		} else {
			got = s.Section.Data[tt.off:][:len(tt.want)]
		}
		if string(got) != string(tt.want) {
			t.Errorf("%s = % x, want % x", desc, got, tt.want)
		}
	}
	_ = m0
	_ = initText
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// The overflow error carries the kernel's message and exported fields.
func TestOverflowFields(t *testing.T) {
	m, r := testModule(t, testOpts)
	err := r.Apply(site(m, 1, 2, R_IA64_PCREL21B, tText+1<<24, 0))
	var oe *reloc.OverflowError
	if !errors.As(err, &oe) {
		t.Fatalf("%v", err)
	}
	if oe.Type != "R_IA64_PCREL21B" || oe.Sym != "sym" || oe.Off != 2 || oe.Section != ".text" || oe.Value != 1<<20 || oe.Min != -1<<20 || oe.Max != 1<<20-1 {
		t.Errorf("%+v", oe)
	}
	if oe.Kernel != "mod: value 1048576 out of IMM21b range" {
		t.Errorf("kernel message %q", oe.Kernel)
	}
}

// Calls: out of the module through a stub (shared per target), init to
// core beyond reach through a stub for a new descriptor, in reach direct.
func TestBranches(t *testing.T) {
	for _, plt48 := range []bool{false, true} {
		o := testOpts
		o.PLT48 = plt48
		m, r := testModule(t, o)
		printk := m.Symbols[1].Value
		if printk != printkDesc {
			t.Fatalf("printk's value is %#x, want its descriptor %#x", printk, printkDesc)
		}
		for _, off := range []uint64{0x12, 0x22} {
			b := LoadBundle(m.Sections[1].Data[off&^15:])
			b.SetTemplate(0x10) // MIB
			b.SetSlot(2, 5<<37) // br.call
			b.Store(m.Sections[1].Data[off&^15:])
			if err := r.Apply(site(m, 1, off, R_IA64_PCREL21B, printk, 0)); err != nil {
				t.Fatal(err)
			}
		}
		plt := m.Sections[r.corePLT]
		for _, off := range []uint64{0x12, 0x22} {
			tgt, _ := BranchTarget(LoadBundle(m.Sections[1].Data[off&^15:]), tText+off&^15, 2)
			if tgt != plt.Addr {
				t.Errorf("plt48=%v: call at %#x goes to %#x, want the first stub %#x", plt48, off, tgt, plt.Addr)
			}
		}
		ip, gp, ok := PLTTarget(plt.Data, plt.Addr, plt48)
		if !ok || ip != 0xa000000100010000 || gp != tKGP {
			t.Errorf("plt48=%v: stub {%#x, %#x, %v}", plt48, ip, gp, ok)
		}
		// init → core, 256 MiB away: a stub in .init.plt, for a descriptor in .opd.
		if err := r.Apply(site(m, 3, 2, R_IA64_PCREL21B, tCore+0x40, 0)); err != nil {
			t.Fatal(err)
		}
		ipl := m.Sections[r.initPLT]
		ip, gp, _ = PLTTarget(ipl.Data, ipl.Addr, plt48)
		if ip != tCore+0x40 || gp != r.gp {
			t.Errorf("plt48=%v: init stub {%#x, %#x}", plt48, ip, gp)
		}
		opd := m.Sections[r.opd]
		if le.Uint64(opd.Data) != tCore+0x40 || le.Uint64(opd.Data[8:]) != r.gp {
			t.Errorf("plt48=%v: .opd starts % x", plt48, opd.Data[:16])
		}
	}
}

// LTOFF22X/LDXMOV: relaxed near gp, a GOT load otherwise; GOT slots are
// shared by value.
func TestLDXMOV(t *testing.T) {
	m, r := testModule(t, testOpts)
	ld8 := Bundle{}
	ld8.SetTemplate(0x0a)                  // MMI
	ld8.SetSlot(1, 4<<37|3<<30|2<<20|2<<6) // ld8 r2=[r2]
	ld8.Store(m.Sections[1].Data[0x30:])
	near := r.gp + 0x100
	if err := r.Apply(site(m, 1, 0x30, R_IA64_LTOFF22X, near, 0)); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(site(m, 1, 0x31, R_IA64_LDXMOV, near, 0)); err != nil {
		t.Fatal(err)
	}
	b := LoadBundle(m.Sections[1].Data[0x30:])
	if DecodeImm22(b.Slot(0)) != 0x100 || Opcode(b.Slot(1)) != 8 || b.Slot(1) != 8<<37|2<<20|2<<6 {
		t.Errorf("relaxed: imm %#x, slot 1 %#x", DecodeImm22(b.Slot(0)), b.Slot(1))
	}
	far := uint64(0xa000000100f00000)
	ld8.Store(m.Sections[1].Data[0x40:])
	r.Apply(site(m, 1, 0x40, R_IA64_LTOFF22X, far, 0))
	r.Apply(site(m, 1, 0x41, R_IA64_LDXMOV, far, 0))
	r.Apply(site(m, 1, 0x50, R_IA64_LTOFF22, far, 0))
	b = LoadBundle(m.Sections[1].Data[0x40:])
	got := m.Sections[r.got]
	slot := r.gp + uint64(DecodeImm22(b.Slot(0)))
	if slot != got.Addr || le.Uint64(got.Data) != far || b.Slot(1) != ld8.Slot(1) {
		t.Errorf("far: slot %#x (got %#x) holds %#x; ld8 %#x", slot, got.Addr, le.Uint64(got.Data), b.Slot(1))
	}
	if b2 := LoadBundle(m.Sections[1].Data[0x50:]); DecodeImm22(b2.Slot(0)) != DecodeImm22(b.Slot(0)) {
		t.Errorf("the same value got a second GOT slot")
	}
}

// Running out of counted slots is the kernel's BUG(); golink reports it.
func TestOutOfSlots(t *testing.T) {
	m, r := testModule(t, testOpts)
	var err error
	for i := 0; i < 9 && err == nil; i++ {
		err = r.Apply(site(m, 1, 0, R_IA64_LTOFF22, uint64(i+1), 0))
	}
	if err == nil || !contains(err.Error(), "out of GOT entries") {
		t.Errorf("after 9 distinct values: %v", err)
	}
}

// The pre-pass: counts by type set, deduplicated per section by r_info and
// addend; PLTs split by the relocation section's name.
func TestCount(t *testing.T) {
	r := func(sym uint64, typ R_IA64, a int64) gelf.Rela {
		return gelf.Rela{Info: sym<<32 | uint64(typ), Addend: a}
	}
	rels := []gelf.Rela{
		r(1, R_IA64_LTOFF22, 0), r(1, R_IA64_LTOFF22, 0), r(1, R_IA64_LTOFF22, 8), r(1, R_IA64_LTOFF64I, 0),
		r(2, R_IA64_PCREL21B, 0), r(2, R_IA64_PCREL21B, 0), r(3, R_IA64_PCREL21B, 0),
		r(4, R_IA64_LTOFF_FPTR22, 0), r(4, R_IA64_IPLTLSB, 0), r(5, R_IA64(0x149), 0),
	}
	rs := &reloc.RelocSection{Type: elf.SHT_RELA, Data: gelf.AppendRela(nil, rels...)}
	got := Count(rs, false)
	want := Counts{GOT: 4, FDesc: 4, CorePLT: 3}
	if got != want {
		t.Errorf("Count = %+v, want %+v", got, want)
	}
	if got := Count(rs, true); got.InitPLT != 3 || got.CorePLT != 0 {
		t.Errorf("init section: %+v", got)
	}
}

// Size appends what is missing and sizes by the kernel's table.
func TestSize(t *testing.T) {
	m := &reloc.Module{Name: "mod", Sections: []*reloc.Section{{}, {Index: 1, Name: ".got", Type: elf.SHT_PROGBITS, Size: 1}}}
	for _, plt48 := range []bool{false, true} {
		m.Sections = m.Sections[:2]
		pl, err := New(Options{PLT48: plt48}).Size(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := pl.(*plan)
		if r.got != 1 || len(m.Sections) != 5 || r.created == nil {
			t.Fatalf("sections %d, got %d, created %v", len(m.Sections), r.got, r.created)
		}
		g := m.Sections[1]
		if g.Size != 0 || g.Flags != gelf.SHF_IA_64_SHORT|elf.SHF_ALLOC || g.Align != 8 {
			t.Errorf(".got: %+v", g)
		}
		for _, s := range m.Sections[2:] {
			if s.Index < 2 || s.Type != elf.SHT_PROGBITS {
				t.Errorf("%+v", s)
			}
		}
	}
}

// gp: core base + size/2 (size − 2 MiB above 4 MiB), rounded up to 8.
func TestGP(t *testing.T) {
	for _, tt := range []struct{ size, want uint64 }{{0x1000, 0x800}, {0x1003, 0x808}, {0x400000, 0x200000}, {0x500000, 0x300000}, {0, 0}} {
		m := &reloc.Module{Name: "mod", Sections: []*reloc.Section{{}}, Core: reloc.Region{Base: tCore, Size: tt.size}}
		pl, _ := New(testOpts).Size(m, nil)
		rl := pl.Relocator()
		rl.Begin(m)
		if gp := rl.(*relocator).gp; gp != tCore+tt.want {
			t.Errorf("core size %#x: gp = core+%#x, want core+%#x", tt.size, gp-tCore, tt.want)
		}
	}
}

// A descriptor for address 0 is the kernel's logged, non-fatal complaint.
func TestFdescZero(t *testing.T) {
	m, r := testModule(t, testOpts)
	if err := r.Apply(site(m, 2, 0, R_IA64_FPTR64LSB, 0, 0)); err != nil {
		t.Fatal(err)
	}
	c := r.Contribution()
	if len(c.Log) != 1 || c.Log[0] != "mod: fdesc for zero requested!" {
		t.Errorf("log %q", c.Log)
	}
}

// Any type, offset and value: an error or a write inside the section,
// never a panic.
func FuzzApply(f *testing.F) {
	f.Add(uint32(R_IA64_PCREL21B), uint64(2), uint64(printkDesc), int64(0), uint8(1))
	f.Add(uint32(R_IA64_IMM64), uint64(0xff), uint64(0), int64(-1), uint8(3))
	f.Add(uint32(R_IA64_IPLTLSB), uint64(0), uint64(tCore+0x40), int64(0), uint8(2))
	f.Fuzz(func(t *testing.T, typ uint32, off, S uint64, A int64, sec uint8) {
		m, r := testModule(t, testOpts)
		s := site(m, 1+int(sec%3), off%0x110, R_IA64(typ), S, A)
		if s.Off >= s.Section.Size {
			return // the core refuses these before the backend sees them
		}
		_ = r.Apply(s)
	})
}

// Kernels before 2017 take movl/brl relocations at slot 2 only.
func TestSlot2Only(t *testing.T) {
	o := testOpts
	o.Slot2Only = true
	m, r := testModule(t, o)
	if err := r.Apply(site(m, 1, 2, R_IA64_IMM64, 5, 0)); err != nil {
		t.Errorf("slot 2: %v", err)
	}
	err := r.Apply(site(m, 1, 0x11, R_IA64_IMM64, 5, 0))
	if err == nil || !contains(err.Error(), "mod: invalid slot number 1 for IMM64") {
		t.Errorf("slot 1: %v", err)
	}
}
