//go:build !golink_purego

package lifecycle

// The fast path needs what the kernel's this_cpu_inc has: the number of the
// CPU the caller runs on, with preemption off for the moment it takes to
// bump that CPU's counter. Go's runtime has exactly this for sync.Pool —
// procPin disables preemption of the calling goroutine and returns its P's
// id, procUnpin re-enables it — and keeps both reachable by go:linkname
// for the packages that already use them. Nothing else offers per-P
// affinity: a shard chosen at random costs a cache miss on every operation
// once two goroutines run (the line was last written by another core), and
// a sync.Pool of shards costs more than the counter itself.
//
// The blank import of unsafe is the price of //go:linkname; no pointer
// arithmetic happens here. Build with -tags golink_purego for a variant
// without it (random shards: correct, slower under contention).

import _ "unsafe" // for go:linkname only

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// tryGet is try_module_get: a reference, if the module is live.
func (r *refcount) tryGet() bool {
	s := &r.shards[procPin()&r.mask]
	s.gets.Add(1)
	procUnpin()
	if r.live.Load() {
		return true
	}
	s.puts.Add(1) // give it back on the same shard, then wake a remover
	r.woken()
	return false
}

// get is __module_get: a reference whatever the flag says, for a caller
// that holds one already.
func (r *refcount) get() {
	r.shards[procPin()&r.mask].gets.Add(1)
	procUnpin()
}

// put is module_put.
func (r *refcount) put() {
	r.shards[procPin()&r.mask].puts.Add(1)
	procUnpin()
	if r.waiting.Load() {
		r.woken()
	}
}
