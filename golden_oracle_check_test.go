package golink_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/golink/golink/image"
)

// checkOracleInput compares the golden's facts about the input object with
// readelf's.
func checkOracleInput(t *testing.T, g *oracleGolden, in *oracleELF, sysmap map[string]uint64) {
	t.Helper()
	copies := in.kallsymsCopies()

	// Sections: index, name, size; flags as in the object, plus SHF_ALLOC
	// on the tables the loader copies into init.
	var want, got []string
	loaded := map[string]uint64{}
	byIndex := map[int]oracleGoldenSection{}
	for _, s := range g.sections {
		want = append(want, fmt.Sprintf("[%d] %s size %#x flags %q", s.index, s.name, s.size, s.flags))
		loaded[s.name] = s.addr
		byIndex[s.index] = s
		if s.index >= len(in.sections) {
			got = append(got, fmt.Sprintf("[%d] no such section", s.index))
			continue
		}
		is := in.sections[s.index]
		flags := is.flags
		if copies[is.name] {
			flags = oracleSortLetters(flags + "A")
		}
		got = append(got, fmt.Sprintf("[%d] %s size %#x flags %q", is.index, is.name, is.size, flags))
	}
	oracleDiff(t, "sections of "+in.path+" vs readelf -S", want, got)

	// Symbols: order, name, binding, section, and the value the tools give.
	want, got = nil, nil
	for _, s := range g.symbols {
		want = append(want, fmt.Sprintf("%016x %-6s %s %s", s.value, s.bind, s.sect, s.name))
	}
	for _, s := range in.symbols {
		if s.num == 0 || s.typ == "SECTION" || s.typ == "FILE" {
			continue
		}
		sect := in.sectionName(s.ndx)
		var v uint64
		switch i, err := strconv.Atoi(s.ndx); {
		case s.ndx == "UND":
			v = sysmap[s.name]
		case err != nil: // ABS, COM
			v = s.value
		case byIndex[i].name != "":
			v = byIndex[i].addr + s.value
		case sect == ".data..percpu":
			v = g.percpu[0] + s.value
		default: // not loaded: the loader's sh_addr is hdr + sh_offset, hdr 0 here
			v = in.sections[i].off + s.value
		}
		got = append(got, fmt.Sprintf("%016x %-6s %s %s", v, s.bind, sect, s.name))
	}
	oracleDiff(t, "symbols of "+in.path+" vs readelf -s (values: golden section addresses, System.map)", want, got)

	// Imports: the kernel's addresses.
	want, got = nil, nil
	for _, im := range g.imports {
		f := strings.Fields(im)
		want = append(want, im)
		if f[2] != "kernel" {
			got = append(got, im+" (owner not checked)")
			continue
		}
		v, ok := sysmap[f[0]]
		if !ok {
			got = append(got, f[0]+" not in System.map")
			continue
		}
		got = append(got, fmt.Sprintf("%s %#x kernel", f[0], v))
	}
	oracleDiff(t, "imports vs testdata/kernel/System.map", want, got)

	// Relocations: every entry of every relocation section, in order.
	want, got = nil, nil
	for _, r := range g.relocs {
		want = append(want, fmt.Sprintf("%s+%#x %s %s%+d", r.sect, r.off, r.typ, r.sym, r.add))
	}
	for _, n := range g.notApplied {
		want = append(want, n+" not applied")
	}
	sort.Strings(want[len(g.relocs):])
	var notApplied []string
	for _, r := range in.relocs {
		rs := in.section(r.rela)
		if rs == nil || rs.info >= len(in.sections) {
			t.Fatalf("readelf: relocation section %q has no target", r.rela)
		}
		target := in.sections[rs.info].name
		if _, ok := loaded[target]; !ok {
			n := r.rela + " " + target + " not applied"
			if len(notApplied) == 0 || notApplied[len(notApplied)-1] != n {
				notApplied = append(notApplied, n)
			}
			continue
		}
		got = append(got, fmt.Sprintf("%s+%#x %s %s%+d", target, r.off, r.typ, r.sym, r.addend))
	}
	sort.Strings(notApplied)
	got = append(got, notApplied...)
	oracleDiff(t, "relocations of "+in.path+" vs readelf -r", want, got)
}

