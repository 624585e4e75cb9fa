package vmlinuz

import (
	"bytes"
	"compress/gzip"
	"os"
	"testing"
)

// FuzzParse runs Parse and Decompress over arbitrary bytes. The limit is
// lowered to 4 MiB so that no input can make the fuzzer allocate more.
func FuzzParse(f *testing.F) {
	for _, tc := range images {
		data := corpusImage(f, tc.abi)
		f.Add(data[:64<<10])
	}
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte("\x7fELF and some more bytes"))
	w.Close()
	f.Add(bzImage(buf.Bytes()))
	f.Add(bzImage([]byte{0xfd, '7', 'z', 'X', 'Z', 0, 0, 1, 0x69, 0x22, 0xde, 0x36, 2, 0, 0x21, 1, 0x16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
	for _, name := range []string{"xz", "zstd", "lzma"} {
		p, err := os.ReadFile("testdata/elf." + name + ".payload")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bzImage(p))
	}
	saved := limit
	limit = 4 << 20
	f.Cleanup(func() { limit = saved })
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Parse(data)
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("Parse: %T %v, want *FormatError", err, err)
			}
			return
		}
		out, err := img.Decompress()
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("Decompress: %T %v, want *FormatError", err, err)
			}
			return
		}
		if uint64(len(out)) != img.Size {
			t.Fatalf("Decompress returned %d bytes, Size is %d", len(out), img.Size)
		}
	})
}
