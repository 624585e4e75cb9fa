package golink_test

import (
	"bytes"
	"crypto/sha256"
	"path/filepath"
	"sync"
	"testing"

	"github.com/golink/golink"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
	"github.com/golink/golink/vmlinux"
)

// TestLinkFromImageCorpus: every module of each corpus build, linked
// against the kernel as its image alone gives it (vmlinuz: kallsyms tables
// and exports, no System.map, no Module.symvers), is byte for byte the
// image linked against System.map and Module.symvers.
func TestLinkFromImageCorpus(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			fromMap := corpus.LoadKernel(t, dir)
			fromImage, err := vmlinux.Load(filepath.Join(dir, "vmlinuz"), "")
			if err != nil {
				t.Fatal(err)
			}
			if fromImage.PercpuEnd != fromMap.Percpu {
				t.Fatalf("__per_cpu_end: image %#x, System.map %#x", fromImage.PercpuEnd, fromMap.Percpu)
			}
			paths := corpus.ModulePaths(t, corpus.Modules(dir, abi))
			link := func(k *symtab.Kernel) map[string][32]byte {
				var mu sync.Mutex
				out := map[string][32]byte{}
				b := &golink.Batch{Config: golink.Config{Arch: x86_64.New()}, Kernel: k.Table, Base: 0xffffffffa0000000, Percpu: k.PercpuEnd,
					Output: func(img *image.Image) error {
						var buf bytes.Buffer
						if _, err := img.WriteTo(&buf); err != nil {
							return err
						}
						sum := sha256.Sum256(buf.Bytes())
						mu.Lock()
						out[img.Name] = sum
						mu.Unlock()
						return nil
					}}
				res, err := b.Run(paths)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range res {
					if r.Err != nil {
						t.Errorf("%s: %v", r.Path, r.Err)
					}
				}
				return out
			}
			want, got := link(fromMap.Kernel), link(fromImage)
			same := 0
			for name, w := range want {
				if g, ok := got[name]; ok && g == w {
					same++
				} else {
					t.Errorf("%s: the image linked against vmlinuz differs from the one linked against System.map", name)
				}
			}
			if same != len(paths) || len(got) != len(want) {
				t.Errorf("%d of %d modules byte-identical", same, len(paths))
			}
			t.Logf("%d modules linked against vmlinuz alone, byte-identical to System.map + Module.symvers", same)
		})
	}
}
