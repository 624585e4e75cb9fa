package lifecycle_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/golink/golink"
	"github.com/golink/golink/lifecycle"
	"github.com/golink/golink/symtab"
)

func load(t testing.TB, k *lifecycle.Kernel, name string) *lifecycle.Module {
	t.Helper()
	m, err := loadErr(t, k, name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return m
}

func loadErr(t testing.TB, k *lifecycle.Kernel, name string) (*lifecycle.Module, error) {
	t.Helper()
	data, err := os.ReadFile("../testdata/x86_64/" + name + ".ko")
	if err != nil {
		t.Fatal(err)
	}
	return k.Load(data, "")
}

// texts returns the log, without the taint messages of a module's first
// load (TestTaints checks those).
func texts(k *lifecycle.Kernel) []string {
	var out []string
	for _, r := range k.Log().Records() {
		if !isTaintLine(r.Text) {
			out = append(out, r.String())
		}
	}
	return out
}

func isTaintLine(s string) bool {
	return strings.HasSuffix(s, "taints kernel.") || strings.HasSuffix(s, "tainting kernel") || strings.HasSuffix(s, "kernel tainted.")
}

// The kernel's taint messages are printed once per kernel: by the first
// module that taints it so.
func TestTaints(t *testing.T) {
	e := newFake(t, helloFuncs())
	load(t, e.k, "hello")
	load(t, e.k, "greeter")
	var got []string
	for _, r := range e.k.Log().Records() {
		if isTaintLine(r.Text) {
			got = append(got, r.String())
		}
	}
	want := []string{
		"<4>hello: module_layout: kernel tainted.",
		"<4>hello: loading out-of-tree module taints kernel.",
		"<4>hello: module verification failed: signature and/or required key missing - tainting kernel",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("taint messages (-want +got):\n%s", d)
	}
	if tn := e.k.Tainted().String(); tn != "FOE" {
		t.Errorf("kernel tainted %q, want FOE", tn)
	}
	if tn := e.k.Find("greeter").Taints().String(); tn != "FOE" {
		t.Errorf("greeter tainted %q", tn)
	}
}

func checkRule(t *testing.T, e *fakeExec) {
	t.Helper()
	if n := e.violations.Load(); n != 0 {
		t.Errorf("%d Golden Rule violations; last: %v", n, e.lastViolation.Load())
	}
}

func TestLoadCallRemove(t *testing.T) {
	e := newFake(t, helloFuncs())
	k := e.k
	m := load(t, k, "hello")
	if m.State() != lifecycle.StateLive || !m.Live() || m.Refcount() != 0 {
		t.Errorf("after load: state %v live %v refcount %d, want live true 0", m.State(), m.Live(), m.Refcount())
	}
	if k.Find("hello") != m {
		t.Error("Find(hello) does not return the module")
	}
	f, err := m.Func("hello_add")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.Call(2, 3); got != 5 || err != nil {
		t.Errorf("hello_add(2, 3) = %d, %v; want 5", got, err)
	}
	if got, err := k.Call("hello_add", 40, 2); got != 42 || err != nil {
		t.Errorf("k.Call(hello_add, 40, 2) = %d, %v; want 42", got, err)
	}
	if s, ok := k.Symbols().Lookup("hello_add"); !ok || s.Owner != "hello" {
		t.Errorf("hello_add in the symbol table: %+v %v", s, ok)
	}
	if err := k.Remove(context.Background(), "hello", 0); err != nil {
		t.Fatal(err)
	}
	if m.State() != lifecycle.StateUnformed || k.Find("hello") != nil {
		t.Errorf("after removal: state %v, Find %v", m.State(), k.Find("hello"))
	}
	if _, ok := k.Symbols().Lookup("hello_add"); ok {
		t.Error("hello_add still exported after removal")
	}
	_, err = f.Call(1, 1)
	var nl *lifecycle.NotLiveError
	if !errors.As(err, &nl) || !errors.Is(err, syscall.ENOENT) {
		t.Errorf("call into a removed module: %v, want *NotLiveError", err)
	}
	want := []string{"<6>hello, world (1 of 1, level 1)", "<6>goodbye, world: total 0"}
	if d := cmp.Diff(want, texts(k)); d != "" {
		t.Errorf("log (-want +got):\n%s", d)
	}
	if len(m.Leaks()) != 0 {
		t.Errorf("leaks %+v", m.Leaks())
	}
	checkRule(t, e)
}

// greeter resolves hello_add and hello_who: it holds hello, which cannot
// go first.
func TestUses(t *testing.T) {
	e := newFake(t, helloFuncs())
	k := e.k
	if _, err := loadErr(t, k, "greeter"); err == nil {
		t.Fatal("greeter loaded without hello")
	} else {
		var us *golink.UnknownSymbolError
		if !errors.As(err, &us) || us.Errno != syscall.ENOENT || us.Symbol != "hello_add" {
			t.Errorf("greeter without hello: %v, want Unknown symbol hello_add (err -2)", err)
		}
		if k.Find("greeter") != nil || len(k.Modules()) != 0 {
			t.Error("a failed load left a module behind")
		}
	}
	hello := load(t, k, "hello")
	greeter := load(t, k, "greeter")
	if d := cmp.Diff([]string{"hello"}, greeter.Uses()); d != "" {
		t.Errorf("greeter uses (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"greeter"}, hello.UsedBy()); d != "" {
		t.Errorf("hello used by (-want +got):\n%s", d)
	}
	if hello.Refcount() != 1 {
		t.Errorf("hello refcount %d, want 1 (greeter's use)", hello.Refcount())
	}
	wantMods := []lifecycle.Info{
		{Name: "greeter", Size: greeter.Image().Core.Size, UsedBy: []string{}, State: lifecycle.StateLive, Taints: greeter.Taints()},
		{Name: "hello", Size: hello.Image().Core.Size, Refcount: 1, UsedBy: []string{"greeter"}, State: lifecycle.StateLive, Taints: hello.Taints()},
	}
	if d := cmp.Diff(wantMods, k.Modules()); d != "" {
		t.Errorf("Modules (-want +got):\n%s", d)
	}
	err := k.Remove(context.Background(), "hello", 0)
	var be *lifecycle.BusyError
	if !errors.As(err, &be) || be.Errno != syscall.EWOULDBLOCK || err.Error() != "Module hello is in use by: greeter" {
		t.Errorf("removing hello first: %v, want Module hello is in use by: greeter (EWOULDBLOCK)", err)
	}
	if hello.State() != lifecycle.StateLive {
		t.Errorf("hello is %v after a refused removal", hello.State())
	}
	if err := k.Remove(context.Background(), "greeter", 0); err != nil {
		t.Fatal(err)
	}
	if hello.Refcount() != 0 || len(hello.UsedBy()) != 0 {
		t.Errorf("after greeter left: hello refcount %d, used by %v", hello.Refcount(), hello.UsedBy())
	}
	if err := k.Remove(context.Background(), "hello", 0); err != nil {
		t.Fatal(err)
	}
	checkRule(t, e)
}

func TestAlreadyLoaded(t *testing.T) {
	e := newFake(t, helloFuncs())
	load(t, e.k, "hello")
	_, err := loadErr(t, e.k, "hello")
	if !errors.Is(err, syscall.EEXIST) {
		t.Errorf("second load: %v, want EEXIST", err)
	}
	err = e.k.Remove(context.Background(), "nosuch", 0)
	if !errors.Is(err, syscall.ENOENT) || err.Error() != "Module nosuch is not currently loaded (err -2)" {
		t.Errorf("removing nosuch: %v", err)
	}
}

// A failing init unwinds everything: exports, uses, memory, the list.
func TestInitFails(t *testing.T) {
	funcs := helloFuncs()
	funcs["greeter"]["greeter_init"] = func(c *fakeCall) uint64 {
		c.printk("\0013greeter: no\n")
		return uint64(0xfffffff4) // -ENOMEM as an int return
	}
	e := newFake(t, funcs)
	k := e.k
	hello := load(t, k, "hello")
	_, err := loadErr(t, k, "greeter")
	var ie *lifecycle.InitError
	if !errors.As(err, &ie) || ie.Ret != -12 || !errors.Is(err, syscall.ENOMEM) {
		t.Fatalf("greeter with a failing init: %v, want *InitError -12", err)
	}
	if err.Error() != "greeter: init failed: -12 (cannot allocate memory)" {
		t.Errorf("message %q", err)
	}
	if k.Find("greeter") != nil || hello.Refcount() != 0 || len(hello.UsedBy()) != 0 {
		t.Errorf("greeter left traces: find %v, hello refcount %d used by %v", k.Find("greeter"), hello.Refcount(), hello.UsedBy())
	}
	if err := k.Remove(context.Background(), "hello", 0); err != nil {
		t.Fatal(err)
	}
	checkRule(t, e)
}

func TestInitReturnsPositive(t *testing.T) {
	funcs := helloFuncs()
	funcs["hello"]["hello_init"] = func(c *fakeCall) uint64 { return 1 }
	funcs["hello"]["hello_exit"] = func(c *fakeCall) uint64 { return 0 }
	e := newFake(t, funcs)
	m := load(t, e.k, "hello")
	if m.State() != lifecycle.StateLive {
		t.Errorf("state %v", m.State())
	}
	want := []string{
		"<4>do_init_module: 'hello'->init suspiciously returned 1, it should follow 0/-E convention",
		"<4>do_init_module: loading module anyway...",
	}
	if d := cmp.Diff(want, texts(e.k)); d != "" {
		t.Errorf("log (-want +got):\n%s", d)
	}
}

// delete_module with O_NONBLOCK fails at once while a reference is held
// and leaves the module live; without it, removal clears the live flag,
// waits for the reference, then runs exit.
func TestRemoveBusy(t *testing.T) {
	e := newFake(t, helloFuncs())
	k := e.k
	m := load(t, k, "hello")
	if !m.TryGet() {
		t.Fatal("TryGet on a live module failed")
	}
	err := k.Remove(context.Background(), "hello", lifecycle.NonBlock)
	var be *lifecycle.BusyError
	if !errors.As(err, &be) || be.Refcount != 1 || be.Errno != syscall.EWOULDBLOCK {
		t.Fatalf("non-blocking removal with a reference held: %v", err)
	}
	if !m.Live() || m.State() != lifecycle.StateLive || !m.TryGet() {
		t.Fatal("a refused non-blocking removal left the module not live")
	}
	m.Put()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := k.Remove(ctx, "hello", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("removal abandoned: %v", err)
	}
	if !m.Live() || m.State() != lifecycle.StateLive {
		t.Fatal("an abandoned removal left the module not live")
	}

	done := make(chan error)
	go func() { done <- k.Remove(context.Background(), "hello", 0) }()
	for m.Live() {
		time.Sleep(time.Millisecond)
	}
	if m.TryGet() {
		t.Fatal("TryGet succeeded while removal waits")
	}
	if st := m.State(); st != lifecycle.StateGoing {
		t.Errorf("state while removal waits: %v", st)
	}
	if err := k.Remove(context.Background(), "hello", 0); !errors.Is(err, syscall.EBUSY) || !strings.Contains(err.Error(), "already dying") {
		t.Errorf("second removal while the first waits: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("removal finished while a reference was held: %v", err)
	case <-time.After(10 * time.Millisecond):
	}
	if n := len(texts(k)); n != 1 {
		t.Errorf("exit ran before the last reference was dropped: log %v", texts(k))
	}
	m.Put()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m.State() != lifecycle.StateUnformed {
		t.Errorf("state after removal %v", m.State())
	}
	checkRule(t, e)
}

// symbol_get holds the provider; symbol_put lets it go. As in 6.1.y only
// GPL-only exports can be got.
func TestSymbolGet(t *testing.T) {
	e := newFake(t, helloFuncs())
	k := e.k
	m := load(t, k, "hello")
	addr, err := k.SymbolGet("hello_who")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := m.Image().Symbol("hello_who"); addr != want {
		t.Errorf("symbol_get(hello_who) = %#x, want %#x", addr, want)
	}
	if m.Refcount() != 1 {
		t.Errorf("refcount after symbol_get %d", m.Refcount())
	}
	if err := k.Remove(context.Background(), "hello", lifecycle.NonBlock); !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Errorf("removal while symbol_get holds it: %v", err)
	}
	if err := k.SymbolPut("hello_who"); err != nil {
		t.Fatal(err)
	}
	if err := k.SymbolPut("hello_who"); err == nil {
		t.Error("an unbalanced symbol_put succeeded")
	}
	if _, err := k.SymbolGet("hello_add"); err == nil || !strings.Contains(err.Error(), "failing symbol_get of non-GPLONLY symbol hello_add.") {
		t.Errorf("symbol_get of a non-GPL export: %v", err)
	}
	if _, err := k.SymbolGet("nosuch"); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("symbol_get(nosuch): %v", err)
	}
	if addr, err := k.SymbolGet("__symbol_get"); err != nil || addr != 0xffffffff81148170 {
		t.Errorf("symbol_get of a kernel symbol: %#x, %v", addr, err)
	}
	if err := k.Remove(context.Background(), "hello", lifecycle.NonBlock); err != nil {
		t.Fatal(err)
	}
}

func TestLeakReported(t *testing.T) {
	funcs := helloFuncs()
	funcs["hello"]["hello_exit"] = func(c *fakeCall) uint64 { return 0 } // forgets kfree
	e := newFake(t, funcs)
	m := load(t, e.k, "hello")
	if err := e.k.Remove(context.Background(), "hello", 0); err != nil {
		t.Fatal(err)
	}
	leaks := m.Leaks()
	if len(leaks) != 1 || leaks[0].Caller != "hello_init+0x11" {
		t.Fatalf("leaks %+v, want the buffer hello_init allocated", leaks)
	}
	log := texts(e.k)
	if last := log[len(log)-1]; !strings.HasPrefix(last, "<3>hello: memory leak: 64 bytes at 0x") || !strings.HasSuffix(last, "allocated by hello_init+0x11") {
		t.Errorf("last log line %q", last)
	}
}

func TestDuplicateExport(t *testing.T) {
	e := newFake(t, helloFuncs())
	load(t, e.k, "hello")
	_, err := loadErr(t, e.k, "dupexport")
	var de *symtab.DuplicateError
	if !errors.As(err, &de) {
		t.Fatalf("dupexport: %v, want *symtab.DuplicateError", err)
	}
	if e.k.Find("dupexport") != nil {
		t.Error("dupexport stayed")
	}
}

// A nil module is the kernel: references to it always succeed.
func TestNilModule(t *testing.T) {
	var m *lifecycle.Module
	if !m.TryGet() {
		t.Error("TryGet(nil) = false")
	}
	m.Get()
	m.Put()
}

func TestLogLevelsAndContinuation(t *testing.T) {
	var l lifecycle.Log
	l.Printk("a", "\0013bad ")
	l.Printk("a", "\001cthing\n")
	l.Printk("b", "plain\n")
	l.Printk("a", "\0017debug")
	l.Printk("b", "\001cnot a continuation of a\n")
	want := []string{"<3>bad thing", "<4>plain", "<7>debug", "<4>not a continuation of a"}
	var got []string
	for _, r := range l.Records() {
		got = append(got, r.String())
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	l.Cap = 2
	l.Printk("c", "x\n")
	if recs := l.Records(); len(recs) != 2 || l.Dropped() != 3 {
		t.Errorf("with Cap 2: %d records, %d dropped", len(recs), l.Dropped())
	}
}

// Parameters are typed: a value the kernel refuses fails the load before
// init runs; accepted ones are in memory when it does.
func TestParams(t *testing.T) {
	funcs := helloFuncs()
	inits := 0
	var seen string
	funcs["hello"]["hello_init"] = func(c *fakeCall) uint64 {
		inits++
		seen, _ = c.mem.mod.ParamValue("who")
		return 0
	}
	funcs["hello"]["hello_exit"] = func(c *fakeCall) uint64 { return 0 }
	e := newFake(t, funcs)
	data, err := os.ReadFile("../testdata/x86_64/hello.ko")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.k.Load(data, "count=lots who=bob")
	var pe *lifecycle.ParamsError
	if !errors.As(err, &pe) || pe.Errno != syscall.EINVAL || err.Error() != "hello: `lots' invalid for parameter `count'" {
		t.Fatalf("count=lots: %v, want the kernel's refusal", err)
	}
	if inits != 0 || e.k.Find("hello") != nil {
		t.Fatalf("init ran %d times / module stayed after a refused parameter", inits)
	}
	m, err := e.k.Load(data, "count=2 who=bob levels=5,6,7 nosuch=1")
	if err != nil {
		t.Fatal(err)
	}
	if inits != 1 || seen != "bob" {
		t.Errorf("init saw who=%q (%d inits)", seen, inits)
	}
	for name, want := range map[string]string{"count": "2", "who": "bob", "levels": "5,6,7"} {
		if got, err := m.ParamValue(name); got != want || err != nil {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	log := texts(e.k)
	if len(log) == 0 || log[len(log)-1] != "<4>hello: unknown parameter 'nosuch' ignored" {
		t.Errorf("log %q", log)
	}
}