// checkOracleImage compares the golden with the image golink wrote.
func checkOracleImage(t *testing.T, g *oracleGolden, in, out *oracleELF) {
	t.Helper()
	copies := in.kallsymsCopies()

	// Loaded sections: name, address, size, flags; the per-cpu section at
	// the per-cpu base. The kallsyms copies are loader bookkeeping, not
	// sections of the image.
	var want, got []string
	loaded := map[string]bool{}
	for _, s := range g.sections {
		if copies[s.name] {
			continue
		}
		loaded[s.name] = true
		want = append(want, fmt.Sprintf("%s %#x %#x %q", s.name, s.addr, s.size, s.flags))
	}
	if g.percpu[1] != 0 {
		loaded[".data..percpu"] = true
		want = append(want, fmt.Sprintf("%s %#x %#x %q", ".data..percpu", g.percpu[0], g.percpu[1], "AW"))
	}
	for _, s := range out.sections {
		if strings.Contains(s.flags, "A") {
			got = append(got, fmt.Sprintf("%s %#x %#x %q", s.name, s.addr, s.size, s.flags))
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	oracleDiff(t, "loaded sections vs readelf -S of the image", want, got)

	// Symbols: those in loaded sections, and the undefined ones (SHN_ABS
	// once resolved), at the golden's values.
	imported := map[string]bool{}
	for _, im := range g.imports {
		imported[strings.Fields(im)[0]] = true
	}
	want, got = nil, nil
	var wantNM []string
	inByName := map[string][]oracleSymbol{}
	for _, s := range in.symbols {
		inByName[s.name] = append(inByName[s.name], s)
	}
	var wantTS, gotTS []string
	for _, s := range g.symbols {
		sect := s.sect
		switch {
		case sect == "UND" && imported[s.name]:
			sect = "ABS"
		case sect == "UND", sect == "ABS", sect == "COM", loaded[sect]:
		default:
			continue // in a section that is not loaded
		}
		want = append(want, fmt.Sprintf("%016x %-6s %s %s", s.value, s.bind, sect, s.name))
		cls := strings.ToLower(s.bind)
		if sect == "ABS" {
			cls += " abs"
		}
		if sect != "UND" {
			wantNM = append(wantNM, fmt.Sprintf("%016x %s %s", s.value, s.name, cls))
		}
		if c := inByName[s.name]; len(c) == 1 {
			wantTS = append(wantTS, fmt.Sprintf("%s %s %d", s.name, c[0].typ, c[0].size))
		} else {
			wantTS = append(wantTS, fmt.Sprintf("%s: %d symbols of that name in the object", s.name, len(c)))
		}
	}
	for _, s := range out.symbols {
		if s.num == 0 || s.typ == "SECTION" || s.typ == "FILE" {
			continue
		}
		got = append(got, fmt.Sprintf("%016x %-6s %s %s", s.value, s.bind, out.sectionName(s.ndx), s.name))
		gotTS = append(gotTS, fmt.Sprintf("%s %s %d", s.name, s.typ, s.size))
	}
	oracleDiff(t, "symbols vs readelf -s of the image", want, got)
	oracleDiff(t, "symbol types and sizes: the image (readelf -s) vs the object (readelf -s)", wantTS, gotTS)
	var gotNM []string
	nmRe := regexp.MustCompile(`^([0-9a-f]{16}) ([A-Za-z]) (\S+)$`)
	for _, line := range strings.Split(strings.TrimSpace(oracleRun(t, "nm", out.path)), "\n") {
		if strings.HasPrefix(line, " ") {
			continue // undefined: no value
		}
		m := nmRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("nm %s: cannot parse %q", out.path, line)
		}
		cls := "global"
		switch l := m[2]; {
		case strings.Contains("wWvV", l):
			cls = "weak"
		case strings.ToLower(l) == l:
			cls = "local"
		}
		if m[2] == "A" || m[2] == "a" {
			cls += " abs"
		}
		gotNM = append(gotNM, fmt.Sprintf("%s %s %s", m[1], m[3], cls))
	}
	sort.Strings(wantNM)
	sort.Strings(gotNM)
	oracleDiff(t, "symbols vs nm of the image", wantNM, gotNM)

	// The layout: the .golink.layout record, and the program headers, one
	// PT_LOAD per non-empty class (text RX, ro R, ro_after_init R, data RW)
	// ending at the region's last section.
	mem := oracleContents(t, out.path)
	want = []string{
		fmt.Sprintf("core base %#x size %#x text %#x ro %#x ro_after_init %#x", g.core[0], g.core[1], g.core[2], g.core[3], g.core[4]),
		fmt.Sprintf("init base %#x size %#x text %#x ro %#x", g.init[0], g.init[1], g.init[2], g.init[3]),
		fmt.Sprintf("percpu base %#x size %#x", g.percpu[0], g.percpu[1]),
	}
	got = []string{"no .golink.layout section"}
	if ls := out.section(image.LayoutSection); ls != nil {
		rec := oracleBytes(out, ls, ls.size)
		if len(rec) != 96 {
			got = []string{fmt.Sprintf(".golink.layout is %d bytes", len(rec))}
		} else {
			v := func(i int) uint64 { return binary.LittleEndian.Uint64(rec[8*i:]) }
			got = []string{
				fmt.Sprintf("core base %#x size %#x text %#x ro %#x ro_after_init %#x", v(0), v(1), v(2), v(3), v(4)),
				fmt.Sprintf("init base %#x size %#x text %#x ro %#x", v(5), v(6), v(7), v(8)),
				fmt.Sprintf("percpu base %#x size %#x", v(10), v(11)),
			}
		}
	}
	oracleDiff(t, "layout vs the image's .golink.layout", want, got)
	want, got = nil, nil
	for _, r := range []struct {
		b    [5]uint64
		init bool
	}{{g.core, false}, {g.init, true}} {
		var end uint64
		for _, s := range g.sections {
			if s.init == r.init && !copies[s.name] {
				end = max(end, s.addr+s.size-r.b[0])
			}
		}
		roai := r.b[4]
		if r.init {
			roai = r.b[3] // init has no ro_after_init class
		}
		for _, c := range []struct {
			lo, hi uint64
			flags  string
		}{{0, r.b[2], "R E"}, {r.b[2], r.b[3], "R"}, {r.b[3], roai, "R"}, {roai, end, "RW"}} {
			if hi := min(c.hi, end); hi > c.lo {
				want = append(want, fmt.Sprintf("LOAD %#x %#x %s", r.b[0]+c.lo, hi-c.lo, c.flags))
			}
		}
	}
	if g.percpu[1] != 0 {
		want = append(want, fmt.Sprintf("LOAD %#x %#x RW", g.percpu[0], g.percpu[1]))
	}
	loadRe := regexp.MustCompile(`^\s*LOAD\s+0x[0-9a-f]+ 0x([0-9a-f]+) 0x[0-9a-f]+ 0x[0-9a-f]+ 0x([0-9a-f]+) (R?W?E?|R E)\s+0x[0-9a-f]+$`)
	for _, line := range strings.Split(oracleRun(t, "readelf", "-W", "-l", out.path), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "LOAD") {
			continue
		}
		m := loadRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("readelf -l %s: cannot parse %q", out.path, line)
		}
		got = append(got, fmt.Sprintf("LOAD %#x %#x %s", oracleHex(t, m[1]), oracleHex(t, m[2]), m[3]))
	}
	oracleDiff(t, "segments vs readelf -l of the image", want, got)

	// Exports: the address of the symbol, its __ksymtab section, its
	// namespace and CRC read from the image at __kstrtabns_<name> and
	// __crc_<name>.
	values := map[string]uint64{}
	for _, s := range out.symbols {
		values[s.name] = s.value
	}
	want, got = nil, nil
	for _, e := range g.exports {
		want = append(want, fmt.Sprintf("%s %#x gpl=%v ns=%q crc=%s", e.name, e.addr, e.gpl, e.ns, e.crc))
		gpl := false
		for _, s := range in.symbols {
			if s.name == "__ksymtab_"+e.name {
				gpl = in.sectionName(s.ndx) == "__ksymtab_gpl"
			}
		}
		crc := "none"
		if a, ok := values["__crc_"+e.name]; ok {
			if b, ok := oracleAt(mem, a, 4); ok {
				crc = fmt.Sprintf("%#08x", binary.LittleEndian.Uint32(b))
			} else {
				crc = "unreadable"
			}
		}
		ns := ""
		if a, ok := values["__kstrtabns_"+e.name]; ok {
			for ; mem[a] != 0; a++ {
				ns += string(rune(mem[a]))
			}
		}
		got = append(got, fmt.Sprintf("%s %#x gpl=%v ns=%q crc=%s", e.name, values[e.name], gpl, ns, crc))
	}
	oracleDiff(t, "exports vs the image's symbols and __kcrctab", want, got)

	// Relocations: at each place, the bytes in the file, the psABI
	// formula's value from the golden's S, A, P, and in code what objdump
	// decodes.
	addr := map[string]uint64{}
	for _, s := range g.sections {
		addr[s.name] = s.addr
	}
	symval := map[string][]uint64{}
	for _, s := range g.symbols {
		symval[s.name] = append(symval[s.name], s.value)
	}
	code := map[string]bool{}
	for _, s := range out.sections {
		code[s.name] = strings.Contains(s.flags, "X")
	}
	insns := oracleDisasm(t, out.path)
	want, got = nil, nil
	var wantInsn, gotInsn []string
	for _, r := range g.relocs {
		P := addr[r.sect] + r.off
		line := fmt.Sprintf("%s+%#x %s %s%+d", r.sect, r.off, r.typ, r.sym, r.add)
		want = append(want, fmt.Sprintf("%s -> % x", line, r.bytes))
		b, ok := oracleAt(mem, P, uint64(len(r.bytes)))
		if !ok {
			got = append(got, line+" -> not in objdump -s")
		} else {
			got = append(got, fmt.Sprintf("%s -> % x", line, b))
		}
		var S uint64
		switch v := symval[r.sym]; {
		case len(v) == 1:
			S = v[0]
		case len(v) == 0 && addr[r.sym] != 0:
			S = addr[r.sym] // a section symbol
		default:
			t.Errorf("%s: cannot tell S: %d symbols called %s in the golden", line, len(v), r.sym)
			continue
		}
		A := r.add
		field, width, pcrel, err := oracleFormula(r.typ, S, A, P)
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if width != len(r.bytes) {
			t.Errorf("%s: golden lists %d bytes, %s stores %d", line, len(r.bytes), r.typ, width)
			continue
		}
		if fb := binary.LittleEndian.AppendUint64(nil, field)[:width]; !bytes.Equal(fb, r.bytes) {
			t.Errorf("%s: golden bytes % x, but S=%#x A=%d P=%#x gives % x", line, r.bytes, S, A, P, fb)
		}
		if !code[r.sect] {
			continue
		}
		insn := oracleInsnAt(insns, P, uint64(width))
		if insn == nil {
			gotInsn = append(gotInsn, line+": no instruction holds it")
			wantInsn = append(wantInsn, line+": ok")
			continue
		}
		end := insn.addr + uint64(len(insn.bytes))
		var decoded bool
		var expect string
		if pcrel {
			target := S + uint64(A) + (end - P)
			expect = fmt.Sprintf("target %x", target)
			decoded = strings.Contains(insn.text, fmt.Sprintf("# %x ", target)) || strings.Contains(insn.text, fmt.Sprintf(" %x <", target))
		} else {
			v := S + uint64(A)
			expect = fmt.Sprintf("operand %#x", v)
			decoded = strings.Contains(insn.text, fmt.Sprintf("0x%x", v)) || strings.Contains(insn.text, fmt.Sprintf("0x%x", uint32(v))) ||
				(int32(v) < 0 && strings.Contains(insn.text, fmt.Sprintf("-0x%x", -int64(int32(v)))))
		}
		wantInsn = append(wantInsn, line+": ok")
		if decoded {
			gotInsn = append(gotInsn, line+": ok")
		} else {
			gotInsn = append(gotInsn, fmt.Sprintf("%s: %x: %q lacks %s", line, insn.addr, insn.text, expect))
		}
	}
	oracleDiff(t, "relocated bytes vs objdump -s of the image", want, got)
	oracleDiff(t, "relocated instructions vs objdump -d of the image", wantInsn, gotInsn)
}

