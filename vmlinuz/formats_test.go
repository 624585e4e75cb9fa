package vmlinuz

import (
	"bytes"
	"os"
	"testing"
)

// TestFormats decodes testdata/elf.*.payload (see testdata/gen.sh) in a
// minimal bzImage and compares with testdata/elf.bin.
func TestFormats(t *testing.T) {
	want, err := os.ReadFile("testdata/elf.bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, compression string }{
		{"elf.xz.payload", "xz"},
		{"elf.xz-nobcj.payload", "xz"},
		{"elf.zstd.payload", "zstd"},
		{"elf.gzip.payload", "gzip"},
		{"elf.bzip2.payload", "bzip2"},
		{"elf.lzma.payload", "lzma"},
	} {
		p, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		img, err := Parse(bzImage(p))
		if err != nil {
			t.Errorf("%s: Parse: %v", tc.file, err)
			continue
		}
		if img.Compression != tc.compression {
			t.Errorf("%s: Compression = %q, want %q", tc.file, img.Compression, tc.compression)
		}
		got, err := img.Decompress()
		if err != nil {
			t.Errorf("%s: Decompress: %v", tc.file, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: output differs from elf.bin", tc.file)
		}
	}
}
