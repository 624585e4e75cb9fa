package golink

import (
	"debug/elf"
	"errors"
	"fmt"
	"strings"
	"syscall"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/image"
	"github.com/golink/golink/modversions"
	"github.com/golink/golink/reloc"
	"github.com/golink/golink/symtab"
)

// Resolver answers the loader's question for each undefined symbol: who
// exports this name? *symtab.Table implements it.
type Resolver interface {
	Lookup(name string) (symtab.Symbol, bool)
}

// Placement says where a module's memory lives, as module_alloc and
// percpu_modalloc would have chosen.
type Placement struct {
	Core   uint64 // base of the core region; page aligned
	Init   uint64 // base of the init region; 0 puts it right after core
	Percpu uint64 // address of the module's per-cpu area (if it has .data..percpu)
	// Scratch is the address of the loader's temporary copy of the file:
	// sections that are not loaded (.modinfo, __versions, debug sections)
	// keep Scratch+sh_offset as their address, as in the kernel.
	Scratch uint64
	// Alloc, if set, provides the module's memory: n zeroed bytes. Link
	// asks for the core region, then the init region, then (if the module
	// has one) the per-cpu area. Nil means make.
	Alloc func(n uint64) []byte
}

func (p *Placement) alloc(n uint64) []byte {
	if p.Alloc != nil {
		return p.Alloc(n)[:n:n]
	}
	return make([]byte, n)
}

// maxErrors caps the errors one link collects before it stops.
const maxErrors = 20

// Link places the module at p, resolves its undefined symbols through
// syms, and applies its relocations: the rest of the kernel's load_module
// up to post_relocation (move_module, simplify_symbols, apply_relocations),
// without executing anything.
//
// Errors are in the kernel's words: *UnknownSymbolError for each symbol
// that does not resolve, *KernelError for other refusals, *reloc.Error and
// *reloc.OverflowError for relocations; several are joined with
// errors.Join (at most 20). Link does not modify m and may be called
// concurrently.
func (m *Module) Link(p Placement, syms Resolver) (*image.Image, error) {
	page := m.cfg.pageSize()
	if p.Init == 0 {
		p.Init = p.Core + m.Core.Size
	}
	if p.Core%page != 0 || p.Init%page != 0 {
		return nil, fmt.Errorf("%s: core base %#x and init base %#x must be multiples of the page size %#x", m.Name, p.Core, p.Init, page)
	}
	if m.Percpu != 0 && p.Percpu%m.PercpuAlign != 0 {
		return nil, fmt.Errorf("%s: per-cpu base %#x is not aligned to .data..percpu's %#x", m.Name, p.Percpu, m.PercpuAlign)
	}
	// The checks load_module makes before it allocates anything.
	st := &loadState{m: m}
	for _, check := range []func() error{func() error { return st.checkModstructVersion(syms) }, st.checkModinfo, st.checkLicenseAndVersions} {
		if err := check(); err != nil {
			return nil, err
		}
	}
	// This link's copy of the laid-out sections, and its own relocator.
	rm := m.relocModule(cloneSections(m.sections))
	rel := m.plan.Relocator()
	core, init := m.Core, m.Init
	l := &linking{m: m, st: st, rm: rm, Linked: image.Linked{
		Name: m.Name, Path: m.File.Name, Object: m.File, Symbols: m.Symbols, Module: rm,
		Core: image.Region{Base: p.Core, Layout: core}, Init: image.Region{Base: p.Init, Layout: init},
		CoreMem: p.alloc(core.Size), InitMem: p.alloc(init.Size),
		PercpuSec: m.Percpu, ModinfoSec: m.ModinfoSec, VersionsSec: m.Versions,
	}}
	rm.Core = reloc.Region{Base: p.Core, Size: core.Size}
	rm.Init = reloc.Region{Base: p.Init, Size: init.Size}
	l.moveModule(p)
	if err := l.simplifySymbols(syms); err != nil {
		return nil, err
	}
	if err := l.applyRelocations(rel); err != nil {
		return nil, err
	}
	if c, ok := rel.(reloc.Contributor); ok {
		l.Extra = c.Contribution()
		if l.Extra != nil {
			for _, line := range l.Extra.Log {
				st.log = append(st.log, image.LogLine{Text: line})
			}
		}
	}
	l.writeSymtabCopy()
	img, err := image.New(&l.Linked)
	if err != nil {
		return nil, kernelErr(m.Name, 0, "", "%v", err)
	}
	img.Imports, img.Relocations, img.Taints, img.Log = l.imports, l.relocations, st.taints, st.log
	return img, nil
}

