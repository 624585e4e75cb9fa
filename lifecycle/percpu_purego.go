//go:build golink_purego

package lifecycle

import "math/rand/v2"

// Without the runtime's P id there is no affinity: a shard chosen at
// random only spreads contention.

func (r *refcount) shard() *shard { return &r.shards[int(rand.Uint32())&r.mask] }

func (r *refcount) tryGet() bool {
	s := r.shard()
	s.gets.Add(1)
	if r.live.Load() {
		return true
	}
	s.puts.Add(1)
	r.woken()
	return false
}

func (r *refcount) get() { r.shard().gets.Add(1) }

func (r *refcount) put() {
	r.shard().puts.Add(1)
	if r.waiting.Load() {
		r.woken()
	}
}
