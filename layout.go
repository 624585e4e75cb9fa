package golink

import (
	"debug/elf"
	"fmt"
	"strings"
	"syscall"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/reloc"
)

// maxRegion bounds a region: the kernel's layout sizes are 32-bit and its
// module area is 1.5 GiB, so anything larger cannot load.
const maxRegion = 1 << 30

// maxZeroFill bounds the zero-filled (SHT_NOBITS) memory a module may ask
// for. Sections with contents are bounded by the file's size; these are
// not, so a few hostile bytes could otherwise claim a gigabyte. The largest
// .bss in Debian's 6.1 tree is 0x420dc bytes.
const maxZeroFill = 64 << 20

// maxPercpu bounds .data..percpu. The kernel takes every module's per-cpu
// data from a reserve of 8 KiB (PERCPU_MODULE_RESERVE); golink links many
// modules at once and does not share that limit, but refuses sizes no
// kernel could give.
const maxPercpu = 1 << 20

// layout runs the arch pre-pass and lays the sections out, once, so that
// callers can place modules before linking them. It keeps the laid-out
// sections and the arch's plan for every link.
func (m *Module) layout() error {
	rm := m.relocModule(m.sections)
	plan, err := m.cfg.Arch.Size(rm, m.relocs)
	if err != nil {
		return err
	}
	core, init, err := m.layoutSections(rm)
	if err != nil {
		return err
	}
	m.sections = make([]reloc.Section, len(rm.Sections)) // the arch may have appended some
	for i, s := range rm.Sections {
		m.sections[i] = *s
	}
	m.plan = plan
	m.Core, m.Init = core, init
	if m.Percpu != 0 {
		p := &m.File.Sections[m.Percpu]
		m.PercpuSize, m.PercpuAlign = p.Size, max(p.Addralign, 1)
		if m.PercpuSize > maxPercpu {
			return kernelErr(m.Name, syscall.ENOMEM, fmt.Sprintf(".data..percpu is %#x bytes", m.PercpuSize),
				"%s: Could not allocate %d bytes percpu data", m.Name, m.PercpuSize)
		}
	}
	return nil
}

func cloneSections(t []reloc.Section) []reloc.Section {
	return append([]reloc.Section(nil), t...)
}

// isInitSection is the kernel's module_init_layout_section.
func (m *Module) isInitSection(name string) bool {
	if strings.HasPrefix(name, ".init") {
		return true
	}
	return m.cfg.NoModuleUnload && strings.HasPrefix(name, ".exit")
}

