package golink

import (
	"bytes"
	"strings"
)

// Modinfo is the raw contents of a module's .modinfo section: "tag=value"
// strings separated by one or more NULs.
type Modinfo []byte

// ModinfoEntry is one "tag=value" string of .modinfo. Key is "" for a string
// without '=', which no tag matches.
type ModinfoEntry struct {
	Key, Value string
}

// Entries returns every non-empty string of the section in order. Like the
// kernel's get_next_modinfo, runs of NULs are skipped and a final string
// without a NUL ends at the section's end.
func (m Modinfo) Entries() []ModinfoEntry {
	var out []ModinfoEntry
	for _, s := range bytes.Split(m, []byte{0}) {
		if len(s) == 0 {
			continue
		}
		k, v, ok := strings.Cut(string(s), "=")
		if !ok {
			out = append(out, ModinfoEntry{Value: k})
			continue
		}
		out = append(out, ModinfoEntry{Key: k, Value: v})
	}
	return out
}

// Get returns the value of the first "tag=" string, as the kernel's
// get_modinfo does.
func (m Modinfo) Get(tag string) (string, bool) {
	for _, e := range m.Entries() {
		if e.Key == tag {
			return e.Value, true
		}
	}
	return "", false
}

// All returns the values of every "tag=" string in order.
func (m Modinfo) All(tag string) []string {
	var out []string
	for _, e := range m.Entries() {
		if e.Key == tag {
			out = append(out, e.Value)
		}
	}
	return out
}
