package kmod

import (
	"fmt"
	"os"
	"strings"

	"github.com/golink/golink/symtab"
)

// addFakeSymbols adds what the kernel's loader provides without exporting.
func (d *Depmod) addFakeSymbols() {
	d.addSymbol("__this_module", true, 0, nil)
	d.addSymbol("_GLOBAL_OFFSET_TABLE_", true, 0, nil)
}

// loadSymvers reads the vmlinux rows of a Module.symvers as kmod does:
// fields split on spaces and tabs, the CRC parsed with strtoull(…, 16).
func (d *Depmod) loadSymvers(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("could not load %s: %w", path, err)
	}
	// strtok(line, " \t"): the newline stays on the last field, so a
	// three-field line's "vmlinux\n" does not count.
	for ln, line := range strings.SplitAfter(string(b), "\n") {
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
		if len(f) < 3 || f[2] != "vmlinux" {
			continue
		}
		crc, ok := strtoull16(f[0])
		if !ok {
			d.warnf("ERROR", "%s:%d Invalid symbol version %s: %v\n", path, ln+1, f[0], "Success")
			continue
		}
		d.addSymbol(f[1], false, crc, nil)
	}
	d.addFakeSymbols()
	return nil
}

// strtoull16 parses like strtoull(s, &end, 16) with *end required to be
// the end: optional space and sign, optional 0x, hex digits; overflow
// saturates.
func strtoull16(s string) (uint64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
		s = s[2:]
	}
	if s == "" {
		return 0, false
	}
	var v uint64
	over := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isHex(c) {
			return 0, false
		}
		if v>>60 != 0 {
			over = true
		}
		v = v<<4 | uint64(hexVal(c))
	}
	if over {
		return ^uint64(0), true
	}
	if neg {
		v = -v
	}
	return v, true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// loadSystemMap reads the __ksymtab_ symbols of a System.map as kmod
// does: the text after the second space of each line.
func (d *Depmod) loadSystemMap(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("could not load %s: %w", path, err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	for ln, line := range lines {
		if line == "" {
			continue
		}
		_, p, ok := strings.Cut(line, " ")
		if ok {
			_, p, ok = strings.Cut(p, " ")
		}
		if !ok {
			d.warnf("ERROR", "%s:%d: invalid line: %s", path, ln+1, line)
			continue
		}
		if d.cfg.SymPrefix != 0 && len(p) > 0 && p[0] == d.cfg.SymPrefix {
			p = p[1:]
		}
		if !strings.HasPrefix(p, symtab.KsymtabPrefix) {
			continue
		}
		p = strings.TrimSuffix(p, "\n")
		if i := strings.IndexByte(p, '\n'); i >= 0 {
			p = p[:i]
		}
		d.addSymbol(p[len(symtab.KsymtabPrefix):], true, 0, nil)
	}
	d.addFakeSymbols()
	return nil
}
