package params

import (
	"fmt"
	"strconv"
	"syscall"
	"testing"
)

// Cases follow lib/kstrtox.c's rules as the spec states them; each comment
// names the rule.
func TestKstrtoull(t *testing.T) {
	tests := []struct {
		s    string
		base uint
		want uint64
		err  error
	}{
		{"0", 0, 0, nil},
		{"10", 0, 10, nil},
		{"0x1f", 0, 31, nil},            // 0x + hex digit → base 16
		{"0X1F", 0, 31, nil},            // either case
		{"017", 0, 15, nil},             // leading 0 → octal
		{"08", 0, 0, syscall.EINVAL},    // 8 is not an octal digit: junk
		{"0x", 0, 0, syscall.EINVAL},    // base 0: "0" then junk "x"
		{"0x", 16, 0, syscall.EINVAL},   // base 16: prefix skipped, no digits
		{"0xg", 0, 0, syscall.EINVAL},   // 0x not followed by a hex digit → octal 0 then junk
		{"1f", 16, 31, nil},             // explicit base without prefix
		{"0x1f", 16, 31, nil},           // explicit base 16 skips 0x
		{"+5", 0, 5, nil},               // one leading '+'
		{"++5", 0, 0, syscall.EINVAL},   // only one
		{"-5", 0, 0, syscall.EINVAL},    // '-' is not a digit
		{"", 0, 0, syscall.EINVAL},      // no digits
		{"+", 0, 0, syscall.EINVAL},     // no digits after '+'
		{" 5", 0, 0, syscall.EINVAL},    // no leading whitespace
		{"5 ", 0, 0, syscall.EINVAL},    // nor trailing
		{"5\n", 0, 5, nil},              // one trailing newline
		{"5\n\n", 0, 0, syscall.EINVAL}, // only one
		{"\n", 0, 0, syscall.EINVAL},    // newline alone has no digits
		{"18446744073709551615", 0, 1<<64 - 1, nil},
		{"0xffffffffffffffff", 0, 1<<64 - 1, nil},
		{"18446744073709551616", 0, 0, syscall.ERANGE},
		{"18446744073709551616junk", 0, 0, syscall.ERANGE}, // overflow is checked before junk
		{"0x10000000000000000", 0, 0, syscall.ERANGE},
		{"01777777777777777777777", 0, 1<<64 - 1, nil},
		{"02000000000000000000000", 0, 0, syscall.ERANGE},
		{"5\x00junk", 0, 5, nil}, // a C string ends at NUL
	}
	for _, tt := range tests {
		got, err := Kstrtoull(tt.s, tt.base)
		if got != tt.want || err != tt.err {
			t.Errorf("Kstrtoull(%q, %d) = %d, %v; want %d, %v", tt.s, tt.base, got, err, tt.want, tt.err)
		}
	}
}

func TestKstrtoll(t *testing.T) {
	tests := []struct {
		s    string
		want int64
		err  error
	}{
		{"-5", -5, nil},
		{"+5", 5, nil},
		{"-0", 0, nil},
		{"-0x10", -16, nil},
		{"-+5", 0, syscall.EINVAL}, // the magnitude after '-' takes no sign
		{"+-5", 0, syscall.EINVAL},
		{"--5", 0, syscall.EINVAL},
		{"9223372036854775807", 1<<63 - 1, nil},
		{"9223372036854775808", 0, syscall.ERANGE},
		{"-9223372036854775808", -1 << 63, nil}, // exactly 2^63 is INT64_MIN
		{"-9223372036854775809", 0, syscall.ERANGE},
		{"-18446744073709551616", 0, syscall.ERANGE}, // magnitude overflows 64 bits
		{"-", 0, syscall.EINVAL},
	}
	for _, tt := range tests {
		got, err := Kstrtoll(tt.s, 0)
		if got != tt.want || err != tt.err {
			t.Errorf("Kstrtoll(%q, 0) = %d, %v; want %d, %v", tt.s, got, err, tt.want, tt.err)
		}
	}
}

