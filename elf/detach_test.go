package elf_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	gelf "github.com/golink/golink/elf"
)

// A detached File takes the same bytes again, and refuses a file that
// changed in between.
func TestDetachReattach(t *testing.T) {
	orig, err := os.ReadFile("../testdata/x86_64/hello.ko")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hello.ko")
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := gelf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := bytes.Clone(f.Data)
	if !f.Detach() {
		t.Fatal("Detach: a file Open read did not detach")
	}
	if f.Data != nil {
		t.Error("Detach left Data set")
	}
	if err := f.Reattach(); err != nil {
		t.Fatalf("Reattach: %v", err)
	}
	if !bytes.Equal(f.Data, want) {
		t.Error("Reattach: other bytes than those decoded")
	}
	// Changed while detached: refused, and the File stays detached.
	f.Detach()
	changed := bytes.Clone(orig)
	changed[len(changed)-1] ^= 1
	if err := os.WriteFile(path, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	err = f.Reattach()
	var fe *gelf.FormatError
	if !errors.As(err, &fe) || f.Data != nil {
		t.Errorf("Reattach of a changed file: %v, Data %d bytes; want a *FormatError and no data", err, len(f.Data))
	}
	// Gone: the open error.
	os.Remove(path)
	if err := f.Reattach(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Reattach of a removed file: %v", err)
	}
}
