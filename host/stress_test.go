//go:build linux && amd64 && cgo

package host_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golink/golink/host"
	"github.com/golink/golink/lifecycle"
)

// TestStressRealCode: goroutines call stress_enter, real machine code,
// through the guard as fast as they can, while another removes the module
// and loads it again in a loop — cycling through the objects built with
// plain gcc -c, the kernel's flags and -fPIC, and alternating blocking and
// non-blocking removal. Every instance counts its entries and checks on
// each sixteenth that a reference is held; its exit prints both counts.
// The sum of the entries must equal the calls that returned, no entry may
// be unguarded, no call may reach unmapped memory, no reference may be
// left behind, and the process must still be here.
func TestStressRealCode(t *testing.T) {
	d := time.Second
	if testing.Short() {
		d = 200 * time.Millisecond
	}
	objs := make([][]byte, len(flagSets))
	for i, fs := range flagSets {
		b, err := os.ReadFile(compile(t, "stress", "stress", fs.flags))
		if err != nil {
			t.Fatal(err)
		}
		objs[i] = b
	}
	k := newKernel(t)
	k.Log().Cap = 1 << 20
	stale0 := host.StaleCalls()
	var (
		mu        sync.Mutex
		instances []*lifecycle.Module
		calls     atomic.Int64
		refused   atomic.Int64
		absent    atomic.Int64
		wrong     atomic.Int64
		loads     atomic.Int64
		removes   atomic.Int64
		busy      atomic.Int64
	)
	load := func(i int) {
		m, err := k.Load(objs[i%len(objs)], "")
		if err != nil {
			t.Errorf("load: %v", err)
			return
		}
		loads.Add(1)
		mu.Lock()
		instances = append(instances, m)
		mu.Unlock()
	}
	load(0)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := uint64(g); ; i += 8 {
				select {
				case <-stop:
					return
				default:
				}
				f, err := k.Func("stress_enter")
				if err != nil {
					absent.Add(1)
					continue
				}
				v, err := f.Call(i)
				switch {
				case errors.As(err, new(*lifecycle.NotLiveError)):
					refused.Add(1)
				case err != nil:
					t.Error(err)
					return
				case v != i+1:
					wrong.Add(1)
				default:
					calls.Add(1)
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			flags := lifecycle.RemoveFlags(0)
			if i%2 == 0 {
				flags = lifecycle.NonBlock
			}
			if err := k.Remove(context.Background(), "stress", flags); err != nil {
				if !errors.As(err, new(*lifecycle.BusyError)) {
					t.Errorf("remove: %v", err)
					return
				}
				busy.Add(1)
				continue
			}
			removes.Add(1)
			load(i)
		}
	}()
	time.Sleep(d)
	close(stop)
	wg.Wait()
	if err := k.Remove(context.Background(), "stress", 0); err != nil {
		t.Fatal(err)
	}
	removes.Add(1)

	var entries, unguarded, exits int64
	for _, r := range k.Log().Records() {
		var e, u int64
		if _, err := fmt.Sscanf(r.Text, "stress: %d entries, %d unguarded", &e, &u); err == nil {
			entries += e
			unguarded += u
			exits++
		}
	}
	var leakedRefs int64
	var leaks int
	for _, m := range instances {
		leakedRefs += m.Refcount()
		leaks += len(m.Leaks())
	}
	stale := host.StaleCalls() - stale0
	t.Logf("stress (real code): %d guarded calls ran, %d refused (not live), %d found no module; %d loads, %d removals, %d non-blocking removals refused busy; module-counted entries %d, unguarded entries %d, calls into unmapped memory %d, leaked references %d, leaks %d, wrong results %d",
		calls.Load(), refused.Load(), absent.Load(), loads.Load(), removes.Load(), busy.Load(),
		entries, unguarded, stale, leakedRefs, leaks, wrong.Load())
	if exits != loads.Load() {
		t.Errorf("%d exits for %d loads", exits, loads.Load())
	}
	if entries != calls.Load() {
		t.Errorf("modules counted %d entries, the guard let %d calls through", entries, calls.Load())
	}
	if unguarded != 0 || stale != 0 || leakedRefs != 0 || leaks != 0 || wrong.Load() != 0 {
		t.Error("the Golden Rule was broken")
	}
	if calls.Load() == 0 || loads.Load() < 3 {
		t.Errorf("no storm: %d calls, %d loads", calls.Load(), loads.Load())
	}
}
