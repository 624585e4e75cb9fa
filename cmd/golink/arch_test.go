package main

import (
	"debug/elf"
	"errors"
	"path/filepath"
	"testing"
)

// elf reads a module of any machine; pickArch is where golink says which
// it links, naming the file and the machine.
func TestPickArchUnsupported(t *testing.T) {
	path := filepath.Join("..", "..", "kmod", "testdata", "aarch64", "mini.ko")
	_, err := pickArch([]string{path}, &archFlags{})
	var ue *UnsupportedMachineError
	if !errors.As(err, &ue) || ue.Machine != elf.EM_AARCH64 || ue.Path != path {
		t.Fatalf("pickArch(aarch64 module) = %v, want an *UnsupportedMachineError", err)
	}
	if want := path + ": EM_AARCH64 object: golink links EM_X86_64 and EM_IA_64"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
