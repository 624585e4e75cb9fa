package kmod_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/golink/golink/elf"
	"github.com/golink/golink/kmod"
	"github.com/golink/golink/modversions"
	"github.com/golink/golink/symtab"
)

// fixtures returns the module-shaped objects of cmd/golink/testdata/mods.
func fixtures(f *testing.F) [][]byte {
	paths, _ := filepath.Glob(filepath.Join("..", "cmd", "golink", "testdata", "mods", "*.ko"))
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		f.Fatal("no fixtures")
	}
	return out
}

// FuzzModule runs every reader of this package and of symtab over an
// arbitrary file: none may panic, hang or read outside the file.
func FuzzModule(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ef, err := elf.Decode("fuzz.ko", data)
		if err != nil {
			return
		}
		fields := kmod.Info(ef)
		kmod.WriteModinfo(io.Discard, "fuzz.ko", fields, kmod.ModinfoOptions{}, func(string) {})
		kmod.WriteModinfo(io.Discard, "fuzz.ko", fields, kmod.ModinfoOptions{Field: "parm", Null: true}, func(string) {})
		kmod.WriteModinfoJSON(io.Discard, "fuzz.ko", fields, kmod.ModinfoOptions{}, "")
		kmod.Modversions(ef)
		kmod.DependencySymbols(ef)
		kmod.ExportedSymbols(ef)
		symtab.ModuleExports(ef, "fuzz")
		symtab.ReadCRCs(ef)
		modversions.Read(ef, false)
	})
}

// FuzzPKCS7 feeds arbitrary signature blobs to the PKCS#7 reader.
func FuzzPKCS7(f *testing.F) {
	magic := []byte(elf.SignatureMagic)
	for _, b := range fixtures(f) {
		if !bytes.HasSuffix(b, magic) {
			continue
		}
		ef, err := elf.Decode("seed", b)
		if err == nil && ef.Signature != nil {
			f.Add(ef.Signature.Blob)
		}
	}
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x30, 0x80, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, blob []byte) {
		si, err := kmod.ParsePKCS7(blob)
		if err == nil {
			kmod.SignatureFields(si)
		}
	})
}

// FuzzModinfoFields formats arbitrary .modinfo contents.
func FuzzModinfoFields(f *testing.F) {
	f.Add([]byte("\x00\x00license=GPL\x00parm=a:b\x00parmtype=a:int\x00parm=bad\x00noequals\x00x=y"), "parm")
	f.Fuzz(func(t *testing.T, sec []byte, field string) {
		fields := kmod.ModinfoFields(sec)
		kmod.WriteModinfo(io.Discard, "f", fields, kmod.ModinfoOptions{Field: field}, func(string) {})
		kmod.WriteModinfo(io.Discard, "f", fields, kmod.ModinfoOptions{}, func(string) {})
		kmod.WriteModinfoJSON(io.Discard, "f", fields, kmod.ModinfoOptions{}, "")
	})
}
