package ia64_test

import (
	"bufio"
	"regexp"
	"strconv"
	"strings"
)

// dumpInsn is one instruction as objdump prints it.
type dumpInsn struct {
	text string
}

var dumpLine = regexp.MustCompile(`^([0-9a-f]+):\t[0-9a-f ]+\t(?:\[[A-Z]{3}\])?\s*(.*)$`)

// parseObjdump maps each slot address (bundle + slot, as relocations
// address them) to objdump's text for it. objdump prints slots at bundle
// offsets 0, 6 and 12; the L+X instruction of an MLX bundle is printed once,
// at offset 6, and stands for slots 1 and 2.
func parseObjdump(s string) map[uint64]dumpInsn {
	m := map[uint64]dumpInsn{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		g := dumpLine.FindStringSubmatch(sc.Text())
		if g == nil {
			continue
		}
		a, err := strconv.ParseUint(g[1], 16, 64)
		if err != nil {
			continue
		}
		text := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(g[2]), ";;"))
		b := a &^ 15
		switch a & 15 {
		case 0:
			m[b] = dumpInsn{text}
		case 6:
			m[b+1] = dumpInsn{text}
			if strings.HasPrefix(text, "movl") || strings.HasPrefix(text, "brl") {
				m[b+2] = dumpInsn{text}
			}
		case 12:
			m[b+2] = dumpInsn{text}
		}
	}
	return m
}

var (
	reHexTarget = regexp.MustCompile(`(?:=|\s)([0-9a-f]{6,16})(?:\s+<[^>]*>)?$`)
	reMovl      = regexp.MustCompile(`^movl r(\d+)=0x([0-9a-f]+)$`)
	reAddl      = regexp.MustCompile(`^addl r\d+=(-?\d+),r(\d+)$`)
	reMovImm    = regexp.MustCompile(`^mov r\d+=(-?\d+)$`) // addl r=imm,r0
)

// branchTarget reads the target of a br/brl from objdump's text.
func (d dumpInsn) branchTarget() (uint64, bool) {
	if !strings.Contains(d.text, "br") {
		return 0, false
	}
	g := reHexTarget.FindStringSubmatch(d.text)
	if g == nil {
		return 0, false
	}
	v, err := strconv.ParseUint(g[1], 16, 64)
	return v, err == nil
}

func (d dumpInsn) movl() (uint64, bool) {
	g := reMovl.FindStringSubmatch(d.text)
	if g == nil {
		return 0, false
	}
	v, err := strconv.ParseUint(g[2], 16, 64)
	return v, err == nil
}

func (d dumpInsn) addl() (int64, bool) {
	g := reAddl.FindStringSubmatch(d.text)
	if g == nil {
		if g = reMovImm.FindStringSubmatch(d.text); g == nil {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(g[1], 10, 64)
	return v, err == nil
}
