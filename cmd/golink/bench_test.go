package main

import (
	"io"
	"testing"

	"github.com/golink/golink/internal/corpus"
)

// BenchmarkModinfoAll is golink modinfo over every module of the default
// corpus, as scripts/bench-kmod.sh runs it.
func BenchmarkModinfoAll(b *testing.B) {
	dir := corpus.Dir(b, corpus.Default)
	paths := moduleFilesTB(b, corpus.Modules(dir, corpus.Default))
	args := append([]string{"modinfo"}, paths...)
	b.ResetTimer()
	for range b.N {
		if rc := Main(args, io.Discard, io.Discard); rc != 0 {
			b.Fatalf("status %d", rc)
		}
	}
}
