package lifecycle_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// parallel runs op b.N times in total, split across g goroutines, and
// reports besides ns/op (wall time per operation) cpu-ns/op: wall time
// multiplied by the CPUs kept busy (min(g, GOMAXPROCS)), per operation.
// That is the cost of one operation to the machine; it stays flat as
// goroutines are added if nothing is shared, and grows if they contend.
func parallel(b *testing.B, g int, op func(i int)) {
	b.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	per := b.N / g
	for i := 0; i < g; i++ {
		n := per
		if i == 0 {
			n += b.N % g
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			for j := 0; j < n; j++ {
				op(i)
			}
		}(i)
	}
	b.ResetTimer()
	t0 := time.Now()
	close(start)
	wg.Wait()
	el := time.Since(t0)
	b.StopTimer()
	busy := min(g, runtime.GOMAXPROCS(0))
	b.ReportMetric(float64(el.Nanoseconds())*float64(busy)/float64(b.N), "cpu-ns/op")
}

// BenchmarkRefcount compares a TryGet+Put pair with the two obvious
// alternatives: one shared atomic counter (add, then subtract) and a
// sync.RWMutex read lock (the brlock the 2002 design replaced). The
// control, PrivateAtomic, gives each goroutine its own counter on its own
// cache lines: what perfect scaling looks like on the machine at hand.
func BenchmarkRefcount(b *testing.B) {
	e := newFake(b, helloFuncs())
	m := load(b, e.k, "hello")
	var shared atomic.Int64
	var rw sync.RWMutex
	private := make([]struct {
		n atomic.Int64
		_ [120]byte
	}, 8)
	ops := []struct {
		name string
		op   func(int)
	}{
		{"TryGetPut", func(int) {
			if m.TryGet() {
				m.Put()
			}
		}},
		{"SharedAtomic", func(int) {
			shared.Add(1)
			shared.Add(-1)
		}},
		{"RWMutex", func(int) {
			rw.RLock()
			//lint:ignore SA2001 the benchmark measures taking the read lock itself
			rw.RUnlock()
		}},
		{"PrivateAtomic", func(i int) {
			private[i].n.Add(1)
			private[i].n.Add(-1)
		}},
	}
	for _, o := range ops {
		for _, g := range []int{1, 2, 4, 8} {
			b.Run(fmt.Sprintf("%s/goroutines=%d", o.name, g), func(b *testing.B) {
				parallel(b, g, o.op)
			})
		}
	}
}
