package lifecycle

import (
	"context"
	"math/bits"
	"runtime"
	"sync/atomic"
)

// shard is one CPU's part of a module's reference count, alone on its
// cache lines (128 bytes: the adjacent-line prefetcher pulls pairs). Both
// counters only grow: gets counts references taken, puts references
// dropped.
type shard struct {
	gets, puts atomic.Int64
	_          [112]byte
}

// refcount is the 2002 design: a live flag and a counter split per CPU.
// Taking a reference bumps the calling CPU's shard, then checks the flag;
// nothing on that path is shared and written by every CPU, so it costs the
// same on one core as on many. Only removal adds the shards up.
//
// Why it is safe without a lock (every operation is sequentially
// consistent, as sync/atomic's are):
//
//   - tryGet counts a get, then loads live. Removal stores live=false,
//     then sums. If tryGet saw live=true, its get came before the store and
//     so before the sum: the sum counts it. If it saw false it counts a put
//     and fails; the sum may have caught the get and not yet the put, which
//     can only make removal wait longer, never shorter.
//   - A get and its put may land on different shards (the goroutine moved
//     between them), and gets and puts happen while the shards are read one
//     by one. count therefore reads every puts counter first and every
//     gets counter after: as both only grow, the puts it sees are at most
//     those made by the moment it finished the first pass, and the gets at
//     least those made by then. The difference is at least the number of
//     references held at that moment — too high perhaps, never too low. So
//     a count of zero means that at that moment nobody held a reference,
//     and with live clear nobody can take one again: not even by get,
//     which only a holder may call.
//   - put counts, then loads waiting; the remover stores waiting=true,
//     then sums. A put that saw waiting=false is counted by that sum, so the
//     remover never sleeps through the last put.
type refcount struct {
	live    atomic.Bool
	waiting atomic.Bool
	wake    chan struct{}
	mask    int
	shards  []shard
}

// init makes one shard per CPU the process may run on (a power of two); a
// P whose id is larger, if GOMAXPROCS grows later, shares one — correct,
// as every shard is atomic, merely no longer private.
func (r *refcount) init() {
	n := max(runtime.GOMAXPROCS(0), runtime.NumCPU(), 1)
	n = 1 << bits.Len(uint(n-1))
	r.wake, r.mask, r.shards = make(chan struct{}, 1), n-1, make([]shard, n)
}

// woken tells a remover waiting in drain to look at the count again.
func (r *refcount) woken() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// count returns the references held: exact when nobody is taking or
// dropping one, otherwise at least the number held at some moment during
// the call (see refcount).
func (r *refcount) count() int64 {
	var puts, gets int64
	for i := range r.shards {
		puts += r.shards[i].puts.Load()
	}
	for i := range r.shards {
		gets += r.shards[i].gets.Load()
	}
	return gets - puts
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