// layoutSections is the kernel's module_enforce_rwx_sections, the section
// flag adjustments of layout_and_allocate, layout_sections and
// layout_symtab. It sets Loaded, Init and Offset on rm's sections.
func (m *Module) layoutSections(rm *reloc.Module) (core, init image.Layout, err error) {
	secs := rm.Sections
	for i, s := range secs {
		if s.Flags&(elf.SHF_WRITE|elf.SHF_EXECINSTR) == elf.SHF_WRITE|elf.SHF_EXECINSTR {
			return core, init, kernelErr(m.Name, syscall.ENOEXEC, "", "%s: section %s (index %d) has invalid WRITE|EXEC flags", m.Name, s.Name, i)
		}
	}
	if m.Percpu != 0 {
		secs[m.Percpu].Flags &^= elf.SHF_ALLOC
	}
	for _, name := range []string{".data..ro_after_init", "__jump_table"} {
		if i := findSec(secs, name); i != 0 {
			secs[i].Flags |= gelf.SHF_RO_AFTER_INIT
		}
	}

	var zeroFill uint64
	for _, s := range secs {
		if s.Type == elf.SHT_NOBITS && s.Flags&elf.SHF_ALLOC != 0 {
			zeroFill += min(s.Size, maxZeroFill+1)
		}
	}
	if zeroFill > maxZeroFill {
		return core, init, kernelErr(m.Name, syscall.ENOMEM, fmt.Sprintf("its SHT_NOBITS sections ask for more than %d MiB of zero-filled memory", maxZeroFill>>20),
			"%s: module is too large to allocate", m.Name)
	}

	small := m.cfg.Arch.SmallFlag()
	masks := [5][2]elf.SectionFlag{
		{elf.SHF_EXECINSTR | elf.SHF_ALLOC, small},
		{elf.SHF_ALLOC, elf.SHF_WRITE | small},
		{gelf.SHF_RO_AFTER_INIT | elf.SHF_ALLOC, small},
		{elf.SHF_WRITE | elf.SHF_ALLOC, small},
		{small | elf.SHF_ALLOC, 0},
	}
	page := m.cfg.pageSize()
	strict := func(x uint64) uint64 { return alignUp(x, page) }
	placed := make([]bool, len(secs))
	for pass := 0; pass < 2; pass++ {
		wantInit := pass == 1
		l := &core
		if wantInit {
			l = &init
		}
		for c, mask := range masks {
			for i, s := range secs {
				if s.Flags&mask[0] != mask[0] || s.Flags&mask[1] != 0 || placed[i] || m.isInitSection(s.Name) != wantInit {
					continue
				}
				off, err := getOffset(&l.Size, s)
				if err != nil {
					return core, init, m.tooBig(s, err)
				}
				s.Offset, s.Init, s.Loaded = off, wantInit, true
				placed[i] = true
			}
			switch c {
			case 0:
				l.Size = strict(l.Size)
				l.TextSize = l.Size
			case 1:
				l.Size = strict(l.Size)
				l.RoSize = l.Size
			case 2:
				if wantInit {
					l.RoAfterInitSize = l.RoSize
				} else {
					l.Size = strict(l.Size)
					l.RoAfterInitSize = l.Size
				}
			case 4:
				l.Size = strict(l.Size)
			}
		}
	}

	// layout_symtab: the full symbol and string tables go to init, room for
	// the core kallsyms copy to the end of core.
	symsec, strsec := secs[m.File.Symtab], secs[m.Strtab]
	symsec.Flags |= elf.SHF_ALLOC
	off, err := getOffset(&init.Size, symsec)
	if err != nil {
		return core, init, m.tooBig(symsec, err)
	}
	symsec.Offset, symsec.Init, symsec.Loaded = off, true, true
	ndst, strSize := m.coreSymbols(secs)
	symoffs := alignUp(core.Size, max(symsec.Align, 1))
	core.Size = strict(symoffs + gelf.SymSize*ndst + strSize + ndst)
	strsec.Flags |= elf.SHF_ALLOC
	off, err = getOffset(&init.Size, strsec)
	if err != nil {
		return core, init, m.tooBig(strsec, err)
	}
	strsec.Offset, strsec.Init, strsec.Loaded = off, true, true
	// struct mod_kallsyms (32 bytes, 8-aligned) and one type byte per symbol.
	init.Size = strict(alignUp(init.Size, 8) + 32 + uint64(len(m.Symbols)))
	// What the file can justify: its own bytes, the zero-filled memory
	// allowed above, and up to a page of alignment padding per section and
	// per class boundary. Without this bound a few hostile bytes with huge
	// sh_addralign values would claim a gigabyte.
	justified := uint64(len(m.File.Data)) + maxZeroFill + uint64(len(secs)+16)*page
	if core.Size > maxRegion || init.Size > maxRegion || core.Size+init.Size > justified {
		return core, init, kernelErr(m.Name, syscall.ENOMEM, fmt.Sprintf("core %#x and init %#x bytes, more than a %#x-byte object justifies", core.Size, init.Size, len(m.File.Data)),
			"%s: module is too large to allocate", m.Name)
	}
	return core, init, nil
}

// coreSymbols counts the symbols layout_symtab keeps for the core kallsyms
// table and the size of their names (is_core_symbol).
func (m *Module) coreSymbols(secs []*reloc.Section) (n, strSize uint64) {
	livepatch := false
	if v, ok := m.Modinfo.Get("livepatch"); ok && v == "Y" {
		livepatch = true
	}
	for i := range m.Symbols {
		s := &m.Symbols[i]
		if i == 0 || livepatch || m.isCoreSymbol(s, secs) {
			n++
			strSize += uint64(len(s.Name)) + 1
		}
	}
	return n, strSize
}

func (m *Module) isCoreSymbol(s *gelf.Symbol, secs []*reloc.Section) bool {
	if s.Shndx == elf.SHN_UNDEF || int(s.Shndx) >= len(m.File.Sections) || s.NameOff == 0 {
		return false
	}
	if !m.cfg.KallsymsTextOnly && int(s.Shndx) == m.Percpu && m.Percpu != 0 {
		return true
	}
	sec := secs[s.Shndx]
	if sec.Flags&elf.SHF_ALLOC == 0 || (m.cfg.KallsymsTextOnly && sec.Flags&elf.SHF_EXECINSTR == 0) || sec.Init {
		return false
	}
	return true
}

// getOffset is the kernel's module_get_offset: align the running size for
// the section, return the section's offset and advance past it.
func getOffset(size *uint64, s *reloc.Section) (uint64, error) {
	off := alignUp(*size, max(s.Align, 1))
	end := off + s.Size
	if off < *size || end < off || end > maxRegion {
		return 0, fmt.Errorf("section %s of %#x bytes at offset %#x", s.Name, s.Size, off)
	}
	*size = end
	return off, nil
}

func (m *Module) tooBig(s *reloc.Section, err error) error {
	return kernelErr(m.Name, syscall.ENOMEM, err.Error(), "%s: module is too large to allocate", m.Name)
}

// findSec is the kernel's find_sec: the first section (index ≥ 1) with
// SHF_ALLOC and the given name.
func findSec(secs []*reloc.Section, name string) int {
	for i := 1; i < len(secs); i++ {
		if secs[i].Flags&elf.SHF_ALLOC != 0 && secs[i].Name == name {
			return i
		}
	}
	return 0
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) &^ (a - 1) }
