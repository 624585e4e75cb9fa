package workers

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// bound counts the calls running at once and records the most seen.
type bound struct{ now, max atomic.Int64 }

func (b *bound) enter() {
	n := b.now.Add(1)
	for m := b.max.Load(); n > m && !b.max.CompareAndSwap(m, n); m = b.max.Load() {
	}
}

func (b *bound) leave() { b.now.Add(-1) }

func TestRun(t *testing.T) {
	for _, tc := range []struct{ n, jobs int }{{0, 4}, {1, 4}, {100, 1}, {100, 3}, {100, 0}, {100, -1}, {5, 100}} {
		calls := make([]atomic.Int64, tc.n)
		var b bound
		Run(tc.n, tc.jobs, func(i int) {
			b.enter()
			defer b.leave()
			calls[i].Add(1)
		})
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("Run(%d, %d): f(%d) called %d times, want 1", tc.n, tc.jobs, i, c)
			}
		}
		if m := b.max.Load(); m > int64(Jobs(tc.jobs)) {
			t.Errorf("Run(%d, %d): %d calls at once, want at most %d", tc.n, tc.jobs, m, Jobs(tc.jobs))
		}
	}
}

func TestJobs(t *testing.T) {
	if Jobs(0) < 1 || Jobs(-3) != Jobs(0) || Jobs(7) != 7 {
		t.Errorf("Jobs(0) = %d, Jobs(-3) = %d, Jobs(7) = %d", Jobs(0), Jobs(-3), Jobs(7))
	}
}

// chain plus fan: each i waits for i-1 when i is odd, and 0 waits for none;
// even ones wait for every earlier multiple of 4.
func testGraph(n int) [][]int {
	after := make([][]int, n)
	for i := 1; i < n; i++ {
		if i%2 == 1 {
			after[i] = append(after[i], i-1)
		} else {
			for j := 0; j < i; j += 4 {
				after[i] = append(after[i], j)
			}
		}
	}
	return after
}

func TestOrdered(t *testing.T) {
	after := testGraph(200)
	for _, jobs := range []int{1, 2, 4, 8, 0} {
		done := make([]atomic.Bool, len(after))
		calls := make([]atomic.Int64, len(after))
		var b bound
		Ordered(jobs, after, func(i int) {
			b.enter()
			defer b.leave()
			calls[i].Add(1)
			for _, j := range after[i] {
				if !done[j].Load() {
					t.Errorf("jobs %d: f(%d) started before f(%d) returned", jobs, i, j)
				}
			}
			done[i].Store(true)
		})
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("jobs %d: f(%d) called %d times, want 1", jobs, i, c)
			}
		}
		if m := b.max.Load(); m > int64(Jobs(jobs)) {
			t.Errorf("jobs %d: %d calls at once", jobs, m)
		}
	}
}

func TestOrderedSequential(t *testing.T) {
	// With one goroutine the calls come in their numbering, whatever the edges.
	var got []int
	Ordered(1, testGraph(50), func(i int) { got = append(got, i) })
	want := make([]int, 50)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(got, want) {
		t.Errorf("Ordered(1, ...) called %v, want %v", got, want)
	}
}

func TestOrderedEmpty(t *testing.T) {
	Ordered(4, nil, func(i int) { t.Errorf("f(%d) called", i) })
	// Calls that wait for nothing all run.
	var mu sync.Mutex
	seen := map[int]bool{}
	Ordered(3, make([][]int, 10), func(i int) { mu.Lock(); seen[i] = true; mu.Unlock() })
	if len(seen) != 10 {
		t.Errorf("%d of 10 independent calls ran", len(seen))
	}
}

func TestOrderedBadEdge(t *testing.T) {
	for _, after := range [][][]int{{{}, {1}}, {{1}, {}}, {{}, {-1}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Ordered(%v) did not panic", after)
				}
			}()
			Ordered(2, after, func(i int) { t.Errorf("Ordered(%v) called f(%d)", after, i) })
		}()
	}
}
