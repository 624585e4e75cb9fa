//go:build linux && amd64 && cgo

package host_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink/host"
	"github.com/golink/golink/lifecycle"
)

// The ways a module author compiles against include/golink/module.h:
// plain `gcc -c` (on Debian, PIE at -O0), the kernel's flags, and -fPIC,
// whose extern data and function addresses go through the GOT.
var flagSets = []struct {
	name  string
	flags []string
}{
	{"plain", nil},
	{"kernel", []string{"-mcmodel=kernel", "-fno-pic", "-fno-common", "-mno-red-zone", "-O2"}},
	{"pic", []string{"-fPIC", "-O2"}},
}

var compiled sync.Map // source+flags → object path

// objDir holds the objects compile builds; TestMain removes it.
var objDir struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if objDir.path != "" {
		os.RemoveAll(objDir.path)
	}
	os.Exit(code)
}

// compile builds testdata/<src>.c with gcc into a temporary directory,
// once per test binary for each flag set. name is KBUILD_MODNAME ("" for
// none).
func compile(t testing.TB, src, name string, flags []string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc: cannot compile test modules")
	}
	key := src + "\x00" + strings.Join(flags, " ")
	if p, ok := compiled.Load(key); ok {
		return p.(string)
	}
	objDir.once.Do(func() { objDir.path, objDir.err = os.MkdirTemp("", "golink-host-") })
	if objDir.err != nil {
		t.Fatal(objDir.err)
	}
	// One directory per flag set: the file name is the module's name for
	// a module built without KBUILD_MODNAME.
	sub := filepath.Join(objDir.path, fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(flags, " ")))))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(sub, src+".o")
	args := append([]string{"-c", "-Wall", "-Werror", "-I../include"}, flags...)
	if name != "" {
		args = append(args, fmt.Sprintf("-DKBUILD_MODNAME=%q", name))
	}
	args = append(args, "testdata/"+src+".c", "-o", out)
	if b, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	compiled.Store(key, out)
	return out
}

func newKernel(t testing.TB) *lifecycle.Kernel {
	t.Helper()
	k, err := host.NewKernel()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// logSince returns the log lines after seq, and the next seq, without the
// taint messages of the kernel's first out-of-tree load (TestTaints checks
// those).
func logSince(k *lifecycle.Kernel, seq uint64) ([]string, uint64) {
	recs, next := k.Log().Since(seq)
	var out []string
	for _, r := range recs {
		if !isTaintLine(r.Text) {
			out = append(out, r.String())
		}
	}
	return out, next
}

func isTaintLine(s string) bool {
	return strings.HasSuffix(s, "taints kernel.") || strings.HasSuffix(s, "tainting kernel")
}

// A module built here is out of tree and unsigned: the kernel says so,
// once, and taints itself OE.
func TestTaints(t *testing.T) {
	k := newKernel(t)
	for _, obj := range []string{"hello.ko", "greeter.ko"} {
		if _, err := k.LoadFile("../testdata/x86_64/"+obj, ""); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, r := range k.Log().Records() {
		if isTaintLine(r.Text) {
			got = append(got, r.String())
		}
	}
	want := []string{
		"<4>hello: loading out-of-tree module taints kernel.",
		"<4>hello: module verification failed: signature and/or required key missing - tainting kernel",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("taint messages (-want +got):\n%s", d)
	}
	if s := k.Tainted().String(); s != "OE" {
		t.Errorf("kernel tainted %q, want OE", s)
	}
	remove(t, k, "greeter")
	remove(t, k, "hello")
}

func checkLog(t *testing.T, k *lifecycle.Kernel, seq *uint64, want ...string) {
	t.Helper()
	got, next := logSince(k, *seq)
	*seq = next
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("log (-want +got):\n%s", d)
	}
}

func remove(t *testing.T, k *lifecycle.Kernel, name string) {
	t.Helper()
	if err := k.Remove(context.Background(), name, lifecycle.NonBlock); err != nil {
		t.Fatalf("remove %s: %v", name, err)
	}
}

// The objects in the repository's testdata, compiled once: hello with the
// kernel's flags, as PIE and without PIC; and greeter, which uses hello.
func TestTestdataObjects(t *testing.T) {
	for _, obj := range []string{"hello.ko", "hello-pie.o", "hello-nopic.o"} {
		t.Run(obj, func(t *testing.T) {
			k := newKernel(t)
			var seq uint64
			m, err := k.LoadFile("../testdata/x86_64/"+obj, "count=2 who=bob levels=5,6,7")
			if err != nil {
				t.Fatal(err)
			}
			checkLog(t, k, &seq, "<6>hello, bob (1 of 2, level 5)", "<6>hello, bob (2 of 2, level 6)")
			if v, err := k.Call("hello_add", 2, 3); v != 5 || err != nil {
				t.Errorf("hello_add(2, 3) = %d, %v", v, err)
			}
			p, err := k.Call("hello_who")
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 4)
			if err := m.Memory().ReadAt(b, p); err != nil || string(b) != "bob\x00" {
				t.Errorf("hello_who() = %#x → %q, %v", p, b, err)
			}
			g, err := k.LoadFile("../testdata/x86_64/greeter.ko", "")
			if err != nil {
				t.Fatal(err)
			}
			checkLog(t, k, &seq, "<6>greeter: bob, 2+3=5")
			if d := cmp.Diff([]string{"greeter"}, m.UsedBy()); d != "" || m.Refcount() != 1 {
				t.Errorf("hello used by %v, refcount %d", m.UsedBy(), m.Refcount())
			}
			if err := k.Remove(context.Background(), "hello", 0); err == nil || err.Error() != "Module hello is in use by: greeter" {
				t.Errorf("removing hello under greeter: %v", err)
			}
			remove(t, k, "greeter")
			remove(t, k, "hello")
			checkLog(t, k, &seq, "<6>goodbye, bob: total 10")
			if len(m.Leaks()) != 0 || len(g.Leaks()) != 0 {
				t.Errorf("leaks: %v %v", m.Leaks(), g.Leaks())
			}
		})
	}
}

