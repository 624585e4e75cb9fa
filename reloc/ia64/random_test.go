package ia64_test

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/reloc/ia64"
)

// TestRandomObjects writes random ia64 modules — calls, long branches,
// movl/addl with every operator gas has, data words — assembles them with
// ia64-linux-gnu-as, links them with random placements and PLT forms, and
// checks every relocation with the objdump oracle: evidence that the
// backend holds for objects no fixture anticipated.
func TestRandomObjects(t *testing.T) {
	corpus.Tools(t)
	k := loadKernelMap(t)
	n := 24
	if testing.Short() {
		n = 6
	}
	dir := t.TempDir()
	total := 0
	for seed := 0; seed < n; seed++ {
		r := rand.New(rand.NewSource(int64(seed)))
		src := randomModule(r, seed)
		s := filepath.Join(dir, fmt.Sprintf("r%d.s", seed))
		o := strings.TrimSuffix(s, ".s") + ".o"
		if err := os.WriteFile(s, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("ia64-linux-gnu-as", "-x", "-o", o, s).CombinedOutput(); err != nil {
			t.Fatalf("seed %d: as: %v\n%s", seed, err, out)
		}
		c := linkCfg{name: "random", plt48: r.Intn(2) == 0}
		if r.Intn(2) == 0 {
			c.initOff = 0x8000000
		}
		obj, err := gelf.Open(o)
		if err != nil {
			t.Fatal(err)
		}
		mod, err := golink.NewModule(obj, golink.Config{Arch: ia64.New(k.options(c))})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		p := golink.Placement{Core: coreBase}
		if c.initOff != 0 {
			p.Init = coreBase + c.initOff
		}
		img, err := mod.Link(p, k.table)
		if err != nil {
			t.Fatalf("seed %d (%+v): %v\n%s", seed, c, err, src)
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			total += verifyWithObjdump(t, img, obj, k.gp, c.plt48)
		})
	}
	t.Logf("%d random modules, %d relocations checked against objdump", n, total)
}

var kernelFuncs = []string{"printk", "kmalloc", "kfree", "schedule"}