// linking is the state of one Link.
type linking struct {
	image.Linked
	m           *Module
	st          *loadState
	rm          *reloc.Module
	imports     []image.Import
	relocations int
}

// moveModule is the kernel's move_module: every loaded section gets its
// address in its region and its bytes; the others keep their address in the
// scratch copy.
func (l *linking) moveModule(p Placement) {
	m, f := l.m, l.m.File
	for _, s := range l.rm.Sections {
		if !s.Loaded {
			if s.Index < len(f.Sections) {
				s.Addr = p.Scratch + f.Sections[s.Index].Offset
			}
			continue
		}
		mem, base := l.CoreMem, p.Core
		if s.Init {
			mem, base = l.InitMem, p.Init
		}
		s.Addr = base + s.Offset
		s.Data = mem[s.Offset : s.Offset+s.Size : s.Offset+s.Size]
		if s.Index < len(f.Sections) && s.Type != elf.SHT_NOBITS {
			copy(s.Data, f.Bytes(s.Index))
		}
	}
	if m.Percpu != 0 {
		// percpu_modcopy copies the template from the file image: relocations
		// against .data..percpu are never applied.
		l.Percpu = image.Region{Base: p.Percpu, Layout: image.Layout{Size: m.PercpuSize}}
		l.PercpuMem = p.alloc(m.PercpuSize)
		if f.Sections[m.Percpu].Type != elf.SHT_NOBITS {
			copy(l.PercpuMem, f.Bytes(m.Percpu))
		}
	}
}

// simplifySymbols is the kernel's simplify_symbols: give every symbol its
// absolute value, resolving undefined ones. Like the kernel it reports every
// bad symbol before failing.
func (l *linking) simplifySymbols(syms Resolver) error {
	m, st := l.m, l.st
	secs := l.rm.Sections
	out := make([]reloc.Symbol, len(m.Symbols))
	gplok := st.gplok()
	var errs []error
	for i := 1; i < len(m.Symbols); i++ {
		s := &m.Symbols[i]
		o := &out[i]
		*o = reloc.Symbol{Name: s.Name, Value: s.Value, Info: s.Info, Shndx: s.Shndx}
		if s.Type() == elf.STT_SECTION && int(s.Shndx) < len(secs) {
			o.Name = secs[s.Shndx].Name
		}
		switch s.Shndx {
		case elf.SHN_COMMON:
			if !strings.HasPrefix(s.Name, "__gnu_lto") {
				errs = append(errs, kernelErr(m.Name, syscall.ENOEXEC, "symbol "+s.Name+" is a common symbol", "%s: please compile with -fno-common", m.Name))
			}
		case elf.SHN_ABS, gelf.SHN_LIVEPATCH:
		case elf.SHN_UNDEF:
			exp, ok := syms.Lookup(s.Name)
			hint := ""
			if ok && exp.GPLOnly && !gplok {
				ok = false // find_symbol skips GPL-only tables for a P-tainted module
				hint = fmt.Sprintf("exported GPL-only, and the module's license %q is not GPL-compatible", st.license)
			}
			if !ok {
				if s.Bind() == elf.STB_WEAK || (s.Name == "_GLOBAL_OFFSET_TABLE_" && m.File.Machine == elf.EM_X86_64) {
					break
				}
				errs = append(errs, &UnknownSymbolError{Module: m.Name, Symbol: s.Name, Errno: syscall.ENOENT, Hint: hint})
				continue
			}
			if err := st.checkVersion(s.Name, exp.CRC, exp.HasCRC); err != nil {
				var de *modversions.DisagreeError
				if errors.As(err, &de) {
					err = &UnknownSymbolError{Module: m.Name, Symbol: s.Name, Errno: syscall.EINVAL, Reason: de.Error(),
						Hint: fmt.Sprintf("module built against CRC %#08x, %s exports %#08x", de.ModuleCRC, exp.OwnerName(), de.ExportCRC)}
				}
				errs = append(errs, err)
				continue
			}
			if exp.Namespace != "" && !m.importsNamespace(exp.Namespace) {
				errs = append(errs, &UnknownSymbolError{Module: m.Name, Symbol: s.Name, Errno: syscall.EINVAL,
					Reason: fmt.Sprintf("%s: module uses symbol (%s) from namespace %s, but does not import it.", m.Name, s.Name, exp.Namespace)})
				continue
			}
			o.Value, o.Resolved, o.Kernel = exp.Addr, true, exp.Owner == ""
			o.Func = exp.Type == 'T' || exp.Type == 't'
			l.imports = append(l.imports, image.Import{Name: s.Name, Addr: exp.Addr, Owner: exp.Owner, Weak: s.Bind() == elf.STB_WEAK})
		default:
			if int(s.Shndx) >= len(m.File.Sections) {
				errs = append(errs, kernelErr(m.Name, syscall.ENOEXEC, "", "%s: Symbol %s has an invalid section index %d (max %d)",
					m.Name, s.Name, uint16(s.Shndx), len(m.File.Sections)-1))
				continue
			}
			if int(s.Shndx) == m.Percpu && m.Percpu != 0 {
				o.Value += l.Percpu.Base
			} else {
				o.Value += secs[s.Shndx].Addr
			}
		}
	}
	l.rm.Symbols = out
	// Every bad symbol is reported, as the kernel's loop does.
	return errors.Join(errs...)
}

