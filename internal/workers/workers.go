package workers

import (
	"container/heap"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Jobs returns the number of goroutines a jobs argument means: jobs itself,
// or runtime.GOMAXPROCS(0) when jobs <= 0.
func Jobs(jobs int) int {
	if jobs <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return jobs
}

// Run calls f(i) for every i in [0, n), on at most jobs goroutines at a time
// (jobs <= 0 means runtime.GOMAXPROCS(0)), and returns when every call has
// returned. Calls are started in increasing i; f must be safe for
// concurrent use when jobs > 1.
func Run(n, jobs int, f func(i int)) {
	jobs = min(Jobs(jobs), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

// Ordered calls f(i) for every i in [0, len(after)), on at most jobs
// goroutines at a time (jobs <= 0 means runtime.GOMAXPROCS(0)), starting
// f(i) only once f(j) has returned for every j in after[i]; it returns when
// every call has returned.
//
// Every j in after[i] must be in [0, i): the numbering is then a
// topological order of the graph, which can have no cycle, and a caller
// that numbers its tasks in the order a sequential run would take them gets
// that run's outcome whenever after orders, directly or through others,
// every two tasks that do not commute. Of the calls free to start, the lowest i starts first; with
// jobs == 1 the calls are f(0), f(1), ... in turn. An edge that breaks the
// rule is the caller's bug, and Ordered panics before calling anything.
func Ordered(jobs int, after [][]int, f func(i int)) {
	n := len(after)
	pending := make([]int, n)
	next := make([][]int, n) // next[j]: the calls waiting for j
	var ready minHeap
	for i, js := range after {
		for _, j := range js {
			if j < 0 || j >= i {
				panic(fmt.Sprintf("workers.Ordered: call %d waits for %d, not an earlier call", i, j))
			}
			next[j] = append(next[j], i)
		}
		pending[i] = len(js)
		if pending[i] == 0 {
			ready = append(ready, i) // increasing: already a heap
		}
	}

	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	started := 0
	var wg sync.WaitGroup
	for range min(Jobs(jobs), n) {
		wg.Go(func() {
			mu.Lock()
			for {
				for len(ready) == 0 && started < n {
					cond.Wait()
				}
				if started == n {
					mu.Unlock()
					return
				}
				i := heap.Pop(&ready).(int)
				if started++; started == n {
					cond.Broadcast() // the idle workers are done
				}
				mu.Unlock()
				f(i)
				mu.Lock()
				for _, d := range next[i] {
					if pending[d]--; pending[d] == 0 {
						heap.Push(&ready, d)
						cond.Signal()
					}
				}
			}
		})
	}
	wg.Wait()
}

// minHeap is a container/heap of call indexes, lowest first.
type minHeap []int

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(a, b int) bool { return h[a] < h[b] }
func (h minHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
