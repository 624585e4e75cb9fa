package golink_test

import (
	"io"
	"testing"

	"github.com/golink/golink"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/reloc/x86_64"
)

// BenchmarkBatch links Debian's whole 6.1 tree, writing each image to
// io.Discard: the linker's own cost, without the file system's.
func BenchmarkBatch(b *testing.B) {
	dir := corpus.Dir(b, corpus.Default)
	kernel, percpu := loadKernel(b, dir)
	paths := modulePaths(b, corpus.Modules(dir, corpus.Default))
	relocs := 0
	for i := 0; i < b.N; i++ {
		bt := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: kernel, Base: 0xffffffffa0000000, Percpu: percpu, ReuseMemory: true,
			Output: func(img *image.Image) error {
				_, err := img.WriteTo(io.Discard)
				return err
			}}
		res, err := bt.Run(paths)
		if err != nil {
			b.Fatal(err)
		}
		relocs = 0
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			relocs += r.Relocations
		}
	}
	b.ReportMetric(float64(relocs), "relocs/op")
}