func (m *Module) importsNamespace(ns string) bool {
	for _, v := range m.Modinfo.All("import_ns") {
		if v == ns {
			return true
		}
	}
	return false
}

// applyRelocations is the kernel's apply_relocations: every relocation
// section whose target is loaded goes to the arch backend, in section order.
// golink checks that each offset lies inside its target and, unlike the
// kernel, does not stop at the first failure: it collects up to 20.
func (l *linking) applyRelocations(rel reloc.Relocator) error {
	m, rm := l.m, l.rm
	if err := rel.Begin(rm); err != nil {
		return err
	}
	var errs []error
	add := func(err error) bool {
		errs = append(errs, err)
		return len(errs) < maxErrors
	}
	site := &reloc.Site{Module: rm}
	n := 0
outer:
	for k := range m.relocs {
		rs := &m.relocs[k]
		target := rm.Sections[rs.Target]
		if !target.Loaded {
			continue
		}
		relsec := rm.Sections[rs.Index]
		if relsec.Flags&gelf.SHF_RELA_LIVEPATCH != 0 {
			if !add(&reloc.Error{Module: m.Name, Section: target.Name,
				Msg: fmt.Sprintf("%s: livepatch relocation sections are applied by the livepatch core, which golink does not model", relsec.Name)}) {
				break
			}
			continue
		}
		if relsec.Type == elf.SHT_REL {
			if err := rel.ApplyREL(rm, rs); err != nil && !add(err) {
				break
			}
			continue
		}
		site.Section = target
		for _, r := range rs.All() {
			sym := &rm.Symbols[r.Sym()]
			site.Off = r.Off
			site.P = target.Addr + r.Off
			site.Type = r.Type()
			site.Sym = int(r.Sym())
			site.S = sym.Value
			site.A = r.Addend
			site.SymName = sym.Name
			if r.Off >= target.Size {
				if !add(site.Errorf(m.cfg.Arch.TypeName(site.Type), "", "offset %#x is outside %s (size %#x)", r.Off, target.Name, target.Size)) {
					break outer
				}
				continue
			}
			if err := rel.Apply(site); err != nil {
				if !add(err) {
					break outer
				}
				continue
			}
			n++
		}
	}
	if len(errs) == 0 {
		if err := rel.Finish(rm); err != nil {
			errs = append(errs, err)
		}
	}
	l.relocations = n
	if len(errs) >= maxErrors {
		errs = append(errs, fmt.Errorf("%s: too many errors, stopped", m.Name))
	}
	return errors.Join(errs...)
}

// writeSymtabCopy stores the final symbol values into the init region's
// copy of the symbol table, where simplify_symbols leaves them.
func (l *linking) writeSymtabCopy() {
	sec, final := l.rm.Sections[l.m.File.Symtab], l.rm.Symbols
	for i := 1; i < len(final) && (i+1)*gelf.SymSize <= len(sec.Data); i++ {
		b := sec.Data[i*gelf.SymSize:]
		sym := gelf.DecodeSym64(b)
		sym.Value = final[i].Value
		gelf.PutSym64(b, &sym)
	}
}
