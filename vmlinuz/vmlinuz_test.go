package vmlinuz

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// images are the Debian builds the tests decompress, with the CLI that is
// their oracle.
var images = []struct {
	abi, compression string
	oracle           []string
}{
	{"6.1.0-47-amd64", "xz", []string{"xz", "-dc"}},
	{"6.12.107+deb12-amd64", "zstd", []string{"zstd", "-dc", "--long=27"}},
}

// corpusImage returns the vmlinuz of build abi from scripts/corpus.sh's
// cache, failing (never skipping) when it is absent.
func corpusImage(tb testing.TB, abi string) []byte {
	tb.Helper()
	cache := os.Getenv("GOLINK_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "golink")
	}
	path := filepath.Join(cache, "corpus", abi, "vmlinuz")
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v: run scripts/corpus.sh %s", err, abi)
	}
	return data
}

// oracle decompresses payload (its trailing size removed) with the CLI.
func oracle(t *testing.T, cmd []string, payload []byte) []byte {
	t.Helper()
	f := filepath.Join(t.TempDir(), "payload")
	if err := os.WriteFile(f, payload[:len(payload)-4], 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cmd[0], append(cmd[1:], f)...).Output()
	if err != nil {
		t.Fatalf("%v %s: %v", cmd, f, err)
	}
	return out
}

func TestDebianImages(t *testing.T) {
	for _, tc := range images {
		t.Run(tc.abi, func(t *testing.T) {
			data := corpusImage(t, tc.abi)
			img, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if img.Compression != tc.compression {
				t.Errorf("Compression = %q, want %q", img.Compression, tc.compression)
			}
			if !bytes.HasPrefix([]byte(img.Version), []byte(tc.abi+" ")) {
				t.Errorf("Version = %q, want it to start with %q", img.Version, tc.abi)
			}
			got, err := img.Decompress()
			if err != nil {
				t.Fatalf("Decompress: %v", err)
			}
			if uint64(len(got)) != img.Size {
				t.Errorf("len = %d, want Size %d", len(got), img.Size)
			}
			f, err := elf.NewFile(bytes.NewReader(got))
			if err != nil {
				t.Fatalf("elf.NewFile: %v", err)
			}
			if f.Class != elf.ELFCLASS64 || f.Type != elf.ET_EXEC || f.Machine != elf.EM_X86_64 {
				t.Errorf("ELF %v %v %v, want ELFCLASS64 ET_EXEC EM_X86_64", f.Class, f.Type, f.Machine)
			}
			want := oracle(t, tc.oracle, img.Payload)
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Errorf("output differs from %v at offset %#x (len %d, oracle %d)", tc.oracle, i, len(got), len(want))
			}
			v, err := Vmlinux(got)
			if err != nil || &v[0] != &got[0] {
				t.Errorf("Vmlinux(ELF) did not return its input as is (err %v)", err)
			}
		})
	}
}

// wantFormatError fails unless err is a *FormatError.
func wantFormatError(t *testing.T, what string, err error) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("%s: err = %v (%T), want *FormatError", what, err, err)
		return
	}
	t.Logf("%s: %v", what, err)
}

func TestHostile(t *testing.T) {
	data := corpusImage(t, images[0].abi)
	img, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	// The payload ends before the image does (the setup code pads it).
	pend := 20480 + 716 + len(img.Payload)
	mutate := func(f func(b []byte)) []byte {
		b := bytes.Clone(data)
		f(b)
		return b
	}
	for _, n := range []int{0, 1, 0x1f1, 0x205, 0x24f, 0x250, 4096, 20480, 20480 + 716 + 100, len(data) / 2, pend - 1} {
		_, err := Vmlinux(data[:n])
		wantFormatError(t, "truncated", err)
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"wrong magic", mutate(func(b []byte) { b[0x202] = 'X' })},
		{"old boot protocol", mutate(func(b []byte) { binary.LittleEndian.PutUint16(b[0x206:], 0x0207) })},
		{"payload_offset outside", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b[0x248:], uint32(len(data))) })},
		{"payload_length outside", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b[0x24c:], 0xffffffff) })},
		{"unknown payload magic", mutate(func(b []byte) { b[20480+716] = 0 })},
	}
	for _, tc := range cases {
		_, err := Vmlinux(tc.data)
		wantFormatError(t, tc.name, err)
	}

	// Size above MaxKernel.
	big := *img
	big.Size = MaxKernel + 1
	_, err = big.Decompress()
	wantFormatError(t, "Size above MaxKernel", err)

	// A corrupted byte in the compressed stream, at a few places.
	for _, off := range []int{12, 30, 1000, len(img.Payload) / 2, len(img.Payload) - 100} {
		bad := *img
		bad.Payload = bytes.Clone(img.Payload)
		bad.Payload[off] ^= 0x55
		_, err := bad.Decompress()
		wantFormatError(t, "corrupt xz byte", err)
	}
	zimg, err := Parse(corpusImage(t, images[1].abi))
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{5, 1000, len(zimg.Payload) / 2} {
		bad := *zimg
		bad.Payload = bytes.Clone(zimg.Payload)
		bad.Payload[off] ^= 0x55
		_, err := bad.Decompress()
		wantFormatError(t, "corrupt zstd byte", err)
	}
	// A stream that ends early: Size larger than what it holds.
	short := *zimg
	short.Size++
	_, err = short.Decompress()
	wantFormatError(t, "zstd shorter than Size", err)
}

// bzImage wraps payload in a minimal setup header.
func bzImage(payload []byte) []byte {
	b := make([]byte, 5*512+len(payload))
	b[0x1f1] = 4
	copy(b[0x202:], "HdrS")
	binary.LittleEndian.PutUint16(b[0x206:], 0x020f)
	binary.LittleEndian.PutUint32(b[0x248:], 0)
	binary.LittleEndian.PutUint32(b[0x24c:], uint32(len(payload)))
	copy(b[5*512:], payload)
	return b
}

// TestGzipBomb: a gzip stream that expands to 64 MiB of zeros but whose
// trailer is rewritten to declare 1 KiB must stop after 1 KiB, not inflate
// the lot.
func TestGzipBomb(t *testing.T) {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	copy(zero, "\x7fELF")
	for i := 0; i < 64; i++ {
		w.Write(zero)
	}
	w.Close()
	p := buf.Bytes()
	binary.LittleEndian.PutUint32(p[len(p)-4:], 1024)
	_, err := Vmlinux(bzImage(p))
	wantFormatError(t, "gzip bomb", err)

	// The honest version of a small one decodes.
	buf.Reset()
	w = gzip.NewWriter(&buf)
	w.Write(zero[:4096])
	w.Close()
	got, err := Vmlinux(bzImage(buf.Bytes()))
	if err != nil || !bytes.Equal(got, zero[:4096]) {
		t.Errorf("small gzip: err %v, len %d", err, len(got))
	}
}

func TestRefused(t *testing.T) {
	for _, magic := range [][]byte{{0x89, 'L', 'Z', 'O', 0, '\r', '\n', 0x1a, '\n'}, {0x02, 0x21, 0x4c, 0x18}} {
		p := append(bytes.Clone(magic), make([]byte, 16)...)
		_, err := Vmlinux(bzImage(p))
		wantFormatError(t, "refused", err)
	}
}

func TestFormatError(t *testing.T) {
	for _, tc := range []struct {
		e    FormatError
		want string
	}{
		{FormatError{"no magic", 0x202}, "vmlinuz: no magic at offset 0x202"},
		{FormatError{"short", -1}, "vmlinuz: short"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
