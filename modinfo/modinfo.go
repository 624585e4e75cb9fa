package modinfo

import (
	"bytes"
	"iter"
	"strings"
)

// Modinfo is the raw contents of a module's .modinfo section: "tag=value"
// strings separated by one or more NULs.
type Modinfo []byte

// Entry is one "tag=value" string of .modinfo. Key is "" for a string
// without '=', which no tag matches.
type Entry struct {
	Key, Value string
}

// Entries returns every non-empty string of the section in order. Like the
// kernel's get_next_modinfo, runs of NULs are skipped and a final string
// without a NUL ends at the section's end.
func (m Modinfo) Entries() []Entry {
	var out []Entry
	for _, s := range bytes.Split(m, []byte{0}) {
		if len(s) == 0 {
			continue
		}
		k, v, ok := strings.Cut(string(s), "=")
		if !ok {
			out = append(out, Entry{Value: k})
			continue
		}
		out = append(out, Entry{Key: k, Value: v})
	}
	return out
}

// values yields, without allocating, the value of each "tag=" string.
func (m Modinfo) values(tag string) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for rest := []byte(m); len(rest) > 0; {
			s := rest
			if i := bytes.IndexByte(rest, 0); i >= 0 {
				s, rest = rest[:i], rest[i+1:]
			} else {
				rest = nil
			}
			if len(s) > len(tag) && s[len(tag)] == '=' && string(s[:len(tag)]) == tag {
				if !yield(s[len(tag)+1:]) {
					return
				}
			}
		}
	}
}

// Get returns the value of the first "tag=" string, as the kernel's
// get_modinfo does.
func (m Modinfo) Get(tag string) (string, bool) {
	for v := range m.values(tag) {
		return string(v), true
	}
	return "", false
}

// All returns the values of every "tag=" string in order.
func (m Modinfo) All(tag string) []string {
	var out []string
	for v := range m.values(tag) {
		out = append(out, string(v))
	}
	return out
}
