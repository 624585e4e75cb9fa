package golink_test

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/golink/golink"
	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/reloc/x86_64"
	"github.com/golink/golink/symtab"
)

// scratchBase is where the differential test puts the loader's temporary
// copy of each file, far from every loaded region, so that ld can place
// the unloaded sections (.modinfo, __versions) there without overlap.
const scratchBase = 1 << 40

// TestLDDifferential links every module of Debian's 6.1 tree with golink,
// then has GNU ld place the same input sections at the same addresses (a
// generated linker script, --no-relax, --defsym for each resolved symbol)
// and compares every loaded section byte for byte.
//
// GOLINK_ABIS (comma-separated, default 6.1.0-47-amd64) names the builds.
func TestLDDifferential(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) { testLD(t, abi) })
	}
}

func testLD(t *testing.T, abi string) {
	dir := corpus.Dir(t, abi)
	corpus.Tools(t)
	mods := corpus.Modules(dir, abi)
	kernel, percpu := loadKernel(t, dir)
	paths := modulePaths(t, mods)
	if len(paths) == 0 {
		t.Fatalf("no modules under %s", mods)
	}
	work := t.TempDir()
	var compared, identical atomic.Int64
	var mu sync.Mutex
	var diffs []string
	b := &golink.Batch{
		Config:  golink.Config{Arch: x86_64.New()},
		Kernel:  kernel,
		Base:    0xffffffffa0000000,
		Percpu:  percpu,
		Scratch: scratchBase,
		Output: func(img *image.Image) error {
			compared.Add(1)
			d, err := ldCompare(filepath.Join(work, img.Name), img)
			if err != nil {
				mu.Lock()
				diffs = append(diffs, fmt.Sprintf("%s: %v", img.Name, err))
				mu.Unlock()
				return nil
			}
			if d == "" {
				identical.Add(1)
				return nil
			}
			mu.Lock()
			diffs = append(diffs, img.Name+": "+d)
			mu.Unlock()
			return nil
		},
	}
	res, err := b.Run(paths)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range res {
		if r.Err != nil {
			failed++
			if failed <= 10 {
				t.Errorf("%s: %v", r.Path, r.Err)
			}
		}
	}
	sort.Strings(diffs)
	for i, d := range diffs {
		if i == 20 {
			t.Errorf("... and %d more", len(diffs)-20)
			break
		}
		t.Error(d)
	}
	t.Logf("%d modules: %d linked, %d compared with GNU ld, %d byte-identical in every loaded section",
		len(paths), len(paths)-failed, compared.Load(), identical.Load())
	if int(identical.Load()) != len(paths) {
		t.Errorf("%d of %d modules byte-identical to GNU ld", identical.Load(), len(paths))
	}
}

func loadKernel(t testing.TB, dir string) (*symtab.Table, uint64) {
	k := corpus.LoadKernel(t, dir)
	return k.Table, k.Percpu
}

func modulePaths(t testing.TB, dir string) []string { return corpus.ModulePaths(t, dir) }

// ldName is the name a section of the object gets in ld's copy: unique, and
// free of the special meanings ld gives to names like .note.gnu.build-id,
// .gnu.linkonce.* or .init_array.
func ldName(i int) string { return fmt.Sprintf(".golink.%d", i) }

