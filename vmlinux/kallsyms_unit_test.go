package vmlinux_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"testing"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/vmlinux"
)

// kallsymsImage encodes symbols (type letter first, then the name) as
// scripts/kallsyms does in the 6.4 order — num_syms, names, markers,
// token_table, token_index, offsets, relative_base — with one-character
// tokens, in an ET_EXEC with one PT_LOAD at base.
func kallsymsImage(t testing.TB, names []string, addrs []uint64) []byte {
	const base, rel = 0xffffffff82000000, 0xffffffff81000000
	var b []byte
	pad := func() {
		for len(b)%8 != 0 {
			b = append(b, 0)
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(names)))
	pad()
	namesAt := len(b)
	var markers []uint32
	for i, n := range names {
		if i%256 == 0 {
			markers = append(markers, uint32(len(b)-namesAt))
		}
		b = append(b, byte(len(n)))
		b = append(b, n...) // token k is the character k
	}
	pad()
	for _, m := range markers {
		b = binary.LittleEndian.AppendUint32(b, m)
	}
	pad()
	table := len(b)
	var index []uint16
	for k := 0; k < 256; k++ {
		index = append(index, uint16(len(b)-table))
		c := byte(k)
		if c == 0 {
			c = '?' // token 0 is never used by these names
		}
		b = append(b, c, 0)
	}
	pad()
	for _, x := range index {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	pad()
	for _, a := range addrs {
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(-int64(a-rel)-1)))
	}
	pad()
	b = binary.LittleEndian.AppendUint64(b, rel)
	o := &gelf.Output{Machine: elf.EM_X86_64, Type: elf.ET_EXEC,
		Segments: []gelf.OutSegment{{Flags: elf.PF_R, Vaddr: base, Data: b}}}
	var out bytes.Buffer
	if _, err := o.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestRecover(t *testing.T) {
	names := []string{"Tstartup_64", "tsecondary", "Dinit_task"}
	addrs := []uint64{0xffffffff81000000, 0xffffffff81000040, 0xffffffff82a00000}
	f, err := gelf.DecodeExecutable("test", kallsymsImage(t, names, addrs))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := vmlinux.Recover(f)
	if err != nil {
		t.Fatal(err)
	}
	if ks.Layout != "6.4" || len(ks.Symbols) != 3 {
		t.Fatalf("Recover: layout %s, %d symbols", ks.Layout, len(ks.Symbols))
	}
	for i, s := range ks.Symbols {
		if s.Type != names[i][0] || s.Name != names[i][1:] || s.Addr != addrs[i] {
			t.Errorf("symbol %d: %c %s %#x, want %s at %#x", i, s.Type, s.Name, s.Addr, names[i], addrs[i])
		}
	}
	// No tables: a clear error.
	empty := &gelf.Output{Machine: elf.EM_X86_64, Type: elf.ET_EXEC,
		Segments: []gelf.OutSegment{{Flags: elf.PF_R, Vaddr: 0xffffffff81000000, Data: make([]byte, 4096)}}}
	var buf bytes.Buffer
	empty.WriteTo(&buf)
	h, err := gelf.DecodeExecutable("empty", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var re *vmlinux.RecoverError
	if _, err := vmlinux.Recover(h); !errors.As(err, &re) {
		t.Errorf("Recover of an image without tables: %v, want a *RecoverError", err)
	}
}

// FuzzRecover: Recover on damaged images returns tables or an error, never
// a panic.
func FuzzRecover(f *testing.F) {
	f.Add(kallsymsImage(f, []string{"Tstartup_64", "tsecondary", "Dinit_task"},
		[]uint64{0xffffffff81000000, 0xffffffff81000040, 0xffffffff82a00000}))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := gelf.DecodeExecutable("fuzz", data)
		if err != nil {
			return
		}
		vmlinux.Recover(g)
	})
}
