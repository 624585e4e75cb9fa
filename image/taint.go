package image

import "strings"

// Taint is a set of the kernel's taint flags (include/linux/panic.h), as
// loading a module sets them on it.
type Taint uint32

// The taints a module load can set; the values are the kernel's bit numbers.
const (
	TaintProprietary Taint = 1 << 0  // P: a license that is not GPL-compatible
	TaintForced      Taint = 1 << 1  // F: loaded by force (versions or vermagic missing or ignored)
	TaintCrap        Taint = 1 << 10 // C: from the staging directory
	TaintOOT         Taint = 1 << 12 // O: out of tree (no intree=Y)
	TaintUnsigned    Taint = 1 << 13 // E: no signature
	TaintLivepatch   Taint = 1 << 15 // K: a livepatch module
	TaintTest        Taint = 1 << 18 // N: a test module

	// WarnedOnce stands, in LogLine.Once, for the kernel's pr_warn_once:
	// the line is printed at most once per boot. It is no taint flag.
	WarnedOnce Taint = 1 << 31
)

// taintLetters are the kernel's letters (kernel/panic.c taint_flags) for the
// taints a module shows, in bit order.
var taintLetters = []struct {
	t Taint
	c byte
}{{TaintProprietary, 'P'}, {TaintForced, 'F'}, {TaintCrap, 'C'}, {TaintOOT, 'O'}, {TaintUnsigned, 'E'},
	{TaintLivepatch, 'K'}, {TaintTest, 'N'}}

// String returns the letters the kernel shows for a module's taints
// (/proc/modules' "(PO)" without the parentheses), "" for none.
func (t Taint) String() string {
	var b strings.Builder
	for _, l := range taintLetters {
		if t&l.t != 0 {
			b.WriteByte(l.c)
		}
	}
	return b.String()
}

// LogLine is one line the kernel would print loading a module. Lines with
// Once set are printed only while the kernel is not yet tainted with it (the
// kernel's "taints kernel" messages), so that across several loads each
// appears once; see KernelLog.
type LogLine struct {
	Text string
	Once Taint
}

// KernelLog is the kernel's log across loads: what it prints as modules
// load one after another, each "taints kernel" message once per taint and
// each pr_warn_once line once. The zero value is a kernel that has loaded
// nothing. It is not safe for concurrent use.
type KernelLog struct {
	tainted Taint
}

// Load returns the lines the kernel prints for one load whose log is
// lines, then records the taints that load set.
func (k *KernelLog) Load(lines []LogLine, taints Taint) []string {
	var out []string
	for _, l := range lines {
		if l.Once != 0 && k.tainted&l.Once != 0 {
			continue
		}
		out = append(out, l.Text)
		if l.Once == WarnedOnce {
			k.tainted |= WarnedOnce
		}
	}
	k.tainted |= taints
	return out
}

// Tainted returns the taints of every load so far (without WarnedOnce).
func (k *KernelLog) Tainted() Taint { return k.tainted &^ WarnedOnce }
