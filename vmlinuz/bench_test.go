package vmlinuz

import "testing"

// BenchmarkDecompress decompresses each Debian image; -benchmem gives the
// bytes allocated per image.
func BenchmarkDecompress(b *testing.B) {
	for _, tc := range images {
		b.Run(tc.compression, func(b *testing.B) {
			img, err := Parse(corpusImage(b, tc.abi))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(img.Size))
			for b.Loop() {
				if _, err := img.Decompress(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
