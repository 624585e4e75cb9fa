package kmod

import (
	"os"
	"path/filepath"

	"github.com/golink/golink/elf"
)

// Module is a module file opened for reading.
type Module struct {
	Path  string // the path as kmod prints it: absolute, not cleaned, symlinks kept
	File  *elf.File
	unmap func()
}

// Close releases the file's memory. The Module must not be used after.
func (m *Module) Close() {
	if m.unmap != nil {
		m.unmap()
		m.unmap = nil
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

// Open reads and decodes the module at path. An uncompressed file is
// mapped rather than read, since kmod's tools look at a small part of each
// module (as kmod does, a file truncated while mapped faults). Errors are those of elf.Decode (a *elf.FormatError for a
// malformed object) or of the file system.
func Open(path string) (*Module, error) {
	abs, err := AbsPath(path)
	if err != nil {
		return nil, err
	}
	data, unmap, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	f, err := elf.Decode(path, data)
	if err != nil {
		if unmap != nil {
			unmap()
		}
		return nil, err
	}
	if f.Compression != "" && unmap != nil {
		// Decode copied the object out; the mapping is no longer needed.
		unmap()
		unmap = nil
	}
	return &Module{Path: abs, File: f, unmap: unmap}, nil
}
