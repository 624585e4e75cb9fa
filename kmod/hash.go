package kmod

import (
	"encoding/binary"
	"sort"
	"strings"
)

// HashSuperFast is the string hash of kmod's hash tables (Paul Hsieh's
// SuperFastHash over the key's bytes, without its NUL). kmod's tables put
// a key in bucket HashSuperFast(key) & (buckets-1) and keep each bucket
// sorted with strcmp, so iterating one visits buckets in order and keys
// in byte order within each: depmod writes modules.symbols in that order
// and numbers modules in it before sorting them by modules.order.
//
// The bytes are read as C's char, which is signed on x86: a byte >= 0x80
// in the tail contributes its sign-extended value.
func HashSuperFast(key string) uint32 {
	n := uint32(len(key))
	hash := n
	rem := n & 3
	b := []byte(key)
	for len(b) >= 4 {
		hash += uint32(binary.LittleEndian.Uint16(b))
		tmp := uint32(binary.LittleEndian.Uint16(b[2:]))<<11 ^ hash
		hash = hash<<16 ^ tmp
		b = b[4:]
		hash += hash >> 11
	}
	switch rem {
	case 3:
		hash += uint32(binary.LittleEndian.Uint16(b))
		hash ^= hash << 16
		hash ^= uint32(int32(int8(b[2]))) << 18
		hash += hash >> 11
	case 2:
		hash += uint32(binary.LittleEndian.Uint16(b))
		hash ^= hash << 11
		hash += hash >> 17
	case 1:
		hash += uint32(int32(int8(b[0])))
		hash ^= hash << 10
		hash += hash >> 1
	}
	hash ^= hash << 3
	hash += hash >> 5
	hash ^= hash << 4
	hash += hash >> 17
	hash ^= hash << 25
	hash += hash >> 6
	return hash
}

// hashOrder sorts keys into the iteration order of a kmod hash table
// with the given number of buckets (a power of two).
func hashOrder(keys []string, buckets uint32) {
	type kb struct {
		key    string
		bucket uint32
	}
	tmp := make([]kb, len(keys))
	for i, k := range keys {
		tmp[i] = kb{k, HashSuperFast(k) & (buckets - 1)}
	}
	sort.Slice(tmp, func(i, j int) bool {
		if tmp[i].bucket != tmp[j].bucket {
			return tmp[i].bucket < tmp[j].bucket
		}
		return strings.Compare(tmp[i].key, tmp[j].key) < 0
	})
	for i := range tmp {
		keys[i] = tmp[i].key
	}
}
