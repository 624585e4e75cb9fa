//go:build unix

package elf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// A module cut short anywhere — inside the ELF header, the section
// contents or the section header table — opens with a *FormatError, never
// a fault.
func TestOpenTruncated(t *testing.T) {
	good := readHello(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "hello.ko")
	for _, n := range []int{0, 1, 4, 16, EhdrSize - 1, EhdrSize, EhdrSize + 1, 1000, len(good) / 2, len(good) - ShdrSize, len(good) - 1} {
		if err := os.WriteFile(path, good, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, int64(n)); err != nil {
			t.Fatal(err)
		}
		f, err := Open(path)
		var fe *FormatError
		if !errors.As(err, &fe) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open of hello.ko cut to %d bytes: %v, want a *FormatError", n, err)
		}
	}
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	var pe *os.PathError
	if _, err := Open(filepath.Join(dir, "missing.ko")); !errors.As(err, &pe) {
		t.Errorf("Open of a missing file: %v, want an *os.PathError", err)
	}
}

// A file truncated while Open reads it, or after, while its File is in
// use, costs the reader nothing: the File holds a copy.
func TestTruncatedWhileOpen(t *testing.T) {
	good := readHello(t)
	path := filepath.Join(t.TempDir(), "hello.ko")
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	sum := 0
	for i := range f.Sections {
		for _, c := range f.Bytes(i) {
			sum += int(c)
		}
	}
	if !bytes.Equal(f.Data, good) {
		t.Error("the File's data changed when its file was truncated")
	}

	// Truncate concurrently with many Opens: each one gives the object
	// or an error, never a signal.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			os.WriteFile(path, good, 0o644)
			os.Truncate(path, int64(k*997%len(good)))
		}
	}()
	for range 200 {
		if f, err := Open(path); err == nil {
			f.Close()
		}
	}
	close(stop)
	wg.Wait()
}

// The buffer pool is the package's only shared state: concurrent readers
// of different files each get their own file's bytes (run with -race).
func TestReadFileConcurrent(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/*/*.ko")
	want := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want[p] = b
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 50 {
				p := paths[(g+k)%len(paths)]
				data, release, err := ReadFile(p)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(data, want[p]) {
					t.Errorf("ReadFile(%s) gave %d bytes, not the file's %d", p, len(data), len(want[p]))
				}
				release()
				release() // a second release is harmless
			}
		}()
	}
	wg.Wait()
}
