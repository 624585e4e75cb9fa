package main

import (
	"debug/elf"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/arch/x86/x86asm"

	"github.com/golink/golink/image"
	"github.com/golink/golink/kallsyms"
)

type disasmFlags struct {
	kernel string
	symbol string
	images []string
}

func newDisasmCmd() *cobra.Command {
	var fl disasmFlags
	cmd := &cobra.Command{
		Use:   "disasm IMAGE.elf [--symbol fn] [--kernel System.map] [--with OTHER.elf]...",
		Short: "Disassemble a linked x86_64 image with symbolised branch targets",
		Long: `Disasm decodes the executable sections of an image golink link wrote, at
their load addresses, in GNU syntax (x86asm.GNUSyntax), and names what the code
refers to as objdump does: a call or jump target as "0xADDR <name>" or
"<name+0xoff>", a RIP-relative operand with a "# 0xADDR <name>" comment.

Names come from the image's own symbols, from its resolved imports (kept in
its symbol table), and through kallsyms from the kernel (--kernel) and other
images (--with). --symbol restricts the listing to one function.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDisasm(cmd, &fl, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.kernel, "kernel", "", "the kernel: its vmlinuz or vmlinux, or its System.map, to name kernel addresses")
	f.StringVar(&fl.symbol, "symbol", "", "disassemble only this function")
	f.StringArrayVar(&fl.images, "with", nil, "another linked image whose symbols to use (repeatable)")
	return cmd
}

// symbolizer names addresses: the image's own symbols (nearest below,
// within the same section), its imports (exact), then kallsyms.
type symbolizer struct {
	own     []ownSym // sorted by address
	imports map[uint64]string
	tab     *kallsyms.Table
}

type ownSym struct {
	addr, end uint64 // end of the symbol's section
	name      string
}

func newSymbolizer(f *image.Image, tab *kallsyms.Table) *symbolizer {
	s := &symbolizer{imports: map[uint64]string{}, tab: tab}
	for _, sym := range f.Symbols[1:] {
		if sym.Name == "" {
			continue
		}
		switch {
		case sym.Shndx == elf.SHN_ABS:
			if _, dup := s.imports[sym.Value]; !dup {
				s.imports[sym.Value] = sym.Name
			}
		case sym.Shndx > 0 && int(sym.Shndx) < len(f.Sections):
			sec := f.Sections[sym.Shndx]
			if sec.Flags&elf.SHF_ALLOC == 0 || elf.ST_TYPE(sym.Info) == elf.STT_SECTION {
				continue
			}
			s.own = append(s.own, ownSym{addr: sym.Value, end: sec.Addr + sec.Size, name: sym.Name})
		}
	}
	sort.SliceStable(s.own, func(i, j int) bool { return s.own[i].addr < s.own[j].addr })
	return s
}

// name returns "<name>" or "<name+0xoff>" for addr, or "".
func (s *symbolizer) name(addr uint64) string {
	i := sort.Search(len(s.own), func(i int) bool { return s.own[i].addr > addr }) - 1
	for i > 0 && s.own[i-1].addr == s.own[i].addr {
		i--
	}
	if i >= 0 && addr < s.own[i].end {
		return label(s.own[i].name, addr-s.own[i].addr)
	}
	if n, ok := s.imports[addr]; ok {
		return label(n, 0)
	}
	if s.tab != nil {
		if f, ok := s.tab.Lookup(addr); ok {
			return label(f.Name, f.Offset)
		}
	}
	return ""
}

func label(name string, off uint64) string {
	if off == 0 {
		return "<" + name + ">"
	}
	return fmt.Sprintf("<%s+%#x>", name, off)
}

func runDisasm(cmd *cobra.Command, fl *disasmFlags, path string) error {
	stdout := cmd.OutOrStdout()
	f, err := image.Open(path)
	if err != nil {
		return err
	}
	if f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s: %v image: disasm decodes x86_64 only", path, f.Machine)
	}
	var tab *kallsyms.Table
	if fl.kernel != "" || len(fl.images) > 0 {
		if tab, _, err = buildKallsyms(fl.kernel, fl.images); err != nil {
			return err
		}
	}
	sym := newSymbolizer(f, tab)
	found := fl.symbol == ""
	for _, sec := range f.Sections {
		if sec.Flags&elf.SHF_EXECINSTR == 0 || sec.Flags&elf.SHF_ALLOC == 0 || sec.Size == 0 || sec.Type == elf.SHT_NOBITS {
			continue
		}
		code, err := f.Slice(sec.Addr, sec.Size)
		if err != nil {
			return fmt.Errorf("%s: section %s: %v", path, sec.Name, err)
		}
		lo, hi := sec.Addr, sec.Addr+sec.Size
		if fl.symbol != "" {
			var ok bool
			if lo, hi, ok = symbolRange(f, sec, fl.symbol); !ok {
				continue
			}
			found = true
		}
		fmt.Fprintf(stdout, "\nDisassembly of section %s:\n", sec.Name)
		disasmRange(stdout, f, sym, sec, code, lo, hi)
	}
	if !found {
		return fmt.Errorf("%s: no function %s in an executable section", path, fl.symbol)
	}
	return nil
}

// symbolRange is the extent of the named symbol in sec: its size, or up to
// the next symbol when it has none.
func symbolRange(f *image.Image, sec image.Section, name string) (lo, hi uint64, ok bool) {
	for _, s := range f.Symbols[1:] {
		if s.Name != name || int(s.Shndx) != sec.Index {
			continue
		}
		lo, hi = s.Value, s.Value+s.Size
		if s.Size == 0 {
			hi = sec.Addr + sec.Size
			for _, t := range f.Symbols[1:] {
				if int(t.Shndx) == sec.Index && t.Value > lo && t.Value < hi {
					hi = t.Value
				}
			}
		}
		return lo, min(hi, sec.Addr+sec.Size), true
	}
	return 0, 0, false
}

// disasmRange prints [lo, hi) of section sec, whose bytes are code: a
// header at each symbol, then one line per instruction.
func disasmRange(w io.Writer, f *image.Image, sym *symbolizer, sec image.Section, code []byte, lo, hi uint64) {
	starts := map[uint64][]string{}
	for _, s := range f.Symbols[1:] {
		if int(s.Shndx) == sec.Index && s.Name != "" && elf.ST_TYPE(s.Info) != elf.STT_SECTION {
			starts[s.Value] = append(starts[s.Value], s.Name)
		}
	}
	for pc := lo; pc < hi; {
		if names, ok := starts[pc]; ok {
			sort.Strings(names)
			fmt.Fprintf(w, "\n%016x <%s>:\n", pc, strings.Join(names, ", "))
		}
		off := pc - sec.Addr
		inst, err := x86asm.Decode(code[off:hi-sec.Addr], 64)
		if err != nil || inst.Len == 0 {
			fmt.Fprintf(w, "%16x:\t%-21s\t(bad)\n", pc, fmt.Sprintf("%02x", code[off]))
			pc++
			continue
		}
		signExtendDisp(&inst)
		text := x86asm.GNUSyntax(inst, pc, nil)
		if note := annotate(inst, pc, sym); note != "" {
			text += note
		}
		fmt.Fprintf(w, "%16x:\t%-21s\t%s\n", pc, hexBytes(code[off:off+uint64(inst.Len)]), text)
		pc += uint64(inst.Len)
	}
}

// annotate names the target of a relative branch (" <name>") or of a
// RIP-relative operand (" # 0xADDR <name>"), as objdump does.
func annotate(inst x86asm.Inst, pc uint64, sym *symbolizer) string {
	next := pc + uint64(inst.Len)
	for _, a := range inst.Args {
		switch a := a.(type) {
		case x86asm.Rel:
			target := next + uint64(int64(a))
			if n := sym.name(target); n != "" {
				return " " + n
			}
		case x86asm.Mem:
			if a.Base == x86asm.RIP {
				target := next + uint64(a.Disp)
				note := fmt.Sprintf(" # %#x", target)
				if n := sym.name(target); n != "" {
					note += " " + n
				}
				return note
			}
		}
	}
	return ""
}

// signExtendDisp sign-extends 32-bit memory displacements, which x86asm
// (v0.32) stores zero-extended: in 64-bit mode the CPU sign-extends them,
// so -0x1fc3(%rip) would otherwise print as 0xffffe03d(%rip) and point 4 GiB
// away.
func signExtendDisp(inst *x86asm.Inst) {
	for i, a := range inst.Args {
		if m, ok := a.(x86asm.Mem); ok && m.Disp >= 1<<31 && m.Disp < 1<<32 {
			m.Disp = int64(int32(m.Disp))
			inst.Args[i] = m
		}
	}
}

func hexBytes(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}
