//go:build golink_purego

package lifecycle

import "math/rand/v2"

// add adds d to a shard chosen at random: without the runtime's P id there
// is no affinity, so the shards only spread contention.
func (r *refcount) add(d int64) {
	r.shards[int(rand.Uint32())&r.mask].n.Add(d)
}
