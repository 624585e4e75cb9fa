package modversions

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeEncode(t *testing.T) {
	want := []Version{{"module_layout", 0x160c03af}, {"_printk", 0x92997ed8}, {strings.Repeat("x", NameLen-1), 0xffffffff}}
	b, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 3*EntrySize {
		t.Fatalf("Encode: %d bytes, want %d", len(b), 3*EntrySize)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Decode(Encode(x)) (-want +got):\n%s", d)
	}
	if _, err := Encode([]Version{{strings.Repeat("x", NameLen), 1}}); err == nil {
		t.Errorf("Encode accepted a %d-byte name", NameLen)
	}
}

func TestDecodeErrors(t *testing.T) {
	full := make([]byte, EntrySize)
	for i := 8; i < EntrySize; i++ {
		full[i] = 'a'
	}
	for _, tc := range []struct {
		name string
		in   []byte
		off  int64
	}{
		{"partial entry", make([]byte, EntrySize+1), -1},
		{"unterminated name", full, 8},
	} {
		_, err := Decode(tc.in)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: Decode error %v, want *FormatError", tc.name, err)
			continue
		}
		if fe.Offset != tc.off || fe.Section != SectionVersions {
			t.Errorf("%s: %+v, want offset %d in %s", tc.name, fe, tc.off, SectionVersions)
		}
	}
}

