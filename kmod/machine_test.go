package kmod_test

import (
	"bytes"
	"debug/elf"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/golink/golink/kmod"
	"github.com/golink/golink/modversions"
	"github.com/google/go-cmp/cmp"
)

// kmod's readers do not care which machine a module is for: an aarch64
// object (testdata/aarch64/mini.s) reads as kmod reads it. The expected
// text is what kmod 30's modinfo and modprobe --dump-modversions print for
// it; when modinfo is installed, it is also asked.
func TestOtherMachine(t *testing.T) {
	path := filepath.Join("testdata", "aarch64", "mini.ko")
	m, err := kmod.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.File.Machine != elf.EM_AARCH64 {
		t.Fatalf("Machine = %v, want EM_AARCH64", m.File.Machine)
	}
	var got bytes.Buffer
	if err := kmod.WriteModinfo(&got, "mini.ko", kmod.Info(m.File), kmod.ModinfoOptions{}, func(string) {}); err != nil {
		t.Fatal(err)
	}
	want := "filename:       mini.ko\n" +
		"license:        GPL\n" +
		"description:    aarch64 test module\n" +
		"depends:        \n" +
		"name:           mini\n" +
		"vermagic:       6.1.0-47-arm64 SMP mod_unload modversions aarch64\n" +
		"parm:           verbose:Talk more (bool)\n"
	if d := cmp.Diff(want, got.String()); d != "" {
		t.Errorf("WriteModinfo (-want +got):\n%s", d)
	}
	if modinfo, err := exec.LookPath("modinfo"); err == nil {
		cmd := exec.Command(modinfo, "mini.ko")
		cmd.Dir = filepath.Dir(path)
		real, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s mini.ko: %v", modinfo, err)
		}
		// kmod prints the absolute path; compare the rest.
		if _, rest, _ := bytes.Cut(real, []byte("\n")); !bytes.Equal(rest, got.Bytes()[bytes.IndexByte(got.Bytes(), '\n')+1:]) {
			t.Errorf("kmod's modinfo prints\n%s\nWriteModinfo\n%s", real, got.Bytes())
		}
	}

	vers, err := kmod.Modversions(m.File)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]modversions.Version{{Name: "module_layout", CRC: 0x12345678}, {Name: "_printk", CRC: 0x92997ed8}}, vers); d != "" {
		t.Errorf("Modversions (-want +got):\n%s", d)
	}
	deps, err := kmod.DependencySymbols(m.File)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]kmod.DepSymbol{{Name: "_printk", CRC: 0x92997ed8}, {Name: "module_layout", CRC: 0x12345678}}, deps); d != "" {
		t.Errorf("DependencySymbols (-want +got):\n%s", d)
	}
}
