package vmlinux_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/symtab"
	"github.com/golink/golink/vmlinux"
)

// cliVmlinux decompresses the corpus build's vmlinuz with the xz or zstd
// tool, an oracle independent of golink's decoders.
func cliVmlinux(t *testing.T, dir string) *gelf.File {
	t.Helper()
	z, err := os.ReadFile(filepath.Join(dir, "vmlinuz"))
	if err != nil {
		t.Fatalf("%v: run scripts/corpus.sh for this build", err)
	}
	setup := int(z[0x1f1])
	if setup == 0 {
		setup = 4
	}
	pm := (setup + 1) * 512
	off, n := int(binary.LittleEndian.Uint32(z[0x248:])), int(binary.LittleEndian.Uint32(z[0x24c:]))
	payload := z[pm+off : pm+off+n]
	var cmd *exec.Cmd
	switch {
	case bytes.HasPrefix(payload, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		cmd = exec.Command("xz", "-dc")
	case bytes.HasPrefix(payload, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		cmd = exec.Command("zstd", "-dc", "--long=27")
	default:
		t.Fatalf("%s: payload compressed with an unexpected format % x", dir, payload[:6])
	}
	cmd.Stdin = bytes.NewReader(payload)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		t.Fatalf("%v: %v\n%s", cmd, err, stderr.String())
	}
	f, err := gelf.DecodeExecutable("vmlinux", out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestExportsCorpus: the exports read from each Debian image equal
// Module.symvers' vmlinux rows (name, CRC, GPL-only, namespace), and each
// one's address is its name's in the real System.map.
func TestExportsCorpus(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			k := corpus.LoadKernel(t, dir)
			exp, err := vmlinux.Exports(cliVmlinux(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			row := func(e symtab.SymversEntry) string {
				return fmt.Sprintf("%s %#08x gpl=%v ns=%q", e.Name, e.CRC, e.GPLOnly, e.Namespace)
			}
			var want, got []string
			for _, e := range k.Symvers {
				if e.Module == "vmlinux" {
					want = append(want, row(e))
				}
			}
			addrs := map[string][]uint64{}
			for _, s := range k.Addrs {
				addrs[s.Name] = append(addrs[s.Name], s.Addr)
			}
			unresolved := 0
			for _, e := range exp {
				got = append(got, row(e.SymversEntry))
				found := false
				for _, a := range addrs[e.Name] {
					found = found || a == e.Addr
				}
				if !found {
					unresolved++
					if unresolved <= 5 {
						t.Errorf("%s at %#x is not at that address in System.map (%#x)", e.Name, e.Addr, addrs[e.Name])
					}
				}
			}
			sort.Strings(want)
			sort.Strings(got)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("exports of the image (+) vs Module.symvers' vmlinux rows (-):\n%s", d)
			}
			t.Logf("%d exports, equal to Module.symvers' %d vmlinux rows; %d not at their System.map address", len(exp), len(want), unresolved)
		})
	}
}