func TestNarrow(t *testing.T) {
	tests := []struct {
		fn   string
		s    string
		want int64
		err  error
	}{
		{"u8", "255", 255, nil},
		{"u8", "256", 0, syscall.ERANGE},
		{"u8", "0xff", 255, nil},
		{"u16", "65535", 65535, nil},
		{"u16", "65536", 0, syscall.ERANGE},
		{"u32", "4294967295", 4294967295, nil},
		{"u32", "4294967296", 0, syscall.ERANGE},
		{"s16", "-32768", -32768, nil},
		{"s16", "-32769", 0, syscall.ERANGE},
		{"s16", "32767", 32767, nil},
		{"s16", "32768", 0, syscall.ERANGE},
		{"s32", "-2147483648", -2147483648, nil},
		{"s32", "2147483648", 0, syscall.ERANGE},
		{"s32", "0xffffffff", 0, syscall.ERANGE}, // int does not wrap
		{"s32", "-1", -1, nil},
		{"u32", "-1", 0, syscall.EINVAL}, // unsigned parsers reject '-'
	}
	for _, tt := range tests {
		var got int64
		var err error
		switch tt.fn {
		case "u8", "u16", "u32":
			bits := map[string]int{"u8": 8, "u16": 16, "u32": 32}[tt.fn]
			var u uint64
			u, err = KstrtoU(tt.s, 0, bits)
			got = int64(u)
		default:
			bits := map[string]int{"s16": 16, "s32": 32}[tt.fn]
			got, err = KstrtoS(tt.s, 0, bits)
		}
		if got != tt.want || err != tt.err {
			t.Errorf("kstrto%s(%q) = %d, %v; want %d, %v", tt.fn, tt.s, got, err, tt.want, tt.err)
		}
	}
}

func TestKstrtobool(t *testing.T) {
	tests := []struct {
		s      string
		has    bool
		want   bool
		errors bool
	}{
		{"y", true, true, false}, {"Y", true, true, false}, {"t", true, true, false}, {"T", true, true, false},
		{"1", true, true, false}, {"yes", true, true, false}, {"true", true, true, false},
		{"n", true, false, false}, {"N", true, false, false}, {"f", true, false, false}, {"F", true, false, false},
		{"0", true, false, false}, {"0xyz", true, false, false}, // only the first byte counts
		{"on", true, true, false}, {"ON", true, true, false}, {"on123", true, true, false},
		{"off", true, false, false}, {"OF", true, false, false},
		{"o", true, false, true}, {"ox", true, false, true},
		{"", true, false, true}, {"2", true, false, true}, {"x", true, false, true}, {" y", true, false, true},
		{"", false, false, true}, // NULL
	}
	for _, tt := range tests {
		got, err := Kstrtobool(tt.s, tt.has)
		if got != tt.want || (err != nil) != tt.errors {
			t.Errorf("Kstrtobool(%q, %v) = %v, %v; want %v, error %v", tt.s, tt.has, got, err, tt.want, tt.errors)
		}
		if err != nil && err != syscall.EINVAL {
			t.Errorf("Kstrtobool(%q) error %v, want EINVAL", tt.s, err)
		}
	}
}

// FuzzKstrtoull checks the parser against strconv on what both accept:
// plain decimal, 0x hex and 0 octal numbers agree, and nothing panics.
func FuzzKstrtoull(f *testing.F) {
	for _, s := range []string{"0", "0x", "0x1f", "017", "18446744073709551616", "+5", "-5", "5\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Kstrtoull(s, 0)
		if _, err2 := Kstrtoll(s, 0); err2 != nil && err2 != syscall.EINVAL && err2 != syscall.ERANGE {
			t.Fatalf("Kstrtoll(%q): unexpected error %v", s, err2)
		}
		_, _ = Kstrtobool(s, true)
		if err != nil {
			if err != syscall.EINVAL && err != syscall.ERANGE {
				t.Fatalf("Kstrtoull(%q): unexpected error %v", s, err)
			}
			return
		}
		// Accepted: strconv with the same prefix rules must agree.
		c := cstr(s)
		if len(c) > 0 && c[0] == '+' {
			c = c[1:]
		}
		if n := len(c); n > 0 && c[n-1] == '\n' {
			c = c[:n-1]
		}
		base := 10
		switch {
		case len(c) > 2 && c[0] == '0' && c[1]|0x20 == 'x':
			base, c = 16, c[2:]
		case len(c) > 1 && c[0] == '0':
			base, c = 8, c[1:]
		}
		want, err2 := strconv.ParseUint(c, base, 64)
		if err2 != nil || want != got {
			t.Fatalf("Kstrtoull(%q) = %d; strconv base %d says %d, %v", s, got, base, want, err2)
		}
	})
}

func ExampleKstrtoull() {
	for _, s := range []string{"0x10", "010", "10\n", "0x", "18446744073709551616"} {
		v, err := Kstrtoull(s, 0)
		fmt.Printf("%q: %d %v\n", s, v, err)
	}
	// Output:
	// "0x10": 16 <nil>
	// "010": 8 <nil>
	// "10\n": 10 <nil>
	// "0x": 0 invalid argument
	// "18446744073709551616": 0 numerical result out of range
}
