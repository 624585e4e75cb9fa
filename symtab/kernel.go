package symtab

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	gelf "github.com/golink/golink/elf"
)

// MapSymbol is one line of a System.map (nm format): address, type letter,
// name.
type MapSymbol struct {
	Addr uint64
	Type byte
	Name string
}

// ParseError reports a malformed line of a System.map or Module.symvers.
type ParseError struct {
	File string
	Line int
	Msg  string
	Text string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %q", e.File, e.Line, e.Msg, e.Text)
}

// ParseSystemMap reads a System.map: one "address type name" line per symbol
// (nm's format). name is used in errors.
func ParseSystemMap(r io.Reader, name string) ([]MapSymbol, error) {
	var out []MapSymbol
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 3 || len(f[1]) != 1 {
			return nil, &ParseError{name, ln, "want \"address type name\"", line}
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil {
			return nil, &ParseError{name, ln, "bad address", line}
		}
		out = append(out, MapSymbol{Addr: addr, Type: f[1][0], Name: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// SymversEntry is one line of a Module.symvers.
type SymversEntry struct {
	CRC       uint32
	Name      string
	Module    string // "vmlinux" or the module's path without .ko (drivers/net/dummy)
	GPLOnly   bool   // EXPORT_SYMBOL_GPL
	Namespace string
}

// ParseSymvers reads a Module.symvers as modpost's read_dump does:
// "0xCRC\tname\tmodule\tEXPORT_SYMBOL[_GPL]\tnamespace", the namespace field
// absent in files older than Linux 5.4. An unknown export type is an error,
// not a line to skip, since a silently missing export would turn into
// "Unknown symbol" far from its cause.
func ParseSymvers(r io.Reader, name string) ([]SymversEntry, error) {
	var out []SymversEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 4 || len(f) > 5 {
			return nil, &ParseError{name, ln, "want 4 or 5 tab-separated fields", line}
		}
		crc, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(f[0], "0x"), "0X"), 16, 32)
		if err != nil {
			return nil, &ParseError{name, ln, "bad CRC", line}
		}
		e := SymversEntry{CRC: uint32(crc), Name: f[1], Module: f[2]}
		switch f[3] {
		case "EXPORT_SYMBOL":
		case "EXPORT_SYMBOL_GPL":
			e.GPLOnly = true
		default:
			return nil, &ParseError{name, ln, "unknown export type " + strconv.Quote(f[3]), line}
		}
		if len(f) == 5 {
			e.Namespace = f[4]
		}
		if e.Name == "" {
			return nil, &ParseError{name, ln, "empty symbol name", line}
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// ReadAddresses reads the kernel's symbol addresses from path, either a
// System.map or a vmlinux ELF (recognised by its magic).
func ReadAddresses(path string) ([]MapSymbol, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte(elf.ELFMAG)) {
		return vmlinuxSymbols(path, data)
	}
	return ParseSystemMap(bytes.NewReader(data), path)
}

// vmlinuxSymbols reads the symbol table of a vmlinux ELF, giving each symbol
// the letter nm would.
func vmlinuxSymbols(path string, data []byte) ([]MapSymbol, error) {
	f, err := gelf.DecodeExecutable(path, data)
	if err != nil {
		return nil, err
	}
	if f.Symtab == 0 {
		return nil, &gelf.FormatError{File: path, Section: -1, Off: -1, Msg: "no symbol table", Detail: "a stripped vmlinux?"}
	}
	t, err := f.SymTab(f.Symtab)
	if err != nil {
		return nil, err
	}
	out := make([]MapSymbol, 0, t.Len())
	for i, s := range t.All() {
		if i == 0 || s.Name == "" || s.Type() == elf.STT_SECTION || s.Type() == elf.STT_FILE {
			continue
		}
		out = append(out, MapSymbol{Addr: s.Value, Type: nmLetter(f, &s), Name: s.Name})
	}
	return out, nil
}

func nmLetter(f *gelf.File, s *gelf.Symbol) byte {
	var c byte
	switch {
	case s.Shndx == elf.SHN_UNDEF:
		c = 'u'
	case s.Shndx == elf.SHN_ABS:
		c = 'a'
	case s.Shndx == elf.SHN_COMMON:
		c = 'c'
	case int(s.Shndx) < len(f.Sections):
		sec := &f.Sections[s.Shndx]
		switch {
		case sec.Flags&elf.SHF_EXECINSTR != 0:
			c = 't'
		case sec.Type == elf.SHT_NOBITS:
			c = 'b'
		case sec.Flags&elf.SHF_WRITE != 0:
			c = 'd'
		default:
			c = 'r'
		}
	default:
		c = '?'
	}
	if s.Bind() == elf.STB_WEAK {
		if c == 'u' {
			return 'w'
		}
		return 'W'
	}
	if s.Bind() != elf.STB_LOCAL && c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	return c
}

// KernelTable builds the kernel's exported-symbol table. With symvers, the
// exports are the "vmlinux" rows of Module.symvers, each placed at its
// System.map address and carrying its CRC, license and namespace. Without
// symvers (a kernel built without CONFIG_MODVERSIONS, or none at hand),
// every symbol of the map counts as exported, without CRCs; where a name
// appears more than once, its global definition wins.
//
// It fails if an exported symbol has no address in the map: the map and
// Module.symvers then come from different builds.
func KernelTable(addrs []MapSymbol, symvers []SymversEntry) (*Table, error) {
	t := New()
	byName := make(map[string]MapSymbol, len(addrs))
	for _, m := range addrs {
		old, seen := byName[m.Name]
		if !seen || (isLocal(old.Type) && !isLocal(m.Type)) {
			byName[m.Name] = m
		}
	}
	if symvers == nil {
		syms := make([]Symbol, 0, len(byName))
		for _, m := range byName {
			syms = append(syms, Symbol{Name: m.Name, Addr: m.Addr, Type: m.Type})
		}
		return t, t.Add("", syms)
	}
	var syms []Symbol
	var missing []string
	for _, e := range symvers {
		if e.Module != "vmlinux" {
			continue
		}
		m, ok := byName[e.Name]
		if !ok {
			missing = append(missing, e.Name)
			continue
		}
		syms = append(syms, Symbol{Name: e.Name, Addr: m.Addr, GPLOnly: e.GPLOnly, Namespace: e.Namespace,
			CRC: e.CRC, HasCRC: true, Type: m.Type})
	}
	if len(missing) > 0 {
		more := ""
		if len(missing) > 5 {
			more = fmt.Sprintf(" and %d more", len(missing)-5)
			missing = missing[:5]
		}
		return nil, fmt.Errorf("the kernel's Module.symvers exports %s%s, which its symbol map lacks: are they from the same build?",
			strings.Join(missing, ", "), more)
	}
	return t, t.Add("", syms)
}

func isLocal(c byte) bool { return c >= 'a' && c <= 'z' }

// LoadKernel is ReadKernel's exported-symbol table alone.
func LoadKernel(mapPath, symversPath string) (*Table, error) {
	k, err := ReadKernel(mapPath, symversPath)
	if err != nil {
		return nil, err
	}
	return k.Table, nil
}
