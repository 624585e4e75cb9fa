package params

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testMem is module memory at base, plus a kmalloc heap at heapBase.
type testMem struct {
	base, heapBase uint64
	data, heap     []byte
}

const (
	memBase  = 0xffffffffa0000000
	heapBase = 0xffff888000000000
)

func newTestMem() *testMem {
	return &testMem{base: memBase, heapBase: heapBase, data: make([]byte, 4096)}
}

func (m *testMem) span(addr uint64, n int) ([]byte, error) {
	for _, r := range []struct {
		base uint64
		b    []byte
	}{{m.base, m.data}, {m.heapBase, m.heap}} {
		if addr >= r.base && addr-r.base <= uint64(len(r.b)) && uint64(n) <= uint64(len(r.b))-(addr-r.base) {
			return r.b[addr-r.base : addr-r.base+uint64(n)], nil
		}
	}
	return nil, fmt.Errorf("%#x+%d is not mapped", addr, n)
}

func (m *testMem) ReadAt(p []byte, addr uint64) error {
	s, err := m.span(addr, len(p))
	if err == nil {
		copy(p, s)
	}
	return err
}

func (m *testMem) WriteAt(p []byte, addr uint64) error {
	s, err := m.span(addr, len(p))
	if err == nil {
		copy(s, p)
	}
	return err
}

func (m *testMem) Kmalloc(n int) (uint64, error) {
	addr := m.heapBase + uint64(len(m.heap))
	m.heap = append(m.heap, make([]byte, (n+7)&^7)...)
	return addr, nil
}

// Variables of the test module, at these offsets of its memory.
func testParams() []Param {
	at := func(off uint64) Ref { return Ref{Addr: memBase + off} }
	scalar := func(name string, k Kind, off uint64) Param {
		p := Param{Name: name, Kind: k, Ops: k.OpsSymbol(), Var: at(off), Arg: at(off), InParamTable: true, Perm: 0o644, Level: -1}
		if k.noarg() {
			p.OpsFlags = KERNEL_PARAM_OPS_FL_NOARG
		}
		return p
	}
	ps := []Param{
		scalar("b", Byte, 0x00),
		scalar("s", Short, 0x08),
		scalar("us", Ushort, 0x10),
		scalar("i", Int, 0x18),
		scalar("ui", Uint, 0x20),
		scalar("l", Long, 0x28),
		scalar("ul", Ulong, 0x30),
		scalar("ull", Ullong, 0x38),
		scalar("hex", Hexint, 0x40),
		scalar("cp", Charp, 0x48),
		scalar("bo", Bool, 0x50),
		scalar("beo", BoolEnableOnly, 0x51),
		scalar("ib", Invbool, 0x52),
		scalar("bi", Bint, 0x58),
		scalar("dash_name", Int, 0x60),
	}
	str := scalar("str", String, 0x100)
	str.Ops, str.MaxLen = OpsString, 8
	arr := scalar("arr", Int, 0x200)
	arr.Ops, arr.Array, arr.Max, arr.ElemSize, arr.Num, arr.ElemOps = OpsArray, true, 3, 4, at(0x1f0), "param_ops_int"
	arr.OpsFlags = 0
	carr := scalar("carr", Charp, 0x300)
	carr.Ops, carr.Array, carr.Max, carr.ElemSize, carr.Num, carr.ElemOps = OpsArray, true, 2, 8, Ref{Null: true}, "param_ops_charp"
	barr := scalar("barr", Bool, 0x340)
	barr.Ops, barr.Array, barr.Max, barr.ElemSize, barr.Num, barr.ElemOps = OpsArray, true, 4, 1, at(0x338), "param_ops_bool"
	barr.OpsFlags = 0
	unsafe := scalar("danger", Int, 0x400)
	unsafe.Flags = KERNEL_PARAM_FL_UNSAFE
	hw := scalar("irq", Int, 0x408)
	hw.Flags = KERNEL_PARAM_FL_HWPARAM
	custom := Param{Name: "cb", Kind: Custom, Ops: "cb_ops", Set: "cb_set", Var: at(0x410), Arg: at(0x410), InParamTable: true}
	customNoarg := custom
	customNoarg.Name, customNoarg.OpsFlags = "cbn", KERNEL_PARAM_OPS_FL_NOARG
	onlyModinfo := Param{Name: "ghost", ModinfoType: "int", HasModinfoType: true}
	return append(ps, str, arr, carr, barr, unsafe, hw, custom, customNoarg, onlyModinfo)
}