// A module compiled here and now, with plain gcc -c and with the kernel's
// flags: typed parameters of every common kind, exports used by a second
// module, symbol_get, a callback, printk with pr_fmt and KERN_CONT.
func TestCounterModules(t *testing.T) {
	for _, fs := range flagSets {
		t.Run(fs.name, func(t *testing.T) {
			counter := compile(t, "counter", "counter", fs.flags)
			user := compile(t, "counter_user", "counter_user", fs.flags)
			k := newKernel(t)
			var seq uint64

			// Refused parameters: init never runs.
			_, err := k.LoadFile(counter, "step=abc")
			var pe *lifecycle.ParamsError
			if !errors.As(err, &pe) || err.Error() != "counter: `abc' invalid for parameter `step'" || !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("step=abc: %v", err)
			}
			checkLog(t, k, &seq, "<3>counter: `abc' invalid for parameter `step'")
			if _, err := k.LoadFile(counter, "weights=1,2,3,4,5,6,7,8,9"); !errors.As(err, &pe) {
				t.Errorf("nine weights for eight: %v", err)
			}
			_, seq = logSince(k, seq)
			// A failing init: unwound.
			_, err = k.LoadFile(counter, "step=0")
			var ie *lifecycle.InitError
			if !errors.As(err, &ie) || ie.Ret != -22 {
				t.Fatalf("step=0: %v, want init failing with -EINVAL", err)
			}
			checkLog(t, k, &seq, "<3>counter: step must be positive, not 0")

			m, err := k.LoadFile(counter, "step=3 label=widgets weights=2,5,1 verbose tag=blue")
			if err != nil {
				t.Fatal(err)
			}
			checkLog(t, k, &seq, "<6>counter: widgets by 3, 3 weights summing to 8, tag blue", "<6>counter: weights: 2 5 1")
			for name, want := range map[string]string{"step": "3", "label": "widgets", "weights": "2,5,1", "verbose": "Y", "tag": "blue"} {
				if got, err := m.ParamValue(name); got != want || err != nil {
					t.Errorf("parameter %s = %q, %v; want %q", name, got, err, want)
				}
			}
			if v, err := k.Call("counter_bump", 2); v != 12 || err != nil {
				t.Errorf("counter_bump(2) = %d, %v; want 12", v, err)
			}
			cb, err := host.Callback(k, "counter.bump")
			if err != nil {
				t.Fatal(err)
			}
			if cb.Module != m {
				t.Errorf("callback owned by %v", cb.Module)
			}
			if v, err := cb.Call(1); v != 27 || err != nil {
				t.Errorf("callback counter.bump(1) = %d, %v; want 27", v, err)
			}
			checkLog(t, k, &seq, "<6>counter: bump 2 -> 12", "<6>counter: bump 1 -> 27")

			u, err := k.LoadFile(user, "times=2")
			if err != nil {
				t.Fatal(err)
			}
			checkLog(t, k, &seq, "<6>counter: bump 1 -> 30", "<6>counter: bump 2 -> 42", "<6>counter_user: value 42, own refcount 1")
			if d := cmp.Diff([]string{"counter_user"}, m.UsedBy()); d != "" {
				t.Errorf("counter used by (-want +got):\n%s", d)
			}
			if m.Refcount() != 1 || u.Refcount() != 0 {
				t.Errorf("refcounts: counter %d (want 1: the use), counter_user %d", m.Refcount(), u.Refcount())
			}
			err = k.Remove(context.Background(), "counter", lifecycle.NonBlock)
			var be *lifecycle.BusyError
			if !errors.As(err, &be) || err.Error() != "Module counter is in use by: counter_user" {
				t.Errorf("removing counter first: %v", err)
			}
			remove(t, k, "counter_user")
			checkLog(t, k, &seq, "<6>counter: bump 0 -> 42", "<6>counter_user: bye at 42")
			remove(t, k, "counter")
			checkLog(t, k, &seq, "<6>counter: widgets: 42 after 5 bumps")
			if _, err := host.Callback(k, "counter.bump"); err == nil {
				t.Error("the callback outlived its module")
			}
			if _, err := cb.Call(1); !errors.As(err, new(*lifecycle.NotLiveError)) {
				t.Errorf("calling the callback of a removed module: %v", err)
			}
			if len(m.Leaks())+len(u.Leaks()) != 0 {
				t.Errorf("leaks: %v %v", m.Leaks(), u.Leaks())
			}
		})
	}
}

