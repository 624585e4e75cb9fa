package params

import (
	"strings"

	"github.com/golink/golink/modinfo"
)

// ModinfoParam is what .modinfo says about one parameter: its
// parmtype=<name>:<type> and parm=<name>:<description> strings, merged by
// name as kmod's modinfo merges them (a later string replaces an earlier
// one of the same key).
type ModinfoParam struct {
	Name    string
	Type    string
	HasType bool
	Desc    string
	HasDesc bool
}

// ParseModinfo returns the parameters .modinfo describes, in the order of
// their first mention. mi is the section's raw contents: NUL separated
// "tag=value" strings (modinfo.Modinfo). Strings without a ':' after the tag are
// skipped, as kmod skips them.
func ParseModinfo(mi []byte) []ModinfoParam {
	var out []ModinfoParam
	idx := map[string]int{}
	for _, e := range modinfo.Modinfo(mi).Entries() {
		key, value := e.Key, e.Value
		if key != "parm" && key != "parmtype" {
			continue
		}
		name, rest, ok := strings.Cut(value, ":")
		if !ok {
			continue
		}
		i, seen := idx[name]
		if !seen {
			i = len(out)
			idx[name] = i
			out = append(out, ModinfoParam{Name: name})
		}
		if key == "parm" {
			out[i].Desc, out[i].HasDesc = rest, true
		} else {
			out[i].Type, out[i].HasType = rest, true
		}
	}
	return out
}

// Merge adds .modinfo's types and descriptions to the decoded parameters
// (matched by exact name, every entry of that name) and appends, with InParamTable false, the
// parameters .modinfo mentions but __param lacks. It returns a new slice.
func Merge(ps []Param, modinfo []byte) []Param {
	out := append([]Param(nil), ps...)
	byName := map[string][]int{}
	for i := range out {
		byName[out[i].Name] = append(byName[out[i].Name], i)
	}
	for _, m := range ParseModinfo(modinfo) {
		idx, ok := byName[m.Name]
		if !ok {
			idx = []int{len(out)}
			out = append(out, Param{Name: m.Name})
		}
		// A name twice in __param (two objects declaring it) gets the
		// description on both; parse_one only ever sets the first.
		for _, i := range idx {
			p := &out[i]
			p.ModinfoType, p.HasModinfoType = m.Type, m.HasType
			p.Desc, p.HasDesc = m.Desc, m.HasDesc
		}
	}
	return out
}