func (m *testMem) bytes(off, n int) []byte { return m.data[off : off+n] }

// TestApply checks parse_args and each standard set function against the
// kernel's rules: the bytes stored, the messages, the errors.
func TestApply(t *testing.T) {
	le64 := func(v uint64, n int) []byte { return putUint(v, n) }
	type check struct {
		off  int
		want []byte
	}
	tests := []struct {
		name   string
		args   string
		cfg    Config
		checks []check
		log    []string
		errno  syscall.Errno
	}{
		{name: "byte", args: "b=255", checks: []check{{0, []byte{255}}}},
		{name: "byte range", args: "b=256", log: []string{"m: `256' invalid for parameter `b'"}, errno: syscall.ERANGE},
		{name: "short", args: "s=-32768", checks: []check{{8, le64(0x8000, 2)}}},
		{name: "ushort hex", args: "us=0xffff", checks: []check{{0x10, le64(0xffff, 2)}}},
		{name: "int octal", args: "i=-010", checks: []check{{0x18, le64(0xfffffff8, 4)}}},
		{name: "int trailing newline", args: "i=\"7\n\"", checks: []check{{0x18, le64(7, 4)}}},
		{name: "int junk", args: "i=7x", log: []string{"m: `7x' invalid for parameter `i'"}, errno: syscall.EINVAL},
		{name: "int empty", args: "i=", log: []string{"m: `' invalid for parameter `i'"}, errno: syscall.EINVAL},
		{name: "int bare", args: "i", log: []string{"m: `' invalid for parameter `i'"}, errno: syscall.EINVAL},
		{name: "uint", args: "ui=4294967295", checks: []check{{0x20, le64(0xffffffff, 4)}}},
		{name: "uint negative", args: "ui=-1", log: []string{"m: `-1' invalid for parameter `ui'"}, errno: syscall.EINVAL},
		{name: "long", args: "l=-9223372036854775808", checks: []check{{0x28, le64(1<<63, 8)}}},
		{name: "ulong", args: "ul=18446744073709551615", checks: []check{{0x30, le64(1<<64-1, 8)}}},
		{name: "ullong", args: "ull=+0x10", checks: []check{{0x38, le64(16, 8)}}},
		{name: "hexint needs 0x", args: "hex=10", checks: []check{{0x40, le64(10, 4)}}},
		{name: "hexint", args: "hex=0x10", checks: []check{{0x40, le64(16, 4)}}},
		{name: "bool bare", args: "bo", checks: []check{{0x50, []byte{1}}}},
		{name: "bool n", args: "bo=no", checks: []check{{0x50, []byte{0}}}},
		{name: "bool bad", args: "bo=maybe", log: []string{"m: `maybe' invalid for parameter `bo'"}, errno: syscall.EINVAL},
		{name: "bool empty", args: "bo=", log: []string{"m: `' invalid for parameter `bo'"}, errno: syscall.EINVAL},
		{name: "bool_enable_only on", args: "beo=1", checks: []check{{0x51, []byte{1}}}},
		{name: "bool_enable_only on then off", args: "beo=1 beo=0", checks: []check{{0x51, []byte{1}}},
			log: []string{"m: `0' invalid for parameter `beo'"}, errno: syscall.EROFS},
		{name: "bool_enable_only off when off", args: "beo=0", checks: []check{{0x51, []byte{0}}}},
		{name: "invbool", args: "ib=y", checks: []check{{0x52, []byte{0}}}},
		{name: "invbool false", args: "ib=n", checks: []check{{0x52, []byte{1}}}},
		{name: "invbool bare is refused", args: "ib", log: []string{"m: `' invalid for parameter `ib'"}, errno: syscall.EINVAL},
		{name: "bint bare", args: "bi", checks: []check{{0x58, le64(1, 4)}}},
		{name: "bint", args: "bi=off", checks: []check{{0x58, le64(0, 4)}}},
		{name: "dash and underscore", args: "dash-name=3", checks: []check{{0x60, le64(3, 4)}}},
		{name: "string", args: `str="a b"`, checks: []check{{0x100, []byte("a b\x00")}}},
		{name: "string fits exactly", args: "str=1234567", checks: []check{{0x100, []byte("1234567\x00")}}},
		{name: "string too long", args: "str=12345678",
			log: []string{"str: string doesn't fit in 7 chars.", "m: `12345678' too large for parameter `str'"}, errno: syscall.ENOSPC},
		{name: "string bare", args: "str", log: []string{"m: `' invalid for parameter `str'"}, errno: syscall.EINVAL},
		{name: "array", args: "arr=1,-2,0x3", checks: []check{{0x200, []byte{1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 3, 0, 0, 0}}, {0x1f0, le64(3, 4)}}},
		{name: "array one", args: "arr=5", checks: []check{{0x200, le64(5, 4)}, {0x1f0, le64(1, 4)}}},
		{name: "array too long: the message shows the value cut at its first comma", args: "arr=1,2,3,4",
			checks: []check{{0x200, []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}}, {0x1f0, le64(3, 4)}},
			log:    []string{"arr: can only take 3 arguments", "m: `1' invalid for parameter `arr'"}, errno: syscall.EINVAL},
		{name: "array bad element prints the edited value", args: "arr=1,x,3",
			checks: []check{{0x200, le64(1, 4)}, {0x1f0, le64(1, 4)}},
			log:    []string{"m: `1' invalid for parameter `arr'"}, errno: syscall.EINVAL},
		{name: "array empty element", args: "arr=1,,3", log: []string{"m: `1' invalid for parameter `arr'"}, errno: syscall.EINVAL,
			checks: []check{{0x1f0, le64(1, 4)}}},
		{name: "array empty", args: "arr=", log: []string{"m: `' invalid for parameter `arr'"}, errno: syscall.EINVAL,
			checks: []check{{0x1f0, le64(0, 4)}}},
		{name: "array bare", args: "arr", log: []string{"m: `' invalid for parameter `arr'"}, errno: syscall.EINVAL},
		{name: "array of bool needs values", args: "barr=1,,y", log: []string{"m: `1' invalid for parameter `barr'"}, errno: syscall.EINVAL,
			checks: []check{{0x340, []byte{1}}, {0x338, le64(1, 4)}}},
		{name: "array of bool", args: "barr=y,n,on,off", checks: []check{{0x340, []byte{1, 0, 1, 0}}, {0x338, le64(4, 4)}}},
		{name: "charp too long", args: "cp=" + strings.Repeat("x", 1025),
			log: []string{"cp: string parameter too long", "m: `" + strings.Repeat("x", 1025) + "' too large for parameter `cp'"}, errno: syscall.ENOSPC},
		{name: "charp at the limit", args: "cp=" + strings.Repeat("x", 1024)},
		{name: "charp array too long", args: "carr=a,b,c", log: []string{"carr: can only take 2 arguments", "m: `a' invalid for parameter `carr'"}, errno: syscall.EINVAL},
		{name: "unknown", args: "nope=1", log: []string{"m: unknown parameter 'nope' ignored"}},
		{name: "unknown without the module callback", args: "nope=1 i=2", cfg: Config{NoUnknownCallback: true},
			checks: []check{{0x18, le64(2, 4)}}, log: []string{"m: Unknown parameter `nope'"}, errno: syscall.ENOENT},
		{name: "unknown prefixed is cut at the dot", args: "foo.bar=1", log: []string{"m: unknown parameter 'foo' ignored"}},
		{name: "only in modinfo is unknown", args: "ghost=1", log: []string{"m: unknown parameter 'ghost' ignored"}},
		{name: "dyndbg", args: "dyndbg=+p m.dyndbg"},
		{name: "dyndbg without dynamic debug", args: "dyndbg=+p", cfg: Config{NoDynamicDebug: true},
			log: []string{"dyndbg param is supported only in CONFIG_DYNAMIC_DEBUG builds"}},
		{name: "async_probe", args: "async_probe"},
		{name: "errors go on, the last decides", args: "i=x b=1 ui=-1",
			checks: []check{{0, []byte{1}}},
			log:    []string{"m: `x' invalid for parameter `i'", "m: `-1' invalid for parameter `ui'"}, errno: syscall.EINVAL},
		{name: "last error wins", args: "str=123456789 i=x", log: []string{"str: string doesn't fit in 7 chars.",
			"m: `123456789' too large for parameter `str'", "m: `x' invalid for parameter `i'"}, errno: syscall.EINVAL},
		{name: "dashes", args: "i=1 -- i=2 x", checks: []check{{0x18, le64(1, 4)}}, log: []string{"m: parameters 'i=2 x' after `--' ignored"}},
		{name: "dashes at the end warn too", args: "i=1 --", log: []string{"m: parameters '' after `--' ignored"}},
		{name: "dashes after an error are silent", args: "i=x -- i=2", log: []string{"m: `x' invalid for parameter `i'"}, errno: syscall.EINVAL},
		{name: "unsafe taints", args: "danger=1", checks: []check{{0x400, le64(1, 4)}}, log: []string{"Setting dangerous option danger - tainting kernel"}},
		{name: "hw param", args: "irq=5", checks: []check{{0x408, le64(5, 4)}}},
		{name: "hw param locked down", args: "irq=5", cfg: Config{Lockdown: true}, log: []string{"m: `5' invalid for parameter `irq'"}, errno: syscall.EPERM},
		{name: "custom bare without NOARG", args: "cb", log: []string{"m: `' invalid for parameter `cb'"}, errno: syscall.EINVAL},
		{name: "custom not applied", args: "cb=1 cbn"},
		{name: "repeated: the last value stays", args: "i=1 i=2", checks: []check{{0x18, le64(2, 4)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := newTestMem()
			ps := testParams()
			r, err := Apply("m", tt.args, ps, mem, mem, &tt.cfg)
			if err != nil {
				t.Fatalf("Apply(%q): %v", tt.args, err)
			}
			for _, c := range tt.checks {
				if got := mem.bytes(c.off, len(c.want)); !cmp.Equal(got, c.want) {
					t.Errorf("Apply(%q): memory +%#x = % x, want % x", tt.args, c.off, got, c.want)
				}
			}
			if diff := cmp.Diff(tt.log, r.Log); diff != "" {
				t.Errorf("Apply(%q) log (-want +got):\n%s", tt.args, diff)
			}
			if r.Errno() != tt.errno {
				t.Errorf("Apply(%q) errno = %v, want %v", tt.args, r.Errno(), tt.errno)
			}
			if (r.Err() == nil) != (tt.errno == 0) {
				t.Errorf("Apply(%q) Err() = %v", tt.args, r.Err())
			}
		})
	}
}

