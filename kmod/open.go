package kmod

import (
	"os"
	"path/filepath"

	"github.com/golink/golink/elf"
)

// Module is a module file opened for reading.
type Module struct {
	Path    string // the path as kmod prints it: absolute, not cleaned, symlinks kept
	File    *elf.File
	release func()
}

// Close gives the file's memory back for reuse. Neither the Module nor
// slices of its File's data may be used after.
func (m *Module) Close() {
	if m.release != nil {
		m.release()
		m.release = nil
	}
}

// AbsPath makes path absolute the way kmod's path_make_absolute_cwd does:
// a relative path is prefixed with the working directory and a slash, and
// nothing is cleaned ("./x.ko" becomes "/cwd/./x.ko").
func AbsPath(path string) (string, error) {
	if filepath.IsAbs(path) {
		return path, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return wd + "/" + path, nil
}

// Open reads and decodes the module at path. The file is read with
// elf.ReadFile into a recycled buffer (kmod's tools look at a small part of
// each of thousands of modules, so buffers are reused rather than
// allocated per file); Close gives it back. A file truncated before or
// while it is read is a malformed object, not a fault. Errors are those of
// elf.Decode (a *elf.FormatError for a malformed object) or an
// *os.PathError.
func Open(path string) (*Module, error) {
	abs, err := AbsPath(path)
	if err != nil {
		return nil, err
	}
	data, release, err := elf.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := elf.Decode(path, data)
	if err != nil {
		release()
		return nil, err
	}
	if f.Compression != "" {
		// Decode inflated a copy; the compressed bytes are not needed.
		release()
		release = nil
	}
	return &Module{Path: abs, File: f, release: release}, nil
}