func TestDecodeExtended(t *testing.T) {
	crcs := []byte{1, 0, 0, 0, 2, 0, 0, 0}
	got, err := DecodeExtended(crcs, []byte("a_very_long_rust_symbol_name_"+strings.Repeat("z", 100)+"\x00b\x00extra\x00"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Version{{"a_very_long_rust_symbol_name_" + strings.Repeat("z", 100), 1}, {"b", 2}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	_, err = DecodeExtended(crcs, []byte("a\x00b"))
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Msg != "more extended version crcs than names" {
		t.Errorf("names short of CRCs: %v", err)
	}
}

func TestCheck(t *testing.T) {
	v := &Versions{HasBasic: true, Basic: []Version{{"module_layout", 0x160c03af}, {"kfree", 0x037a0cba}, {"kfree", 0xdead}}}
	for _, tc := range []struct {
		sym    string
		crc    uint32
		hasCRC bool
		want   Verdict
		errno  int
		msg    string
	}{
		{"kfree", 0x037a0cba, true, OK, 0, ""},
		{"kfree", 0x037a0cbb, true, Disagrees, -EINVAL, "dummy: disagrees about version of symbol kfree"},
		{"kfree", 1, false, OK, 0, ""},
		{"msleep", 1, true, NoSymbolVersion, 0, "dummy: no symbol version for msleep"},
		{"module_layout", 0x160c03ae, true, Disagrees, -ENOEXEC, "dummy: disagrees about version of symbol module_layout"},
	} {
		got, err := v.Check("dummy", tc.sym, tc.crc, tc.hasCRC)
		if got != tc.want {
			t.Errorf("Check(%s, %#x, %v) = %v, want %v", tc.sym, tc.crc, tc.hasCRC, got, tc.want)
		}
		var de *DisagreeError
		if errors.As(err, &de) != (tc.want == Disagrees) {
			t.Errorf("Check(%s, %#x): error %v", tc.sym, tc.crc, err)
		}
		if de != nil && (de.Errno != tc.errno || de.Symbol != tc.sym || de.ExportCRC != tc.crc) {
			t.Errorf("Check(%s, %#x): %+v", tc.sym, tc.crc, de)
		}
		if m := v.Message(got, "dummy", tc.sym); m != tc.msg {
			t.Errorf("Message(%v) = %q, want %q", got, m, tc.msg)
		}
	}
	if got, err := v.CheckModuleLayout("dummy", 0x160c03af, true); got != OK || err != nil {
		t.Errorf("CheckModuleLayout: %v, %v", got, err)
	}
	none := &Versions{}
	if got, _ := none.Check("dummy", "kfree", 1, true); got != Forced {
		t.Errorf("no __versions: %v, want Forced", got)
	}
	ext := &Versions{HasBasic: true, Basic: []Version{{"kfree", 1}}, HasExt: true, Ext: []Version{{"kfree", 2}}}
	if got, _ := ext.Check("m", "kfree", 2, true); got != OK {
		t.Errorf("extended table not preferred: %v", got)
	}
	if m := ext.Message(NoSymbolVersion, "m", "x"); m != "m: no extended symbol version for x" {
		t.Errorf("extended message %q", m)
	}
}

func TestTryForceLoad(t *testing.T) {
	if msg, err := TryForceLoad("m", "bad vermagic", true, false); err != nil || msg != "m: bad vermagic: kernel tainted." {
		t.Errorf("allowed: %q, %v", msg, err)
	}
	if msg, err := TryForceLoad("m", "kfree", true, true); err != nil || msg != "" {
		t.Errorf("already tainted: %q, %v", msg, err)
	}
	var fe *ForceLoadError
	if _, err := TryForceLoad("m", "module_layout", false, false); !errors.As(err, &fe) || fe.Reason != "module_layout" {
		t.Errorf("not allowed: %v", err)
	}
}

func TestSameMagic(t *testing.T) {
	const k = "6.1.0-47-amd64 SMP preempt mod_unload modversions "
	for _, tc := range []struct {
		mod     string
		hasCRCs bool
		want    bool
	}{
		{k, true, true},
		{"6.1.0-46-amd64 SMP preempt mod_unload modversions ", true, true},
		{"6.1.0-46-amd64 SMP preempt mod_unload modversions ", false, false},
		{"6.1.0-47-amd64 SMP preempt mod_unload modversions", true, false},
		{"6.1.0-47-rt-amd64 SMP preempt_rt mod_unload modversions ", true, false},
		{"6.1.0-47-amd64", true, false},
	} {
		if got := SameMagic(tc.mod, k, tc.hasCRCs); got != tc.want {
			t.Errorf("SameMagic(%q, hasCRCs=%v) = %v, want %v", tc.mod, tc.hasCRCs, got, tc.want)
		}
	}
	_, err := CheckVermagic("dummy", "6.1.0-47-rt-amd64 SMP preempt_rt mod_unload modversions ", true, k, true)
	var ve *VermagicError
	if !errors.As(err, &ve) {
		t.Fatalf("CheckVermagic: %v", err)
	}
	want := "dummy: version magic '6.1.0-47-rt-amd64 SMP preempt_rt mod_unload modversions ' should be '" + k + "'"
	if ve.Error() != want {
		t.Errorf("got %q\nwant %q", ve.Error(), want)
	}
	if v, err := CheckVermagic("dummy", "", false, k, true); v != Forced || err != nil {
		t.Errorf("missing vermagic: %v, %v", v, err)
	}
}

// The CRCs below are those of Debian's 6.1.0-47-amd64 Module.symvers.
func TestGenksymsCRC(t *testing.T) {
	if got := CRC("module_layout"); got != 0x90392bcd {
		t.Errorf("CRC(module_layout) = %#x", got)
	}
	for _, tc := range []struct {
		tokens string
		want   uint32
	}{
		{"void schedule ( void )", 0x01000e51},
		{"void msleep ( unsigned int )", 0xf9a482f9},
		{"unsigned int nr_cpu_ids", 0x017de3d5},
		{"void kfree ( const void * )", 0x037a0cba},
	} {
		if got := TokenCRC(strings.Fields(tc.tokens)); got != tc.want {
			t.Errorf("TokenCRC(%s) = %#08x, want %#08x", tc.tokens, got, tc.want)
		}
	}
	st, err := ParseSymtypes(strings.NewReader(`t#__kernel_ulong_t typedef unsigned long __kernel_ulong_t
t#__kernel_size_t typedef t#__kernel_ulong_t __kernel_size_t
t#size_t typedef t#__kernel_size_t size_t
strlen t#size_t strlen ( const char * )
s#pair struct pair { t#size_t a ; s#pair * next ; }
pair_len t#size_t pair_len ( s#pair * , t#size_t )
broken s#nowhere * broken ( void )
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.CRC("strlen"); err != nil || got != 0x754d539c {
		t.Errorf("CRC(strlen) = %#08x, %v; want 0x754d539c", got, err)
	}
	toks, err := st.Expand("pair_len")
	if err != nil {
		t.Fatal(err)
	}
	want := "typedef typedef typedef unsigned long __kernel_ulong_t __kernel_size_t size_t pair_len ( struct pair { size_t a ; struct pair * next ; } * , size_t )"
	if got := strings.Join(toks, " "); got != want {
		t.Errorf("Expand(pair_len):\n got %s\nwant %s", got, want)
	}
	var se *SymtypesError
	if _, err := st.CRC("broken"); !errors.As(err, &se) || !strings.Contains(se.Msg, "expand undefined s#nowhere") {
		t.Errorf("undefined struct: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := Encode([]Version{{"module_layout", 1}})
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, err := Decode(b)
		if err != nil {
			return
		}
		if out, err := Encode(vs); err == nil && len(out) != len(b) {
			t.Fatalf("re-encoded %d bytes as %d", len(b), len(out))
		}
	})
}

func FuzzDecodeExtended(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0}, []byte("a\x00"))
	f.Fuzz(func(t *testing.T, crcs, names []byte) {
		vs, err := DecodeExtended(crcs, names)
		if err == nil && len(vs) != len(crcs)/4 {
			t.Fatalf("%d entries from %d CRC bytes", len(vs), len(crcs))
		}
	})
}

func FuzzSymtypes(f *testing.F) {
	f.Add("t#a typedef int a\ns#s struct s { t#a x ; s#s * n ; }\nf s#s f ( t#a )\n", "f")
	f.Add("t#a t#b\nt#b t#a\nx t#a\n", "x")
	f.Fuzz(func(t *testing.T, text, sym string) {
		st, err := ParseSymtypes(strings.NewReader(text))
		if err != nil {
			return
		}
		st.CRC(sym)
	})
}

// DecodeLoose reads names as kmod does, as C strings that may run past
// their 56 bytes; Decode refuses them.
func TestDecodeLoose(t *testing.T) {
	b := make([]byte, 2*EntrySize)
	b[0] = 0x11
	copy(b[8:], strings.Repeat("a", NameLen)) // no NUL in entry 0's name
	copy(b[EntrySize:], "bbbbbbbb")           // entry 1's CRC bytes continue it
	copy(b[EntrySize+8:], "x")
	got, err := DecodeLoose(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Version{{Name: strings.Repeat("a", NameLen) + "bbbbbbbbx", CRC: 0x11}, {Name: "x", CRC: 0x6262626262626262}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("DecodeLoose (-want +got):\n%s", d)
	}
	if _, err := Decode(b); err == nil {
		t.Error("Decode accepted a name without its NUL")
	}
	var fe *FormatError
	if _, err := DecodeLoose(b[:EntrySize+1]); !errors.As(err, &fe) {
		t.Errorf("partial entry: %v, want a *FormatError", err)
	}
}
