//go:build linux && amd64 && cgo

package host_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/golink/golink/host/internal/dl"
	"github.com/golink/golink/lifecycle"
)

// BenchmarkLoadInitRemove: a small module's whole life — load (checks,
// layout, mapping, linking, protection), init, exit, removal — under
// golink, against the same code built as a shared library going through
// dlopen, dlsym, init, exit and dlclose. small.c's init kmallocs a buffer,
// formats into it and printks it; exit frees it.
//
// golink/cold decodes and checks the image on every load, as the kernel
// does; golink/<flags> is the default, where a kernel remembers the
// checked layout of an image it has loaded before (Kernel.SetCacheSize).
func BenchmarkLoadInitRemove(b *testing.B) {
	for _, v := range []struct {
		name  string
		flags []string
		cache int
	}{{"golink/plain", flagSets[0].flags, 32}, {"golink/kernel", flagSets[1].flags, 32}, {"golink/kernel/cold", flagSets[1].flags, 0}} {
		b.Run(v.name, func(b *testing.B) {
			data, err := os.ReadFile(compile(b, "small", "small", v.flags))
			if err != nil {
				b.Fatal(err)
			}
			k := newKernel(b)
			k.SetCacheSize(v.cache)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := k.Load(data, ""); err != nil {
					b.Fatal(err)
				}
				if err := k.Remove(ctx, "small", lifecycle.NonBlock); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("dlopen", func(b *testing.B) {
		gcc, err := exec.LookPath("gcc")
		if err != nil {
			b.Skip("no gcc")
		}
		so := filepath.Join(b.TempDir(), "small.so")
		out, err := exec.Command(gcc, "-shared", "-fPIC", "-O2", "-Wl,-Bsymbolic", "-I../include", `-DKBUILD_MODNAME="small"`,
			"-o", so, "testdata/small.c", "testdata/dlshim.c").CombinedOutput()
		if err != nil {
			b.Fatalf("gcc: %v\n%s", err, out)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if r, err := dl.Cycle(so, "init_module", "cleanup_module"); err != nil || r != 0 {
				b.Fatal(r, err)
			}
		}
	})
}

// BenchmarkGuardedCall: one call from Go into module code through the
// guard (TryGet, the machine call, Put), against the same call without it.
func BenchmarkGuardedCall(b *testing.B) {
	k := newKernel(b)
	m, err := k.LoadFile(compile(b, "small", "small", flagSets[1].flags), "")
	if err != nil {
		b.Fatal(err)
	}
	defer k.Remove(context.Background(), "small", 0)
	f, err := m.Func("small_add")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("guarded", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			f.Call(1, 2)
		}
	})
	b.Run("unguarded", func(b *testing.B) {
		mem := m.Memory()
		for i := 0; i < b.N; i++ {
			mem.Call(f.Addr, 1, 2)
		}
	})
}
