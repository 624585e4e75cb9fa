package kmod

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// cfgSearch is one entry of a depmod.d "search" line.
type cfgSearch struct {
	path    string
	builtin bool // the "built-in" keyword: the kernel's own directories
}

// loadDepmodConfig reads depmod.d configuration as kmod does: the .conf
// files of each path (or the path itself if it is a file), a file name
// seen in an earlier path hiding later ones, parsed in name order. It
// returns the search list (highest priority first; "updates" alone when
// no file has a search line) and the overrides ("subdir/modname").
func loadDepmodConfig(paths []string, version string, d *Depmod) ([]cfgSearch, []string) {
	if paths == nil {
		paths = DefaultConfigPaths
	}
	files := map[string]string{} // base name -> path
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if !st.IsDir() {
			if _, dup := files[filepath.Base(p)]; !dup {
				files[filepath.Base(p)] = p
			}
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			d.warnf("ERROR", "files list %s: %v\n", p, err)
			continue
		}
		for _, e := range ents {
			n := e.Name()
			if strings.HasPrefix(n, ".") || len(n) < 6 || !strings.HasSuffix(n, ".conf") || e.IsDir() {
				continue
			}
			if _, dup := files[n]; !dup {
				files[n] = filepath.Join(p, n)
			}
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var searches []cfgSearch
	var overrides []string
	for _, n := range names {
		f, err := os.Open(files[n])
		if err != nil {
			d.warnf("ERROR", "file parse %s: %v\n", files[n], err)
			continue
		}
		sc := bufio.NewScanner(f)
		ln := 0
		for sc.Scan() {
			ln++
			line := sc.Text()
			if line == "" || line[0] == '#' {
				continue
			}
			fields := strings.Fields(line)
			if len(fields) == 0 {
				continue
			}
			switch fields[0] {
			case "search":
				for _, s := range fields[1:] {
					searches = append(searches, cfgSearch{path: s, builtin: s == "built-in"})
				}
			case "override":
				if len(fields) < 4 {
					d.warnf("ERROR", "%s:%d: ignoring bad line starting with '%s'\n", files[n], ln, fields[0])
					continue
				}
				if kernelMatches(fields[2], version) {
					overrides = append(overrides, fields[3]+"/"+fields[1])
				}
			case "include", "make_map_files":
			default:
				d.warnf("ERROR", "%s:%d: ignoring bad line starting with '%s'\n", files[n], ln, fields[0])
			}
		}
		f.Close()
	}
	if searches == nil {
		searches = []cfgSearch{{path: "updates"}}
	}
	return searches, overrides
}

// kernelMatches is cfg_kernel_matches: "*" or an extended regular
// expression searched in the version.
func kernelMatches(pattern, version string) bool {
	if pattern == "*" {
		return true
	}
	re, err := regexp.CompilePOSIX(pattern)
	return err == nil && re.MatchString(version)
}
