package modinfo

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/golink/golink/elf"
)

func TestThisModuleName(t *testing.T) {
	mod := make([]byte, 0x380)
	copy(mod[NameOffset:], "hello\x00junk")
	if name, err := ThisModuleName(mod); err != nil || name != "hello" {
		t.Errorf("ThisModuleName = %q, %v, want hello", name, err)
	}
	copy(mod[NameOffset:], strings.Repeat("x", NameLen+8))
	if name, err := ThisModuleName(mod); err != nil || name != strings.Repeat("x", NameLen) {
		t.Errorf("unterminated name = %q, %v, want the %d bytes of name[]", name, err, NameLen)
	}
	var te *ThisModuleError
	if _, err := ThisModuleName(mod[:NameOffset+NameLen-1]); !errors.As(err, &te) || te.Size != NameOffset+NameLen-1 {
		t.Errorf("short section: %v, want a *ThisModuleError", err)
	}
}

// The struct module of a real module names it as its .modinfo does.
func TestThisModuleNameOfHello(t *testing.T) {
	b, err := os.ReadFile("../testdata/x86_64/hello.ko")
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Decode("hello.ko", b)
	if err != nil {
		t.Fatal(err)
	}
	i := f.SectionByName(ThisModuleSection, 0)
	if i == 0 {
		t.Fatal("no " + ThisModuleSection)
	}
	name, err := ThisModuleName(f.Bytes(i))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Modinfo(f.Bytes(f.SectionByName(Section, 0))).Get("name")
	if name != want || name == "" {
		t.Errorf("ThisModuleName = %q, .modinfo name = %q", name, want)
	}
}