// Kernel idioms — lists, spinlocks, atomics, error pointers, an exported
// variable another module reads and writes, __ro_after_init — loaded
// three times, so that the block reused after removal is exercised.
func TestIdioms(t *testing.T) {
	for _, fs := range flagSets {
		t.Run(fs.name, func(t *testing.T) {
			misc := compile(t, "misc", "misc", fs.flags)
			user := compile(t, "misc_user", "misc_user", fs.flags)
			k := newKernel(t)
			var seq uint64
			for round := 0; round < 3; round++ {
				if _, err := k.LoadFile(misc, "list=3,4,5"); err != nil {
					t.Fatal(err)
				}
				if _, err := k.LoadFile(user, ""); err != nil {
					t.Fatal(err)
				}
				if v, err := k.Call("misc_sum"); v != 12 || err != nil {
					t.Errorf("misc_sum() = %d, %v", v, err)
				}
				remove(t, k, "misc_user")
				remove(t, k, "misc")
				checkLog(t, k, &seq,
					"<6>misc: refused -22",
					"<6>misc: alpha!=3", "<6>misc: beta!=4", "<6>misc: gamma!=5",
					"<6>misc: 3 items, total 12, limit 107",
					"<6>misc_user: total 12, sum 12",
					"<6>misc: freed, limit still 107")
			}
			if _, err := k.LoadFile(misc, "list=1,x"); !errors.As(err, new(*lifecycle.InitError)) {
				t.Errorf("list=1,x: %v, want init failing", err)
			}
		})
	}
}

// What a module allocates and does not free is reported, with the
// function that allocated it, and freed.
func TestLeaks(t *testing.T) {
	for _, fs := range flagSets {
		t.Run(fs.name, func(t *testing.T) {
			k := newKernel(t)
			var seq uint64
			m, err := k.LoadFile(compile(t, "leaky", "leaky", fs.flags), "")
			if err != nil {
				t.Fatal(err)
			}
			remove(t, k, "leaky")
			leaks := m.Leaks()
			sizes := map[int]bool{}
			for _, l := range leaks {
				sizes[l.Size] = true
				if !strings.HasPrefix(l.Caller, "leaky_init+0x") {
					t.Errorf("leak %+v not attributed to leaky_init", l)
				}
			}
			if len(leaks) != 2 || !sizes[5] || !sizes[32] {
				t.Errorf("leaks %+v, want the 5-byte kstrdup and the 32-byte kzalloc", leaks)
			}
			got, _ := logSince(k, seq)
			re := regexp.MustCompile(`^<3>leaky: memory leak: (5|32) bytes at 0x[0-9a-f]+, allocated by leaky_init\+0x[0-9a-f]+$`)
			n := 0
			for _, l := range got {
				if re.MatchString(l) {
					n++
				}
			}
			if n != 2 {
				t.Errorf("log %q: want two leak reports", got)
			}

			// A failing init that leaks: unwound, and the leak reported.
			_, err = k.LoadFile(compile(t, "failing", "failing", fs.flags), "leak=1")
			if !errors.Is(err, syscall.ENODEV) {
				t.Fatalf("failing: %v", err)
			}
			got, _ = logSince(k, seq)
			last := got[len(got)-1]
			if !regexp.MustCompile(`^<3>failing: memory leak: 64 bytes at 0x[0-9a-f]+, allocated by failing_init\+0x[0-9a-f]+$`).MatchString(last) {
				t.Errorf("last log line %q", last)
			}
		})
	}
}

