package params

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Cases from next_arg's rules (lib/cmdline.c, 6.1), each named by the rule
// it shows.
func TestSplit(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []Arg
		rest   string
		dashes bool
	}{
		{"empty", "", nil, "", false},
		{"spaces only", " \t\n", nil, "", false},
		{"name=value", "a=1", []Arg{{"a", "1", true}}, "", false},
		{"bare name", "a", []Arg{{Param: "a"}}, "", false},
		{"empty value", "a=", []Arg{{"a", "", true}}, "", false},
		{"several, any whitespace", " a=1\tb=2\n c \v", []Arg{{"a", "1", true}, {"b", "2", true}, {Param: "c"}}, "", false},
		{"0xA0 is whitespace", "a=1\xa0b=2", []Arg{{"a", "1", true}, {"b", "2", true}}, "", false},
		{"first = splits", "a=b=c", []Arg{{"a", "b=c", true}}, "", false},
		{"= at index 0 does not split", "=a", []Arg{{Param: "=a"}}, "", false},
		{"later = after one at 0", "=a=b", []Arg{{"=a", "b", true}}, "", false},
		{"quoted value", `a="x y"`, []Arg{{"a", "x y", true}}, "", false},
		{"quoted value, no closing quote", `a="x y`, []Arg{{"a", "x y", true}}, "", false},
		{"quoted whole argument", `"a=x y"`, []Arg{{"a", "x y", true}}, "", false},
		{"quoted whole bare argument", `"a b"`, []Arg{{Param: "a b"}}, "", false},
		{"interior quotes kept", `a=b"c d"e`, []Arg{{"a", `b"c d"e`, true}}, "", false},
		{"quote in the name", `a"b c"=d`, []Arg{{`a"b c"`, "d", true}}, "", false},
		{"a quote inside a quoted argument closes it", `"a="b c""`, []Arg{{"a", "b", true}, {Param: `c""`}}, "", false},
		{"quoted argument with quoted value", `"a="b"`, []Arg{{"a", "b", true}}, "", false},
		{"lone quote", `"`, []Arg{{Param: ""}}, "", false},
		{"empty quotes", `""`, []Arg{{Param: ""}}, "", false},
		{"value of a lone quote", `a="`, []Arg{{"a", "", true}}, "", false},
		{"unclosed quote swallows the rest", `a="x b=2`, []Arg{{"a", "x b=2", true}}, "", false},
		{"dashes stop", "a=1 -- b=2 c", []Arg{{"a", "1", true}}, "b=2 c", true},
		{"dashes at the end", "a=1 --", []Arg{{"a", "1", true}}, "", true},
		{"dashes with a value are an argument", "--=1 b", []Arg{{"--", "1", true}, {Param: "b"}}, "", false},
		{"NUL ends the string", "a=1\x00b=2", []Arg{{"a", "1", true}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest, dashes := Split(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Split(%q) args (-want +got):\n%s", tt.in, diff)
			}
			if rest != tt.rest || dashes != tt.dashes {
				t.Errorf("Split(%q) rest = %q, %v; want %q, %v", tt.in, rest, dashes, tt.rest, tt.dashes)
			}
		})
	}
}

func TestParameq(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"max_loop", "max_loop", true},
		{"max-loop", "max_loop", true},
		{"max_loop", "max-loop", true},
		{"max--loop", "max__loop", true},
		{"max_loop", "max_loops", false},
		{"Max_loop", "max_loop", false}, // case matters
		{"", "", true},
	}
	for _, tt := range tests {
		if got := Parameq(tt.a, tt.b); got != tt.want {
			t.Errorf("Parameq(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// FuzzSplit: next_arg never reads or writes out of bounds, and every
// argument it returns is a piece of the input.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"a=1 b", `"a="b c""`, `"`, `a="`, "-- x", "=a=b", "\xa0\"\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args, rest, _ := Split(s)
		total := len(rest)
		for _, a := range args {
			total += len(a.Param) + len(a.Value)
		}
		if total > len(s) {
			t.Fatalf("Split(%q) returned %d bytes of text from %d", s, total, len(s))
		}
	})
}