func TestApplyDetails(t *testing.T) {
	mem := newTestMem()
	ps := testParams()
	r, err := Apply("m", `cp="hello world" carr=x,yz async_probe=0 cb=7 cbn danger=0`, ps, mem, mem, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.AsyncProbe {
		t.Errorf("async_probe=0 requested async probing")
	}
	if !r.Tainted {
		t.Errorf("setting an unsafe parameter did not taint")
	}
	var got []string
	for _, na := range r.NotApplied {
		got = append(got, fmt.Sprintf("%s=%q bare=%v", na.Param.Name, na.Value, na.Bare))
	}
	if diff := cmp.Diff([]string{`cb="7" bare=false`, `cbn="" bare=true`}, got); diff != "" {
		t.Errorf("NotApplied (-want +got):\n%s", diff)
	}
	if r.NotApplied[0].Reason != "custom ops cb_ops (set cb_set)" {
		t.Errorf("NotApplied reason %q", r.NotApplied[0].Reason)
	}
	for _, want := range []struct{ name, value string }{{"cp", "hello world"}, {"carr", "x,yz"}, {"b", "0"}, {"danger", "0"}} {
		var p *Param
		for i := range ps {
			if ps[i].Name == want.name {
				p = &ps[i]
			}
		}
		v, err := Get(p, mem)
		if err != nil || v != want.value {
			t.Errorf("Get(%s) = %q, %v; want %q", want.name, v, err, want.value)
		}
	}
	if len(r.Applied) != 3 {
		t.Fatalf("Applied %d, want 3", len(r.Applied))
	}
	// cp: a copy of the string in kmalloc'ed memory, the pointer stored.
	a := r.Applied[0]
	if len(a.Strings) != 1 || len(a.Writes) != 2 || a.Writes[1] != (Write{memBase + 0x48, 8}) || a.Writes[0] != (Write{a.Strings[0], 12}) {
		t.Errorf("cp writes %+v strings %#x", a.Writes, a.Strings)
	}

	// Async probe: bare or invalid means yes.
	for _, args := range []string{"async_probe", "async_probe=maybe", "async_probe=1"} {
		r, _ := Apply("m", args, ps, mem, mem, nil)
		if !r.AsyncProbe {
			t.Errorf("%s: async probing not requested", args)
		}
	}

	// A custom hook runs instead.
	var seen []string
	cfg := &Config{Custom: func(p *Param, v *string) error {
		if v == nil {
			seen = append(seen, p.Name)
			return nil
		}
		seen = append(seen, p.Name+"="+*v)
		return syscall.EINVAL
	}}
	r, _ = Apply("m", "cb=7 cbn", ps, mem, mem, cfg)
	if diff := cmp.Diff([]string{"cb=7", "cbn"}, seen); diff != "" {
		t.Errorf("custom hook calls (-want +got):\n%s", diff)
	}
	if r.Errno() != syscall.EINVAL || len(r.NotApplied) != 0 {
		t.Errorf("custom hook error: errno %v, not applied %d", r.Errno(), len(r.NotApplied))
	}

	// No allocator for charp, memory that is not there: golink's
	// limits, not the kernel's errors; parsing goes on.
	bad := testParams()
	bad[3].Var.Addr = 0x1000
	r, err = Apply("m", "cp=x i=1 b=2", bad, mem, nil, nil)
	if err != nil || r.Err() != nil || len(r.Applied) != 1 || len(r.NotApplied) != 2 {
		t.Fatalf("Apply with faults: %v, %v, applied %d, not applied %+v", err, r.Err(), len(r.Applied), r.NotApplied)
	}
	for i, want := range []string{"parameter cp: memory at 0xffffffffa0000048: charp parameter needs an allocator for its copy",
		"parameter i: memory at 0x1000: 0x1000+4 is not mapped"} {
		if got := r.NotApplied[i].Reason; got != want {
			t.Errorf("NotApplied[%d].Reason = %q, want %q", i, got, want)
		}
	}
}

func TestGet(t *testing.T) {
	mem := newTestMem()
	ps := testParams()
	if _, err := Apply("m", "b=7 s=-3 us=9 i=-4 ui=5 l=-6 ul=7 ull=8 hex=0x1f bo=1 ib=1 bi=1 str=abc arr=4,5 barr=y,n", ps, mem, mem, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"b": "7", "s": "-3", "us": "9", "i": "-4", "ui": "5", "l": "-6", "ul": "7", "ull": "8",
		"hex": "0x00001f", "cp": "(null)", "bo": "Y", "beo": "N", "ib": "Y", "bi": "1", "dash_name": "0",
		"str": "abc", "arr": "4,5", "carr": "(null),(null)", "barr": "Y,N", "danger": "0", "irq": "0",
	}
	for i := range ps {
		p := &ps[i]
		got, err := Get(p, mem)
		if p.Kind == Custom {
			if err != ErrCustomOps {
				t.Errorf("Get(%s) error %v, want ErrCustomOps", p.Name, err)
			}
			continue
		}
		if err != nil || got != want[p.Name] {
			t.Errorf("Get(%s) = %q, %v; want %q", p.Name, got, err, want[p.Name])
		}
	}
	// hexint zero keeps its prefix.
	if got, _ := getScalar(Hexint, "h", memBase+0x800, mem); got != "0x000000" {
		t.Errorf("hexint 0 = %q", got)
	}
}

// FuzzApply runs parse_args over arbitrary strings: no panic, no write
// outside the variables, and every refusal carries a kernel errno.
func FuzzApply(f *testing.F) {
	for _, s := range []string{"arr=1,2,3,4", `str="a b" cp=x`, "i b=1 -- x", `"a="b c""`, "carr=,,", "beo=1 beo=0", "foo.dyndbg"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mem := newTestMem()
		r, err := Apply("m", s, testParams(), mem, mem, nil)
		if err != nil {
			t.Fatalf("Apply(%q): %v", s, err)
		}
		for _, e := range r.Errors {
			switch e.Errno {
			case syscall.EINVAL, syscall.ERANGE, syscall.ENOSPC, syscall.EROFS:
			default:
				t.Fatalf("Apply(%q): unexpected errno %v", s, e.Errno)
			}
		}
		for _, b := range mem.data[0x420:] {
			if b != 0 {
				t.Fatalf("Apply(%q) wrote past the variables", s)
			}
		}
	})
}
