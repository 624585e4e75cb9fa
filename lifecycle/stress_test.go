package lifecycle_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golink/golink/lifecycle"
)

// TestStressGuard: callers enter hello through the guard as fast as they
// can while other goroutines remove and reload hello and greeter in a
// loop, blocking and non-blocking. The fake executor checks every entry:
// none may happen into a module that is unmapped or without a reference,
// and no module may be unmapped with a call in flight. At the end every
// instance ever loaded must hold no reference.
func TestStressGuard(t *testing.T) {
	d := time.Second
	if testing.Short() {
		d = 200 * time.Millisecond
	}
	e := newFake(t, helloFuncs())
	k := e.k
	hello, err := os.ReadFile("../testdata/x86_64/hello.ko")
	if err != nil {
		t.Fatal(err)
	}
	greeter, err := os.ReadFile("../testdata/x86_64/greeter.ko")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu        sync.Mutex
		instances []*lifecycle.Module
		calls     atomic.Int64 // guarded calls that ran
		refused   atomic.Int64 // guarded calls refused: not live
		absent    atomic.Int64 // no module exported the function
		gets      atomic.Int64 // TryGet/Put pairs that succeeded
		loads     atomic.Int64
		removes   atomic.Int64
		busy      atomic.Int64 // removals refused: in use
		wrong     atomic.Int64 // calls that returned a wrong sum
	)
	record := func(m *lifecycle.Module) {
		mu.Lock()
		instances = append(instances, m)
		mu.Unlock()
		loads.Add(1)
	}
	if m, err := k.Load(hello, ""); err != nil {
		t.Fatal(err)
	} else {
		record(m)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	const callers = 8
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := uint64(0); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if g%2 == 0 {
					f, err := k.Func("hello_add")
					if err != nil {
						absent.Add(1)
						continue
					}
					v, err := f.Call(i, uint64(g))
					var nl *lifecycle.NotLiveError
					switch {
					case errors.As(err, &nl):
						refused.Add(1)
					case err != nil:
						t.Error(err)
						return
					case v != i+uint64(g):
						wrong.Add(1)
					default:
						calls.Add(1)
					}
					continue
				}
				// The FAQ's pattern: one reference around a stretch of use.
				m := k.Find("hello")
				if m == nil {
					absent.Add(1)
					continue
				}
				if !m.TryGet() {
					refused.Add(1)
					continue
				}
				gets.Add(1)
				for j := 0; j < 3; j++ {
					f, err := m.Func("hello_add")
					if err != nil {
						t.Error(err)
						break
					}
					if v, err := f.Call(1, 2); err == nil && v == 3 {
						calls.Add(1)
					}
				}
				m.Put()
			}
		}(g)
	}
	// hello: removed and reloaded, alternating blocking and non-blocking
	// removal; refused while greeter uses it.
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			flags := lifecycle.RemoveFlags(0)
			if i%2 == 1 {
				flags = lifecycle.NonBlock
			}
			err := k.Remove(context.Background(), "hello", flags)
			var be *lifecycle.BusyError
			switch {
			case errors.As(err, &be):
				busy.Add(1)
				continue
			case err != nil:
				continue // already dying, not loaded
			}
			removes.Add(1)
			if m, err := k.Load(hello, ""); err == nil {
				record(m)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if m, err := k.Load(greeter, ""); err == nil {
				record(m)
				time.Sleep(50 * time.Microsecond)
				if k.Remove(context.Background(), "greeter", 0) == nil {
					removes.Add(1)
				}
			}
		}
	}()
	time.Sleep(d)
	close(stop)
	wg.Wait()

	for _, name := range []string{"greeter", "hello"} {
		if k.Find(name) != nil {
			if err := k.Remove(context.Background(), name, lifecycle.NonBlock); err != nil {
				t.Errorf("final removal of %s: %v", name, err)
			}
			removes.Add(1)
		}
	}
	leaked := int64(0)
	for _, m := range instances {
		leaked += m.Refcount()
		if m.State() != lifecycle.StateUnformed {
			t.Errorf("%s instance left %v", m.Name, m.State())
		}
	}
	t.Logf("stress: %d guarded calls ran, %d TryGet/Put stretches, %d refused (not live), %d found nothing to call; %d loads, %d removals, %d removals refused busy; %d entries checked, %d violations, %d leaked references, %d wrong results",
		calls.Load(), gets.Load(), refused.Load(), absent.Load(), loads.Load(), removes.Load(), busy.Load(),
		e.entries.Load(), e.violations.Load(), leaked, wrong.Load())
	checkRule(t, e)
	if leaked != 0 {
		t.Errorf("%d references leaked", leaked)
	}
	if wrong.Load() != 0 {
		t.Errorf("%d calls returned a wrong result", wrong.Load())
	}
	if calls.Load() == 0 || loads.Load() < 3 || removes.Load() < 3 {
		t.Errorf("the storm did not happen: %d calls, %d loads, %d removals", calls.Load(), loads.Load(), removes.Load())
	}
}