// ldCompare links img's object with GNU ld at img's addresses in dir and
// returns "" if every loaded section is identical, else what differs.
func ldCompare(dir string, img *image.Image) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	obj, err := gelf.Open(img.Path)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	in := ldCopy(obj.Data, len(obj.Sections), obj.ShStrNdx)
	if err := os.WriteFile(filepath.Join(dir, "in.o"), in, 0o644); err != nil {
		return "", err
	}
	// Each of the object's sections in memory, by its index: the image's
	// section of that name (section names are unique in a module: the
	// kernel's find_sec relies on it).
	inMemory := func(i int) *image.Section {
		s := img.Section(obj.Sections[i].Name)
		if s == nil || !(s.Loaded || s.Index == img.PercpuSec && s.Index != 0) || obj.Sections[i].Flags&elf.SHF_ALLOC == 0 {
			return nil
		}
		return s
	}
	var script strings.Builder
	script.WriteString("SECTIONS {\n")
	place := func(i int, addr uint64) {
		fmt.Fprintf(&script, "  %s %#x : { *(%s) }\n", ldName(i), addr, ldName(i))
	}
	for i := 1; i < len(obj.Sections); i++ {
		if s := inMemory(i); s != nil {
			place(i, s.Addr)
		} else if obj.Sections[i].Flags&elf.SHF_ALLOC != 0 {
			place(i, scratchBase+obj.Sections[i].Offset) // .modinfo, __versions: the scratch copy
		}
	}
	script.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "link.ld"), []byte(script.String()), 0o644); err != nil {
		return "", err
	}
	args := []string{"-o", "out.elf", "-T", "link.ld", "--no-relax", "--build-id=none", "-static", "-e", "0",
		"-z", "noexecstack", "-z", "norelro", "--no-warn-rwx-segments", "in.o"}
	for _, im := range img.Imports {
		// Quoted: some names (edd) are keywords to ld's expression lexer.
		// The single quotes protect the double ones through @file parsing.
		args = append(args, "--defsym", fmt.Sprintf(`'"%s"=%#x'`, im.Name, im.Addr))
	}
	var argf bytes.Buffer
	for _, a := range args {
		argf.WriteString(a + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "args"), argf.Bytes(), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command("ld", "@args")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ld: %v\n%s", err, out)
	}
	lf, err := elf.Open(filepath.Join(dir, "out.elf"))
	if err != nil {
		return "", err
	}
	defer lf.Close()
	var problems []string
	for i := 1; i < len(obj.Sections); i++ {
		s := inMemory(i)
		if s == nil {
			continue
		}
		want, addr := s.Data, s.Addr
		ls := lf.Section(ldName(i))
		if ls == nil && len(want) == 0 {
			continue // ld drops empty output sections
		}
		if ls == nil {
			problems = append(problems, fmt.Sprintf("%s: ld has no such section", s.Name))
			continue
		}
		if ls.Addr != addr || ls.Size != uint64(len(want)) {
			problems = append(problems, fmt.Sprintf("%s: ld placed %#x bytes at %#x, golink %#x at %#x", s.Name, ls.Size, ls.Addr, len(want), addr))
			continue
		}
		got := make([]byte, ls.Size)
		if ls.Type != elf.SHT_NOBITS {
			if got, err = ls.Data(); err != nil {
				return "", err
			}
		}
		if !bytes.Equal(got, want) {
			k := 0
			for k < len(got) && got[k] == want[k] {
				k++
			}
			problems = append(problems, fmt.Sprintf("%s+%#x: ld % x, golink % x", s.Name, k, got[k:min(k+8, len(got))], want[k:min(k+8, len(want))]))
		}
	}
	return strings.Join(problems, "; "), nil
}

// ldCopy returns a copy of an object for ld: every section renamed to
// ldName(i) (a new section name table appended at the end) and SHF_MERGE
// cleared, so that ld copies each input section as it is, as the kernel's
// loader does, rather than merging strings.
func ldCopy(data []byte, shnum, shstrndx int) []byte {
	out := append([]byte(nil), data...)
	var names bytes.Buffer
	names.WriteByte(0)
	for i := 1; i < shnum; i++ {
		var typ elf.SectionType
		editSection(out, i, func(s *elf.Section64) { typ = elf.SectionType(s.Type) })
		off := uint32(names.Len())
		switch typ {
		case elf.SHT_SYMTAB:
			names.WriteString(".symtab")
		case elf.SHT_STRTAB:
			names.WriteString(fmt.Sprintf(".strtab.%d", i))
		default:
			names.WriteString(ldName(i))
		}
		names.WriteByte(0)
		editSection(out, i, func(s *elf.Section64) {
			s.Name = off
			s.Flags &^= uint64(elf.SHF_MERGE | elf.SHF_STRINGS)
		})
	}
	tab := uint64(len(out))
	out = append(out, names.Bytes()...)
	editSection(out, shstrndx, func(s *elf.Section64) { s.Off, s.Size = tab, uint64(names.Len()) })
	return out
}
