package vmlinux_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/vmlinux"
)

// TestLoadCorpus: a vmlinuz loads alone; with its own Module.symvers it
// agrees; with another build's, the disagreement names a symbol; a
// System.map still loads as before.
func TestLoadCorpus(t *testing.T) {
	abis := corpus.ABIs()
	for i, abi := range abis {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			z := filepath.Join(dir, "vmlinuz")
			k, err := vmlinux.Load(z, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := k.Table.Lookup("_printk"); !ok || k.PercpuEnd == 0 {
				t.Errorf("from the image: _printk exported %v, __per_cpu_end %#x", ok, k.PercpuEnd)
			}
			if want := abi + " SMP preempt mod_unload modversions "; k.Vermagic != want {
				t.Errorf("vermagic %q, want %q (what the build's modules carry)", k.Vermagic, want)
			}
			if _, err := vmlinux.Load(z, filepath.Join(dir, "Module.symvers")); err != nil {
				t.Errorf("with its own Module.symvers: %v", err)
			}
			if len(abis) > 1 {
				other := corpus.Dir(t, abis[(i+1)%len(abis)])
				_, err := vmlinux.Load(z, filepath.Join(other, "Module.symvers"))
				if err == nil || !strings.Contains(err.Error(), "disagree about") && !strings.Contains(err.Error(), "same build") {
					t.Errorf("with another build's Module.symvers: %v, want the disagreement named", err)
				}
			}
			m, err := vmlinux.Load(filepath.Join(dir, "System.map"), filepath.Join(dir, "Module.symvers"))
			if err != nil || len(m.Addrs) < len(k.Addrs) {
				t.Errorf("System.map: %v, %d symbols (the image gave %d)", err, len(m.Addrs), len(k.Addrs))
			}
		})
	}
}
