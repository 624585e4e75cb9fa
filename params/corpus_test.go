package params_test

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/params"
)

// TestModinfoAgreement decodes the __param table of every module of the
// corpus through its relocations and checks that it agrees with what kmod's
// modinfo shows: for each module, the "parm:" lines modinfo prints are
// rebuilt from golink's decoding — the name and description from .modinfo,
// the type from the ops symbol the __param entry's relocation names (not
// from parmtype=) wherever the ops are standard — and compared line for
// line, in modinfo's order.
func TestModinfoAgreement(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) { testModinfo(t, abi) })
	}
}

func modulePaths(t *testing.T, dir string) []string { return corpus.ModulePaths(t, dir) }

// modinfoParms runs modinfo -0 over paths and returns, per path, its
// "parm:" entries without the prefix.
func modinfoParms(t *testing.T, paths []string) map[string][]string {
	out := map[string][]string{}
	for len(paths) > 0 {
		n := min(len(paths), 500)
		cmd := exec.Command("modinfo", append([]string{"-0"}, paths[:n]...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("modinfo: %v\n%s", err, stderr.String())
		}
		cur := ""
		for _, f := range strings.Split(string(b), "\x00") {
			switch {
			case strings.HasPrefix(f, "filename:"):
				cur = strings.TrimSpace(strings.TrimPrefix(f, "filename:"))
				out[cur] = out[cur][:0:0]
			case strings.HasPrefix(f, "parm:"):
				out[cur] = append(out[cur], strings.TrimPrefix(f, fmt.Sprintf("%-16s", "parm:")))
			}
		}
		paths = paths[n:]
	}
	return out
}

func testModinfo(t *testing.T, abi string) {
	dir := corpus.Dir(t, abi)
	corpus.Tools(t)
	paths := modulePaths(t, corpus.Modules(dir, abi))
	if len(paths) == 0 {
		t.Fatal("no modules")
	}
	kmod := modinfoParms(t, paths)
	var onlyModinfo, withParams, entries, standard, checkedTypes, custom, customTyped, noModinfo, lines int
	kinds := map[string]int{}
	bad := 0
	for _, path := range paths {
		f, err := gelf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := params.Decode(f)
		if err != nil {
			t.Errorf("%v", err)
			bad++
			continue
		}
		var modinfo []byte
		if i := f.SectionByName(".modinfo", elf.SHF_ALLOC); i != 0 {
			modinfo = f.Bytes(i)
		}
		merged := params.Merge(ps, modinfo)
		byName := map[string]*params.Param{}
		for i := range merged {
			if byName[merged[i].Name] == nil {
				byName[merged[i].Name] = &merged[i]
			}
		}
		for i := range merged {
			if !merged[i].InParamTable {
				onlyModinfo++
			}
		}
		if len(ps) > 0 {
			withParams++
		}
		for _, p := range ps {
			entries++
			kinds[p.OpsType()]++
			mp := byName[p.Name]
			switch {
			case p.Kind == params.Custom:
				custom++
				if mp.HasModinfoType {
					customTyped++
				}
			default:
				standard++
				if mp.HasModinfoType {
					checkedTypes++
				}
			}
			if !mp.HasModinfoType && !mp.HasDesc {
				noModinfo++
			}
		}
		// modinfo prints parameters in reverse order of first mention.
		mi := params.ParseModinfo(modinfo)
		var got []string
		for i := len(mi) - 1; i >= 0; i-- {
			p := byName[mi[i].Name]
			typ := p.Type()
			switch {
			case !p.HasDesc:
				got = append(got, p.Name+":"+typ)
			case p.HasModinfoType:
				got = append(got, p.Name+":"+p.Desc+" ("+typ+")")
			default:
				got = append(got, p.Name+":"+p.Desc)
			}
		}
		want := kmod[path]
		lines += len(want)
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			bad++
			if bad <= 20 {
				t.Errorf("%s:\n golink: %q\n modinfo: %q", path, got, want)
			}
		}
	}
	t.Logf("%d modules, %d with __param; %d entries: %d standard ops (%d with a parmtype= checked against the ops), %d custom ops (%d with a parmtype=), %d in neither parm= nor parmtype=; %d named only in .modinfo; %d modinfo parm lines reproduced",
		len(paths), withParams, entries, standard, checkedTypes, custom, customTyped, noModinfo, onlyModinfo, lines)
	var ks []string
	for k, n := range kinds {
		ks = append(ks, fmt.Sprintf("%q:%d", k, n))
	}
	sort.Strings(ks)
	t.Logf("types: %s", strings.Join(ks, " "))
	if bad > 0 {
		t.Errorf("%d of %d modules disagree with modinfo", bad, len(paths))
	}
}
