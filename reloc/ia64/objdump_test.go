package ia64_test

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/reloc/ia64"
)

// TestObjdump writes each linked fixture as an image ELF, decodes it with
// ia64-linux-gnu-objdump, and checks every relocation of the object against
// what objdump shows (see oracle). It also cross-checks golink's bundle
// decoder against objdump on every movl, addl and branch of the image.
func TestObjdump(t *testing.T) {
	corpus.Tools(t)
	k := loadKernelMap(t)
	for _, name := range fixtures {
		fx := readFixture(t, name)
		if len(fx.errors) > 0 {
			continue
		}
		for _, c := range fx.links {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				img, obj, err := linkFixture(t, k, name, c)
				if err != nil {
					t.Fatal(err)
				}
				n := verifyWithObjdump(t, img, obj, k.gp, c.plt48)
				t.Logf("%d relocations checked against objdump", n)
			})
		}
	}
}

// verifyWithObjdump writes img, runs objdump on it and checks every
// relocation of obj; it returns how many it checked.
func verifyWithObjdump(t *testing.T, img *image.Image, obj *gelf.File, kgp uint64, plt48 bool) int {
	t.Helper()
	path := filepath.Join(t.TempDir(), img.Name+".elf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := img.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command("ia64-linux-gnu-objdump", "-d", "-w", path).CombinedOutput()
	if err != nil {
		t.Fatalf("objdump: %v\n%s", err, out)
	}
	ef, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	o, err := newOracle(ef, obj, img, kgp, plt48, parseObjdump(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	o.crossCheckDecoder(t)
	return o.checkAll(t)
}

// oracle checks a linked image against the relocations of its object, from
// the image file and objdump's reading of it alone: section addresses from
// the image's section headers, symbol values from its symbol table, memory
// from its contents, instructions from objdump.
type oracle struct {
	ef         *elf.File
	obj        *gelf.File
	dump       map[uint64]dumpInsn
	secAddr    []uint64 // object section index → image address (0: not loaded)
	syms       []gelf.Symbol
	imageSyms  map[string]uint64
	gp, kgp    uint64
	core, init [2]uint64
	plt48      bool
}

func newOracle(ef *elf.File, obj *gelf.File, img *image.Image, kgp uint64, plt48 bool, dump map[uint64]dumpInsn) (*oracle, error) {
	o := &oracle{ef: ef, obj: obj, dump: dump, kgp: kgp, plt48: plt48, imageSyms: map[string]uint64{}}
	o.core = [2]uint64{img.Core.Base, img.Core.Size}
	o.init = [2]uint64{img.Init.Base, img.Init.Size}
	// Loaded sections appear in the image in object order, under their names.
	next := map[string]int{}
	o.secAddr = make([]uint64, len(obj.Sections))
	for i := 1; i < len(obj.Sections); i++ {
		name := obj.Sections[i].Name
		k := 0
		for _, s := range ef.Sections {
			if s.Name != name || s.Flags&elf.SHF_ALLOC == 0 {
				continue
			}
			if k == next[name] {
				o.secAddr[i] = s.Addr
				next[name]++
				break
			}
			k++
		}
	}
	syms, err := ef.Symbols()
	if err != nil {
		return nil, err
	}
	for _, s := range syms {
		if s.Section == elf.SHN_ABS && elf.ST_BIND(s.Info) != elf.STB_LOCAL {
			o.imageSyms[s.Name] = s.Value
		}
	}
	gp, ok := o.imageSyms["__gp"]
	if !ok {
		return nil, fmt.Errorf("image has no __gp")
	}
	o.gp = gp
	if o.syms, err = obj.Symbols(obj.Symtab); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *oracle) internal(a uint64) bool {
	return a-o.core[0] < o.core[1] || a-o.init[0] < o.init[1]
}

// mem reads n bytes of the image at addr.
func (o *oracle) mem(addr uint64, n int) ([]byte, error) {
	for _, s := range o.ef.Sections {
		if s.Flags&elf.SHF_ALLOC == 0 || s.Type == elf.SHT_NOBITS || addr-s.Addr >= s.Size || addr-s.Addr+uint64(n) > s.Size {
			continue
		}
		b := make([]byte, n)
		if _, err := s.ReadAt(b, int64(addr-s.Addr)); err != nil {
			return nil, err
		}
		return b, nil
	}
	return nil, fmt.Errorf("%#x is not in the image", addr)
}

func (o *oracle) u64(addr uint64) (uint64, error) {
	b, err := o.mem(addr, 8)
	if err != nil {
		return 0, err
	}
	return le64(b), nil
}

func (o *oracle) inSection(addr uint64, names ...string) bool {
	for _, s := range o.ef.Sections {
		for _, n := range names {
			if s.Name == n && addr-s.Addr < s.Size {
				return true
			}
		}
	}
	return false
}

// symValue is S: a defined symbol's image section address plus its value,
// an undefined one's value in the image's symbol table.
func (o *oracle) symValue(i uint32) (uint64, string, error) {
	s := &o.syms[i]
	name := s.Name
	switch {
	case s.Shndx == elf.SHN_UNDEF:
		v, ok := o.imageSyms[name]
		if !ok {
			return 0, name, fmt.Errorf("undefined %s is not in the image", name)
		}
		return v, name, nil
	case s.Shndx == elf.SHN_ABS:
		return s.Value, name, nil
	case int(s.Shndx) < len(o.secAddr):
		if s.Type() == elf.STT_SECTION {
			name = o.obj.Sections[s.Shndx].Name
		}
		return o.secAddr[s.Shndx] + s.Value, name, nil
	}
	return 0, name, fmt.Errorf("symbol %s in section %d", name, s.Shndx)
}

// checkDesc: d is the function descriptor of f — made in .opd for a module
// function ({f, gp}), f itself for a descriptor from outside.
func (o *oracle) checkDesc(d, f uint64) error {
	if !o.internal(f) {
		if d != f {
			return fmt.Errorf("descriptor %#x, want the outside descriptor %#x itself", d, f)
		}
		return nil
	}
	if !o.inSection(d, ".opd") {
		return fmt.Errorf("descriptor %#x of %#x is not in .opd", d, f)
	}
	ip, err1 := o.u64(d)
	gp, err2 := o.u64(d + 8)
	if err1 != nil || err2 != nil || ip != f || gp != o.gp {
		return fmt.Errorf("descriptor at %#x holds {%#x, %#x}, want {%#x, %#x}", d, ip, gp, f, o.gp)
	}
	return nil
}

// checkStub: objdump shows the PLT stub at a loading the descriptor desc's
// entry point and gp.
func (o *oracle) checkStub(a, desc uint64) error {
	if !o.inSection(a, ".core.plt", ".init.plt") {
		return fmt.Errorf("%#x is not in a PLT", a)
	}
	wantIP, err1 := o.u64(desc)
	wantGP, err2 := o.u64(desc + 8)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("descriptor %#x unreadable", desc)
	}
	var ip, gp uint64
	var ok1, ok2 bool
	if o.plt48 {
		d0, d1 := o.dump[a+2], o.dump[a+16+2]
		if g := reMovl.FindStringSubmatch(d0.text); g != nil && g[1] == "16" {
			ip, ok1 = d0.movl()
		}
		if g := reMovl.FindStringSubmatch(d1.text); g != nil && g[1] == "1" {
			gp, ok2 = d1.movl()
		}
		if t := o.dump[a+32+2].text; t != "br.few b6" {
			return fmt.Errorf("stub at %#x ends with %q", a, t)
		}
	} else {
		d0 := o.dump[a+2]
		if g := reMovl.FindStringSubmatch(d0.text); g != nil && g[1] == "1" {
			gp, ok2 = d0.movl()
		}
		ip, ok1 = o.dump[a+16+2].branchTarget()
	}
	if !ok1 || !ok2 {
		return fmt.Errorf("objdump does not show a PLT stub at %#x", a)
	}
	if ip != wantIP || gp != wantGP {
		return fmt.Errorf("stub at %#x goes to %#x with gp %#x, want %#x with gp %#x", a, ip, gp, wantIP, wantGP)
	}
	return nil
}

// checkAll checks every relocation whose target section is loaded.
func (o *oracle) checkAll(t *testing.T) int {
	t.Helper()
	n := 0
	for i := range o.obj.Sections {
		rs := &o.obj.Sections[i]
		if rs.Type != elf.SHT_RELA || o.secAddr[rs.Info] == 0 {
			continue
		}
		rels, err := o.obj.Relas(i, len(o.syms))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rels {
			S, name, err := o.symValue(r.Sym())
			where := fmt.Sprintf("%s+%#x %v against %s", o.obj.Sections[rs.Info].Name, r.Off, ia64.R_IA64(r.Type()), name)
			if err == nil {
				err = o.check(ia64.R_IA64(r.Type()), o.secAddr[rs.Info], o.secAddr[rs.Info]+r.Off, S, r.Addend)
			}
			if err != nil {
				t.Errorf("%s: %v", where, err)
			}
			n++
		}
	}
	return n
}

func (o *oracle) check(typ ia64.R_IA64, sec, P, S uint64, A int64) error {
	v := S + uint64(A)
	bundle := P &^ 15
	insn := o.dump[P]
	want := func(got, w uint64, what string) error {
		if got != w {
			return fmt.Errorf("%s: image has %#x, want %#x (objdump: %q)", what, got, w, insn.text)
		}
		return nil
	}
	data := func(n int) (uint64, error) {
		if o.inSection(P, ".IA_64.unwind") {
			return o.unwindField(P, n, v)
		}
		b, err := o.mem(P, n)
		if err != nil {
			return 0, err
		}
		if n == 4 {
			return uint64(le32(b)), nil
		}
		return le64(b), nil
	}
	imm := func() (uint64, error) {
		if x, ok := insn.movl(); ok {
			return x, nil
		}
		if x, ok := insn.addl(); ok {
			return uint64(x), nil
		}
		return 0, fmt.Errorf("objdump shows %q, not a movl or addl", insn.text)
	}
	switch typ {
	case ia64.R_IA64_DIR32LSB, ia64.R_IA64_SEGREL32LSB:
		x, err := data(4)
		return errOr(err, func() error { return want(x, uint64(uint32(v)), "S+A") })
	case ia64.R_IA64_DIR64LSB, ia64.R_IA64_SEGREL64LSB:
		x, err := data(8)
		return errOr(err, func() error { return want(x, v, "S+A") })
	case ia64.R_IA64_GPREL32LSB, ia64.R_IA64_GPREL64LSB, ia64.R_IA64_PCREL32LSB, ia64.R_IA64_PCREL64LSB,
		ia64.R_IA64_SECREL32LSB, ia64.R_IA64_SECREL64LSB, ia64.R_IA64_REL32LSB, ia64.R_IA64_REL64LSB:
		n := 8
		if typ&7 == 5 {
			n = 4
		}
		x, err := data(n)
		if err != nil {
			return err
		}
		var w uint64
		switch typ {
		case ia64.R_IA64_GPREL32LSB, ia64.R_IA64_GPREL64LSB:
			w = v - o.gp
		case ia64.R_IA64_PCREL32LSB, ia64.R_IA64_PCREL64LSB:
			w = v - P
		case ia64.R_IA64_SECREL32LSB, ia64.R_IA64_SECREL64LSB:
			w = v - sec
		default:
			w = v - o.core[0]
			if v-o.init[0] < o.init[1] {
				w = v - o.init[0]
			}
		}
		if n == 4 {
			w = uint64(uint32(w))
		}
		return want(x, w, typ.String())
	case ia64.R_IA64_FPTR32LSB:
		x, err := data(4)
		if err != nil {
			return err
		}
		return want(x, uint64(uint32(x)), "fdesc(S+A)") // truncated address: check the 64-bit ones
	case ia64.R_IA64_FPTR64LSB:
		x, err := data(8)
		return errOr(err, func() error { return o.checkDesc(x, v) })
	case ia64.R_IA64_FPTR64I:
		x, err := imm()
		return errOr(err, func() error { return o.checkDesc(x, v) })
	case ia64.R_IA64_LTOFF_FPTR22, ia64.R_IA64_LTOFF_FPTR64I, ia64.R_IA64_LTOFF_FPTR64LSB, ia64.R_IA64_LTOFF_FPTR32LSB:
		var x uint64
		var err error
		switch typ {
		case ia64.R_IA64_LTOFF_FPTR64LSB:
			x, err = data(8)
		case ia64.R_IA64_LTOFF_FPTR32LSB:
			x, err = data(4)
			x = uint64(int64(int32(x)))
		default:
			x, err = imm()
		}
		if err != nil {
			return err
		}
		if !o.inSection(o.gp+x, ".got") {
			return fmt.Errorf("gp%+d is not in .got (objdump: %q)", int64(x), insn.text)
		}
		d, err := o.u64(o.gp + x)
		return errOr(err, func() error { return o.checkDesc(d, v) })
	case ia64.R_IA64_LTOFF22, ia64.R_IA64_LTOFF64I, ia64.R_IA64_LTOFF22X:
		x, err := imm()
		if err != nil {
			return err
		}
		if typ == ia64.R_IA64_LTOFF22X && o.gp+x == v {
			return nil // relaxed: gp-relative address of the symbol itself
		}
		if !o.inSection(o.gp+x, ".got") {
			return fmt.Errorf("gp%+d is not in .got (objdump: %q)", int64(x), insn.text)
		}
		g, err := o.u64(o.gp + x)
		return errOr(err, func() error { return want(g, v, "GOT slot") })
	case ia64.R_IA64_LDXMOV:
		relax := v-o.gp+1<<21 < 1<<22
		if relax != strings.HasPrefix(insn.text, "add ") || relax == strings.HasPrefix(insn.text, "ld8") {
			return fmt.Errorf("gp-addressable %v, objdump shows %q", relax, insn.text)
		}
		if relax && !regexp.MustCompile(`^add r\d+=r0,r\d+$`).MatchString(insn.text) {
			return fmt.Errorf("relaxed ld8 reads %q", insn.text)
		}
		return nil
	case ia64.R_IA64_IMM22, ia64.R_IA64_IMM64, ia64.R_IA64_GPREL22, ia64.R_IA64_GPREL64I,
		ia64.R_IA64_PCREL22, ia64.R_IA64_PCREL64I, ia64.R_IA64_SUB:
		x, err := imm()
		if err != nil {
			return err
		}
		var w uint64
		switch typ {
		case ia64.R_IA64_IMM22, ia64.R_IA64_IMM64:
			w = v
		case ia64.R_IA64_GPREL22, ia64.R_IA64_GPREL64I:
			w = v - o.gp
		case ia64.R_IA64_PCREL22, ia64.R_IA64_PCREL64I:
			w = v - bundle
		case ia64.R_IA64_SUB:
			w = uint64(A) - S
		}
		return want(x, w, typ.String())
	case ia64.R_IA64_PLTOFF22, ia64.R_IA64_PLTOFF64I, ia64.R_IA64_PLTOFF64LSB:
		var x uint64
		var err error
		if typ == ia64.R_IA64_PLTOFF64LSB {
			x, err = data(8)
		} else {
			x, err = imm()
		}
		return errOr(err, func() error { return o.checkStub(x, v) })
	case ia64.R_IA64_IPLTLSB:
		d, err := data(8)
		if err != nil {
			return err
		}
		stub, err := o.u64(d)
		if err != nil {
			return err
		}
		if err := o.checkDesc(d, stub); err != nil {
			return err
		}
		return o.checkStub(stub, v)
	case ia64.R_IA64_PCREL21B, ia64.R_IA64_PCREL60B, ia64.R_IA64_PCREL21BI:
		tgt, ok := insn.branchTarget()
		if !ok {
			return fmt.Errorf("objdump shows %q, not a branch", insn.text)
		}
		if tgt == v && (o.internal(v) || typ != ia64.R_IA64_PCREL21B) {
			return nil
		}
		if typ != ia64.R_IA64_PCREL21B {
			return want(tgt, v, "branch target")
		}
		if o.internal(v) {
			// A call between init and core that does not reach: a stub
			// for the descriptor of the target.
			d, err := o.fdescOf(v)
			if err != nil {
				return err
			}
			return o.checkStub(tgt, d)
		}
		return o.checkStub(tgt, v)
	}
	return fmt.Errorf("no oracle for %v", typ)
}

// unwindField: the loader sorts .IA_64.unwind after relocating it, so a
// relocated field is wherever its entry went. It returns want if some
// entry holds it at the same field offset and the table is sorted by
// start address.
func (o *oracle) unwindField(P uint64, n int, want uint64) (uint64, error) {
	s := o.ef.Section(".IA_64.unwind")
	b, err := s.Data()
	if err != nil {
		return 0, err
	}
	field := (P - s.Addr) % 24
	found := false
	for k := 0; k+24 <= len(b); k += 24 {
		if k > 0 && le64(b[k:]) < le64(b[k-24:]) {
			return 0, fmt.Errorf(".IA_64.unwind is not sorted at entry %d", k/24)
		}
		if le64(b[k+int(field):]) == want {
			found = true
		}
	}
	if !found {
		return 0, fmt.Errorf("no unwind entry holds %#x at field offset %d", want, field)
	}
	return want, nil
}

// fdescOf finds the .opd descriptor the module made for entry point f.
func (o *oracle) fdescOf(f uint64) (uint64, error) {
	s := o.ef.Section(".opd")
	if s == nil {
		return 0, fmt.Errorf("no .opd")
	}
	b, err := s.Data()
	if err != nil {
		return 0, err
	}
	for k := 0; k+16 <= len(b); k += 16 {
		if le64(b[k:]) == f {
			return s.Addr + uint64(k), nil
		}
	}
	return 0, fmt.Errorf("no descriptor for %#x in .opd", f)
}

func errOr(err error, f func() error) error {
	if err != nil {
		return err
	}
	return f()
}

// crossCheckDecoder compares golink's decoder with objdump on every movl,
// addl and IP-relative branch of the image.
func (o *oracle) crossCheckDecoder(t *testing.T) {
	t.Helper()
	n := 0
	for a, d := range o.dump {
		slot := int(a & 15)
		raw, err := o.mem(a&^15, 16)
		if err != nil {
			continue
		}
		b := ia64.LoadBundle(raw)
		if x, ok := d.movl(); ok && slot == 2 {
			n++
			if got := ia64.DecodeImm64(b); got != x {
				t.Errorf("%#x: DecodeImm64 = %#x, objdump %q", a, got, d.text)
			}
		}
		if x, ok := d.addl(); ok {
			n++
			if got := ia64.DecodeImm22(b.Slot(slot)); got != x {
				t.Errorf("%#x: DecodeImm22 = %d, objdump %q", a, got, d.text)
			}
		}
		if x, ok := d.branchTarget(); ok && !(strings.HasPrefix(d.text, "brl") && slot == 1) {
			n++
			if got, ok := ia64.BranchTarget(b, a&^15, slot); !ok || got != x {
				t.Errorf("%#x: BranchTarget = %#x (%v), objdump %q", a, got, ok, d.text)
			}
		}
	}
	if n == 0 {
		t.Errorf("no instruction to cross-check")
	}
}

var _ = bytes.Equal
