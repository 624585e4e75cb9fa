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

// image writes an ET_EXEC whose sections are the given ones, at their
// addresses, with their contents.
func image(t *testing.T, secs ...gelf.OutSection) *gelf.File {
	t.Helper()
	o := &gelf.Output{Machine: elf.EM_X86_64, Type: elf.ET_EXEC, Sections: secs}
	var buf bytes.Buffer
	if _, err := o.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gelf.DecodeExecutable("test", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func ksymtab(value, name, ns int32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(value))
	b = binary.LittleEndian.AppendUint32(b, uint32(name))
	return binary.LittleEndian.AppendUint32(b, uint32(ns))
}

func TestExports(t *testing.T) {
	const tab, str = 0xffffffff82000000, 0xffffffff82001000
	f := image(t,
		gelf.OutSection{Name: "__ksymtab_gpl", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC, Addr: tab, Align: 4,
			Data: ksymtab(-0x1000000, str-(tab+4), str+4-(tab+8))},
		gelf.OutSection{Name: "__kcrctab_gpl", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC, Addr: tab + 0x100, Align: 4,
			Data: binary.LittleEndian.AppendUint32(nil, 0xdeadbeef)},
		gelf.OutSection{Name: "__ksymtab_strings", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC, Addr: str, Align: 1,
			Data: []byte("foo\x00NS\x00")})
	exp, err := vmlinux.Exports(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp) != 1 || exp[0].Name != "foo" || exp[0].Namespace != "NS" || !exp[0].GPLOnly || exp[0].CRC != 0xdeadbeef ||
		exp[0].Addr != tab-0x1000000 || exp[0].Module != "vmlinux" {
		t.Errorf("Exports = %+v", exp)
	}
	// Broken tables: an error naming the table, never a panic.
	for name, secs := range map[string][]gelf.OutSection{
		"partial entry": {{Name: "__ksymtab", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC, Addr: tab, Data: make([]byte, 13)}},
		"name nowhere":  {{Name: "__ksymtab", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC, Addr: tab, Data: ksymtab(0, 0x7000, 0)}},
		"crc count": {{Name: "__ksymtab", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC, Addr: tab, Data: ksymtab(0, 0, 0)},
			{Name: "__kcrctab", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC, Addr: tab + 0x100, Data: make([]byte, 8)}},
	} {
		_, err := vmlinux.Exports(image(t, secs...))
		var ee *vmlinux.ExportError
		if !errors.As(err, &ee) {
			t.Errorf("%s: %v, want an *ExportError", name, err)
		}
	}
}
