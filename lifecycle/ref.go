package lifecycle

import (
	"context"
	"math/bits"
	"runtime"
	"sync/atomic"
)

// shard is one CPU's part of a module's reference count, alone on its
// cache lines (128 bytes: the adjacent-line prefetcher pulls pairs).
type shard struct {
	n atomic.Int64
	_ [120]byte
}

// refcount is the 2002 design: a live flag and a counter split per CPU.
// Taking a reference bumps the calling CPU's shard, then checks the flag;
// nothing on that path is shared and written by every CPU, so it costs the
// same on one core as on many. The sum of the shards is the count; only
// removal reads it.
//
// Why it is safe without a lock (every operation is sequentially
// consistent, as sync/atomic's are):
//
//   - tryGet increments, then loads live. stop stores live=false, then sums.
//     If tryGet saw live=true, its increment came before the store and so
//     before the sum: the sum counts it. If it saw false it gives the
//     reference back and fails; the sum may have caught the transient +1,
//     which can only make removal wait longer, never shorter.
//   - A put may land on another shard than its get (the goroutine moved):
//     the sum is still exact once both have happened, and a sum taken in
//     between sees the get and perhaps not the put — too high, not too low.
//   - put decrements, then loads waiting; the remover stores waiting=true,
//     then sums. A put that saw waiting=false is counted by that sum, so the
//     remover never sleeps through the last put.
type refcount struct {
	live    atomic.Bool
	waiting atomic.Bool
	wake    chan struct{}
	mask    int
	shards  []shard
}

func newRefcount() *refcount {
	n := max(runtime.GOMAXPROCS(0), runtime.NumCPU(), 1)
	n = 1 << bits.Len(uint(n-1)) // a power of two
	return &refcount{wake: make(chan struct{}, 1), mask: n - 1, shards: make([]shard, n)}
}

// tryGet is try_module_get: a reference, if the module is live.
func (r *refcount) tryGet() bool {
	r.add(1)
	if r.live.Load() {
		return true
	}
	r.put()
	return false
}

// get is __module_get: a reference whatever the flag says, for a caller
// that holds one already.
func (r *refcount) get() { r.add(1) }

// put is module_put.
func (r *refcount) put() {
	r.add(-1)
	if r.waiting.Load() {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// count sums the shards: exact when nobody is taking or dropping a
// reference, otherwise an upper bound once live is false.
func (r *refcount) count() int64 {
	var n int64
	for i := range r.shards {
		n += r.shards[i].n.Load()
	}
	return n
}

// drain waits until the count is zero. live must be false already.
func (r *refcount) drain(ctx context.Context) error {
	r.waiting.Store(true)
	defer r.waiting.Store(false)
	for r.count() > 0 {
		select {
		case <-r.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
