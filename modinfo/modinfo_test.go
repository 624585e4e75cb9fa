package modinfo

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestModinfo(t *testing.T) {
	m := Modinfo("license=GPL\x00\x00\x00name=hello\x00noequals\x00import_ns=A\x00licensed=x\x00import_ns=B\x00=empty\x00author=a=b")
	if v, ok := m.Get("license"); !ok || v != "GPL" {
		t.Errorf("Get(license) = %q, %v", v, ok)
	}
	if v, ok := m.Get("author"); !ok || v != "a=b" {
		t.Errorf("Get(author) = %q, %v: the last string needs no NUL", v, ok)
	}
	if _, ok := m.Get("noequals"); ok {
		t.Error("a string without '=' matched its tag")
	}
	if _, ok := m.Get("licens"); ok {
		t.Error("a prefix of a tag matched")
	}
	if d := cmp.Diff([]string{"A", "B"}, m.All("import_ns")); d != "" {
		t.Errorf("All(import_ns) (-want +got):\n%s", d)
	}
	want := []Entry{{"license", "GPL"}, {"name", "hello"}, {"", "noequals"}, {"import_ns", "A"}, {"licensed", "x"},
		{"import_ns", "B"}, {"", "empty"}, {"author", "a=b"}}
	if d := cmp.Diff(want, m.Entries()); d != "" {
		t.Errorf("Entries (-want +got):\n%s", d)
	}
}