func randomModule(r *rand.Rand, seed int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\t.include \"%s\"\n\tmodule\tr%d\n", filepath.Join(absFixtureDir(), "module.inc"), seed)
	nf, nv := 2+r.Intn(4), 2+r.Intn(4)
	fn := func(i int) string { return fmt.Sprintf("fn%d", i) }
	ifn := func(i int) string { return fmt.Sprintf("ifn%d", i) }
	anyFunc := func() string {
		switch r.Intn(3) {
		case 0:
			return kernelFuncs[r.Intn(len(kernelFuncs))]
		case 1:
			return ifn(r.Intn(nf))
		}
		return fn(r.Intn(nf))
	}
	localFunc := func() string {
		if r.Intn(2) == 0 {
			return ifn(r.Intn(nf))
		}
		return fn(r.Intn(nf))
	}
	vars := func() string {
		switch r.Intn(4) {
		case 0:
			return "jiffies"
		case 1:
			return fmt.Sprintf("sv%d", r.Intn(nv))
		}
		return fmt.Sprintf("v%d", r.Intn(nv))
	}
	near := func() string { return fmt.Sprintf("sv%d", r.Intn(nv)) } // .sdata: always near gp
	addend := func() string {
		if r.Intn(2) == 0 {
			return ""
		}
		return fmt.Sprintf("+%d", 8*r.Intn(16))
	}
	body := func() {
		for k := 0; k < 6+r.Intn(10); k++ {
			switch r.Intn(10) {
			case 0, 1:
				fmt.Fprintf(&b, "\t{ .mib\n\tnop.m 0\n\tnop.i 0\n\tbr.call.sptk.many b0 = %s ;;\n\t}\n", anyFunc())
			case 2:
				fmt.Fprintf(&b, "\t{ .mlx\n\tnop.m 0\n\tbrl.call.sptk.many b0 = %s ;;\n\t}\n", localFunc())
			case 3:
				ops := []string{"%s", "@gprel(%s)", "@ltoff(%s)", "@pcrel(%s)"}
				fmt.Fprintf(&b, "\t{ .mlx\n\tnop.m 0\n\tmovl r2 = "+ops[r.Intn(len(ops))]+" ;;\n\t}\n", vars()+addend())
			case 4:
				ops := []string{"@fptr(%s)", "@ltoff(@fptr(%s))", "@pltoff(%s)"}
				op := ops[r.Intn(len(ops))]
				f := anyFunc()
				if op == "@pltoff(%s)" {
					f = kernelFuncs[r.Intn(len(kernelFuncs))]
				}
				fmt.Fprintf(&b, "\t{ .mlx\n\tnop.m 0\n\tmovl r3 = "+op+" ;;\n\t}\n", f)
			case 5:
				fmt.Fprintf(&b, "\t{ .mii\n\taddl r14 = @ltoff(%s), gp\n\taddl r15 = @gprel(%s), gp\n\tnop.i 0 ;;\n\t}\n", vars()+addend(), near())
			case 6:
				fmt.Fprintf(&b, "\t{ .mii\n\taddl r16 = @ltoff(@fptr(%s)), gp\n\taddl r17 = small_const%s, r0\n\tnop.i 0 ;;\n\t}\n", anyFunc(), addend())
			case 7:
				v := vars()
				fmt.Fprintf(&b, "\t{ .mmi\n\taddl r2 = @ltoffx(%s), gp ;;\n\tld8.mov r2 = [r2], %s\n\tnop.i 0 ;;\n\t}\n", v, v)
			default:
				fmt.Fprintf(&b, "\t{ .mib\n(p6)\tnop.m 0\n\tnop.i 0\n(p7)\tbr.cond.dptk.many %s ;;\n\t}\n", anyFunc())
			}
		}
		fmt.Fprintf(&b, "\t{ .mib\n\tnop.m 0\n\tnop.i 0\n\tbr.ret.sptk.many b0 ;;\n\t}\n")
	}
	for _, sec := range []struct{ name, f string }{{".text", "fn"}, {".init.text", "ifn"}} {
		fmt.Fprintf(&b, "\t.section %s,\"ax\",@progbits\n", sec.name)
		for i := 0; i < nf; i++ {
			fmt.Fprintf(&b, "\t.global %s%d\n%s%d:\n", sec.f, i, sec.f, i)
			body()
		}
	}
	fmt.Fprintf(&b, "\t.data\n\t.align 16\n")
	for i := 0; i < nv; i++ {
		fmt.Fprintf(&b, "\t.global v%d\nv%d:\n", i, i)
		for k := 0; k < 1+r.Intn(4); k++ {
			ops := []string{"data8 %s", "data8 @gprel(%s)", "data8 @pcrel(%s)", "data8 @segrel(%s)", "data8 @secrel(%s)", "data4 %s", "data4 @pcrel(%s)"}
			fmt.Fprintf(&b, "\t"+ops[r.Intn(len(ops))]+"\n", vars()+addend())
			switch r.Intn(4) {
			case 0:
				fmt.Fprintf(&b, "\t.align 8\n\tdata8 @fptr(%s)\n", anyFunc())
			case 1:
				fmt.Fprintf(&b, "\t.align 8\n\tdata8 @ltoff(@fptr(%s))\n", anyFunc())
			case 2:
				fmt.Fprintf(&b, "\t.align 16\n\tdata16 @iplt(%s)\n", kernelFuncs[r.Intn(len(kernelFuncs))])
			}
			fmt.Fprintf(&b, "\t.align 8\n")
		}
	}
	fmt.Fprintf(&b, "\t.section .sdata,\"aws\",@progbits\n\t.align 8\n")
	for i := 0; i < nv; i++ {
		fmt.Fprintf(&b, "\t.global sv%d\nsv%d:\tdata8 %d, %d\n", i, i, i, 2*i)
	}
	return b.String()
}

func absFixtureDir() string {
	d, err := filepath.Abs(fixtureDir)
	if err != nil {
		panic(err)
	}
	return d
}