// oracleFormula is the x86_64 psABI: the field a relocation stores, its
// width, and whether it is PC-relative.
func oracleFormula(typ string, S uint64, A int64, P uint64) (uint64, int, bool, error) {
	switch typ {
	case "R_X86_64_64":
		return S + uint64(A), 8, false, nil
	case "R_X86_64_PC64":
		return S + uint64(A) - P, 8, true, nil
	case "R_X86_64_PC32", "R_X86_64_PLT32":
		v := S + uint64(A) - P
		if int64(v) != int64(int32(v)) {
			return 0, 0, false, fmt.Errorf("S+A-P = %#x does not fit 32 bits signed", v)
		}
		return v, 4, true, nil
	case "R_X86_64_32":
		v := S + uint64(A)
		if v != uint64(uint32(v)) {
			return 0, 0, false, fmt.Errorf("S+A = %#x does not fit 32 bits", v)
		}
		return v, 4, false, nil
	case "R_X86_64_32S":
		v := S + uint64(A)
		if int64(v) != int64(int32(v)) {
			return 0, 0, false, fmt.Errorf("S+A = %#x does not fit 32 bits signed", v)
		}
		return v, 4, false, nil
	case "R_X86_64_NONE":
		return 0, 0, false, nil
	}
	return 0, 0, false, fmt.Errorf("relocation type %s: the oracle test does not know its formula", typ)
}

func oracleInsnAt(insns []oracleInsn, a, n uint64) *oracleInsn {
	for i := range insns {
		in := &insns[i]
		if in.addr <= a && a+n <= in.addr+uint64(len(in.bytes)) {
			return in
		}
	}
	return nil
}

func oracleAt(mem map[uint64]byte, a, n uint64) ([]byte, bool) {
	b := make([]byte, n)
	for i := range b {
		c, ok := mem[a+uint64(i)]
		if !ok {
			return nil, false
		}
		b[i] = c
	}
	return b, true
}

// oracleBytes is an unloaded section's contents, by readelf's offset and size.
func oracleBytes(e *oracleELF, s *oracleSection, n uint64) []byte {
	b, err := os.ReadFile(e.path)
	if err != nil || s.off+n > uint64(len(b)) {
		return nil
	}
	return b[s.off : s.off+n]
}