// A textbook module including <linux/module.h> and friends, built without
// KBUILD_MODNAME.
func TestClassicModule(t *testing.T) {
	for _, fs := range flagSets {
		t.Run(fs.name, func(t *testing.T) {
			k := newKernel(t)
			var seq uint64
			m, err := k.LoadFile(compile(t, "classic", "", fs.flags), "times=3 whom=textbook")
			if err != nil {
				t.Fatal(err)
			}
			if m.Name != "classic" {
				t.Errorf("name %q", m.Name)
			}
			remove(t, k, "classic")
			checkLog(t, k, &seq, "<6>hello, textbook", "<6>tick 0", "<6>tick 1", "<6>tick 2", "<6>goodbye, textbook")
		})
	}
}

// Custom parameter ops run in the module; a module built without
// KBUILD_MODNAME is named after its file.
func TestCustomParamOps(t *testing.T) {
	for _, fs := range flagSets {
		t.Run(fs.name, func(t *testing.T) {
			k := newKernel(t)
			obj := compile(t, "custom_param", "", fs.flags)
			var seq uint64
			m, err := k.LoadFile(obj, "percent=75")
			if err != nil {
				t.Fatal(err)
			}
			if m.Name != "custom_param" {
				t.Errorf("name %q", m.Name)
			}
			checkLog(t, k, &seq, "<6>percent is 75")
			remove(t, k, "custom_param")
			if _, err := k.LoadFile(obj, "percent=150"); !errors.Is(err, syscall.ERANGE) {
				t.Errorf("percent=150: %v, want ERANGE from the module's own set", err)
			}
		})
	}
}

// The module's pages are W^X: text r-x, read-only data r--, data rw-;
// freed code — init's once init has run, all of it once the module is
// removed — is int3, so that a stale call traps. A module loaded again
// lands in the same block, whose protections are kept, and runs.
func TestProtections(t *testing.T) {
	k := newKernel(t)
	obj := compile(t, "counter", "counter", flagSets[1].flags)
	m, err := k.LoadFile(obj, "")
	if err != nil {
		t.Fatal(err)
	}
	img := m.Image()
	mem, err := os.Open("/proc/self/mem")
	if err != nil {
		t.Skip(err)
	}
	defer mem.Close()
	int3 := func(what string, addr uint64) {
		t.Helper()
		b := make([]byte, 16)
		if _, err := mem.ReadAt(b, int64(addr)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, c := range b {
			if c != 0xcc {
				t.Errorf("%s at %#x: % x, want int3", what, addr, b)
				return
			}
		}
	}
	perms := mapsPerms(t)
	at := func(addr uint64) string {
		for _, p := range perms {
			if addr >= p.lo && addr < p.hi {
				return p.perm
			}
		}
		return "unmapped"
	}
	l := img.Core.Layout
	for _, c := range []struct {
		what string
		addr uint64
		want string
	}{
		{"core text", img.Core.Base, "r-xp"},
		{"core read-only data", img.Core.Base + l.TextSize, "r--p"},
		{"core data", img.Core.Base + l.RoAfterInitSize, "rw-p"},
		{"init text (freed)", img.Init.Base, "r-xp"},
	} {
		if got := at(c.addr); got != c.want {
			t.Errorf("%s at %#x: %s, want %s", c.what, c.addr, got, c.want)
		}
	}
	int3("freed init text", img.Init.Base)
	for _, p := range perms {
		if strings.HasPrefix(p.perm, "rwx") && p.lo < 1<<31 {
			t.Errorf("%#x-%#x is writable and executable", p.lo, p.hi)
		}
	}
	core := img.Core.Base
	remove(t, k, "counter")
	int3("removed module's text", core)
	m, err = k.LoadFile(obj, "step=2")
	if err != nil {
		t.Fatal(err)
	}
	if m.Image().Core.Base != core {
		t.Logf("reloaded at %#x, not in the cached block at %#x", m.Image().Core.Base, core)
	}
	if v, err := k.Call("counter_bump", 5); v != 10 || err != nil {
		t.Errorf("counter_bump(5) after reload = %d, %v", v, err)
	}
	remove(t, k, "counter")
}

type mapping struct {
	lo, hi uint64
	perm   string
}

func mapsPerms(t *testing.T) []mapping {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	var out []mapping
	s := bufio.NewScanner(f)
	for s.Scan() {
		var m mapping
		if _, err := fmt.Sscanf(s.Text(), "%x-%x %s", &m.lo, &m.hi, &m.perm); err == nil {
			out = append(out, m)
		}
	}
	return out
}
