package elf

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// MaxModuleSize bounds a decompressed module, as the kernel's finit_module
// bounds a module file (INT_MAX bytes): a compressed bomb is refused rather
// than inflated.
const MaxModuleSize = 1<<31 - 1

var (
	magicXZ   = []byte{0xfd, '7', 'z', 'X', 'Z', 0}
	magicGzip = []byte{0x1f, 0x8b}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Compression names the compression of data by its magic: "xz", "gzip",
// "zstd", or "" for none.
func Compression(data []byte) string {
	switch {
	case bytes.HasPrefix(data, magicXZ):
		return "xz"
	case bytes.HasPrefix(data, magicGzip):
		return "gzip"
	case bytes.HasPrefix(data, magicZstd):
		return "zstd"
	}
	return ""
}

// decompress returns data inflated if it starts with a known compression
// magic, else data itself.
func decompress(data []byte) ([]byte, string, error) {
	comp := Compression(data)
	var r io.Reader
	var err error
	switch comp {
	case "":
		return data, "", nil
	case "xz":
		r, err = xz.NewReader(bytes.NewReader(data))
	case "gzip":
		r, err = gzip.NewReader(bytes.NewReader(data))
	case "zstd":
		var d *zstd.Decoder
		d, err = zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxModuleSize))
		if err == nil {
			defer d.Close()
			r = d
		}
	}
	if err != nil {
		return nil, comp, formatErr(-1, 0, comp+" stream is corrupt", "%v", err)
	}
	var buf bytes.Buffer
	// Grow by what the stream delivers, never by what a header claims.
	n, err := io.Copy(&buf, io.LimitReader(r, MaxModuleSize+1))
	if err != nil {
		return nil, comp, formatErr(-1, -1, comp+" stream is corrupt", "after %d bytes: %v", n, err)
	}
	if n > MaxModuleSize {
		return nil, comp, formatErr(-1, -1, comp+" stream inflates beyond the largest module the kernel accepts",
			fmt.Sprintf("more than %d bytes", int64(MaxModuleSize)))
	}
	return buf.Bytes(), comp, nil
}

// moduleSuffixes are the file name endings of kernel modules, in depmod's
// order: plain, then compressed as Decode undoes it.
var moduleSuffixes = [...]string{".ko", ".ko.gz", ".ko.xz", ".ko.zst"}

// ModuleSuffixes returns the file name endings of kernel modules, in
// depmod's order: ".ko", ".ko.gz", ".ko.xz", ".ko.zst".
func ModuleSuffixes() []string { return moduleSuffixes[:] }

// IsModuleName reports whether name ends in one of ModuleSuffixes.
func IsModuleName(name string) bool {
	for _, s := range moduleSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}
