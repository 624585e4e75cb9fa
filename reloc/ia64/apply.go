package ia64

import (
	"debug/elf"
	"encoding/binary"
	"fmt"

	"github.com/golink/golink/reloc"
)

var le = binary.LittleEndian

// maxLTOFF is the kernel's MAX_LTOFF: the reach of a 22-bit gp-relative
// offset (±2 MiB around gp).
const maxLTOFF = 1 << 22

// relocator is one link's ia64 state: the rest of the kernel's struct
// mod_arch_specific (gp, next_got_entry, the contents of the four sections
// the plan sized) plus the kernel function descriptors golink made.
type relocator struct {
	*plan

	m       *reloc.Module
	gp      uint64
	nextGOT int
	kdescs  []kernelDesc
	kdescAt map[uint64]uint64 // descriptor address → entry point
	stubs   []stub            // PLT stubs made, for the image's symbols
	log     []string
}

// GP returns the module's gp (valid after Begin).
func (r *relocator) GP() uint64 { return r.gp }

// Begin chooses gp by the kernel's rule, zero-fills the arch sections and
// gives every imported kernel function its descriptor address as its value.
//
// gp rule (apply_relocate_add, Linux 6.1 and earlier): with size the core
// region's total size, gp = core base + (size/2, or size − 2 MiB when the
// core exceeds 4 MiB), rounded up to a multiple of 8. Small-data sections
// (.got among them) are laid out last in core, so they stay in reach.
func (r *relocator) Begin(m *reloc.Module) error {
	r.m = m
	size := m.Core.Size
	off := size / 2
	if size > maxLTOFF {
		off = size - maxLTOFF/2
	}
	r.gp = m.Core.Base + (off+7)&^7
	for _, i := range []int{r.corePLT, r.initPLT, r.got, r.opd} {
		clear(m.Sections[i].Data)
	}
	var errs []string
	r.kdescAt = map[uint64]uint64{}
	for i := range m.Symbols {
		s := &m.Symbols[i]
		if !s.Undefined() || !s.Resolved || !s.Kernel || !s.Func {
			continue
		}
		d, err := KernelDescriptor(r.opts, s.Value)
		if err != nil {
			errs = append(errs, fmt.Sprintf("kernel function %s: %v", s.Name, err))
			continue
		}
		r.kdescs = append(r.kdescs, kernelDesc{name: s.Name, addr: d, entry: s.Value})
		r.kdescAt[d] = s.Value
		s.Value = d
	}
	if len(errs) > 0 {
		return &reloc.Error{Module: m.Name, Section: "(symbols)", Msg: fmt.Sprintf("%s (and %d more)", errs[0], len(errs)-1)}
	}
	return nil
}

// ApplyREL refuses SHT_REL, as the kernel's ia64 apply_relocate does.
func (r *relocator) ApplyREL(m *reloc.Module, rel *reloc.RelocSection) error {
	return &reloc.Error{Module: m.Name, Section: m.Sections[rel.Target].Name,
		Msg:    fmt.Sprintf("SHT_REL section %s: REL relocations are not supported on ia64", m.Sections[rel.Index].Name),
		Kernel: fmt.Sprintf("module %s: REL relocs in section %d unsupported", m.Name, rel.Index)}
}

// Apply applies one relocation: the kernel's do_reloc. The type is cut to
// 8 bits as the kernel's uint8_t parameter does; the value formula runs
// first (it may take GOT, descriptor and PLT slots), then the format
// writer range-checks and stores.
func (r *relocator) Apply(s *reloc.Site) error {
	t := uint8(s.Type)
	name := TypeName(s.Type)
	fmtNum, fo := split(t)
	val := s.S + uint64(s.A)
	expr := "S+A"
	var err error
	switch fo {
	case RV_SEGREL, RV_DIRECT:
		// The segment base is 0 for modules: SEGREL is S+A.
	case RV_GPREL:
		val -= r.gp
		expr = "S+A-gp"
	case RV_LTREL:
		val, err = r.ltoff(s, val)
		expr = "got(S+A)-gp"
	case RV_PLTREL:
		val, err = r.plt(s, val)
		expr = "plt(S+A)"
	case RV_FPTR:
		val, err = r.fdesc(s, val)
		expr = "fdesc(S+A)"
	case RV_SECREL:
		val -= s.Section.Addr
		expr = "S+A-" + s.Section.Name
	case RV_LTREL_FPTR:
		if val, err = r.fdesc(s, val); err == nil {
			val, err = r.ltoff(s, val)
		}
		expr = "got(fdesc(S+A))-gp"
	case RV_PCREL:
		switch R_IA64(t) {
		case R_IA64_PCREL32MSB, R_IA64_PCREL32LSB, R_IA64_PCREL64MSB, R_IA64_PCREL64LSB:
			val -= s.P
			expr = "S+A-P"
		case R_IA64_PCREL21B:
			val, expr, err = r.branch(s, val)
			val -= bundle(s.P)
		default:
			val -= bundle(s.P)
			expr = "S+A-bundle(P)"
		}
		switch R_IA64(t) {
		case R_IA64_PCREL60B:
			fmtNum = RF_INSN60
		case R_IA64_PCREL21B:
			fmtNum = RF_INSN21B
		case R_IA64_PCREL21M:
			fmtNum = RF_INSN21M
		case R_IA64_PCREL21F:
			fmtNum = RF_INSN21F
		}
	case RV_BDREL:
		base := r.m.Core.Base
		if r.m.Init.Contains(val) {
			base = r.m.Init.Base
		}
		val -= base
		expr = "S+A-base"
	case RV_LTV:
		return s.Errorf(name, "BUG() in do_reloc: an oops, no message",
			"link-time-value relocations cannot occur in a module: the kernel stops with BUG() on them")
	case RV_PCREL2:
		if R_IA64(t) == R_IA64_PCREL21BI {
			if !r.m.InModule(val) {
				return s.Errorf(name, fmt.Sprintf("do_reloc: %s reloc against non-local symbol (%x)", kernelName(t), val),
					"target %#x is outside the module: PCREL21BI reaches module-local code only", val)
			}
			fmtNum = RF_INSN21B
		}
		val -= bundle(s.P)
		expr = "S+A-bundle(P)"
	case RV_SPECIAL:
		switch R_IA64(t) {
		case R_IA64_IPLTMSB, R_IA64_IPLTLSB:
			if val, err = r.plt(s, val); err == nil {
				val, err = r.fdesc(s, val)
			}
			expr = "fdesc(plt(S+A))"
			fmtNum = RF_64LSB
			if R_IA64(t) == R_IA64_IPLTMSB {
				fmtNum = RF_64MSB
			}
		case R_IA64_SUB:
			val = uint64(s.A) - s.S
			expr = "A-S"
			fmtNum = RF_INSN64
		case R_IA64_LTOFF22X:
			if r.gpAddressable(val) {
				val -= r.gp
				expr = "S+A-gp"
			} else {
				val, err = r.ltoff(s, val)
				expr = "got(S+A)-gp"
			}
			fmtNum = RF_INSN22
		case R_IA64_LDXMOV:
			if !r.gpAddressable(val) {
				return nil
			}
			b, nib, err := r.bundleAt(s, name)
			if err != nil {
				return err
			}
			bb := LoadBundle(b)
			bb.Patch(nib, maskLDXMOV, valLDXMOV)
			bb.Store(b)
			return nil
		default:
			if kernelName(t) != "?" {
				return s.Errorf(name, kmsg(s, "special reloc %s not supported", kernelName(t)),
					"copy relocations belong to executables and shared objects, not modules")
			}
			return s.Errorf(name, kmsg(s, "unknown special reloc %x", t), "unknown special relocation type")
		}
	case RV_TPREL, RV_LTREL_TPREL, RV_DTPMOD, RV_LTREL_DTPMOD, RV_DTPREL, RV_LTREL_DTPREL:
		return s.Errorf(name, kmsg(s, "%s reloc not supported", kernelName(t)),
			"thread-local storage is not supported in modules")
	default:
		return s.Errorf(name, kmsg(s, "unknown reloc %x", t), "type %#x has a value formula (%d) the ia64 loader does not know%s", s.Type, fo, truncNote(s.Type))
	}
	if err != nil {
		return err
	}
	return r.store(s, name, t, fmtNum, val, expr)
}

func truncNote(t uint32) string {
	if t > 0xff {
		return fmt.Sprintf(" (the kernel reads it as %#x: it keeps the low 8 bits)", uint8(t))
	}
	return ""
}

func bundle(p uint64) uint64 { return p &^ 15 }

// gpAddressable is the kernel's gp_addressable: −2 MiB ≤ v − gp < 2 MiB,
// what a 22-bit gp-relative offset reaches (MAX_LTOFF).
func (r *relocator) gpAddressable(v uint64) bool { return reloc.FitsSigned(int64(v-r.gp), 22) }

// branch is the PCREL21B value rule of do_reloc: a branch between init and
// core that does not reach, and any branch leaving the module, goes
// through a PLT stub.
func (r *relocator) branch(s *reloc.Site, val uint64) (uint64, string, error) {
	m := r.m
	if (m.Init.Contains(val) && m.Core.Contains(s.P)) || (m.Core.Contains(val) && m.Init.Contains(s.P)) {
		if delta := (int64(val) - int64(s.P)) / 16; !reloc.FitsSigned(delta, 21) {
			d, err := r.fdesc(s, val)
			if err != nil {
				return 0, "", err
			}
			v, err := r.plt(s, d)
			return v, "plt(fdesc(S+A))-bundle(P)", err
		}
		return val, "S+A-bundle(P)", nil
	}
	if !m.InModule(val) {
		v, err := r.plt(s, val)
		return v, "plt(S+A)-bundle(P)", err
	}
	return val, "S+A-bundle(P)", nil
}

// Finish is the kernel's module_finalize: it sorts .IA_64.unwind by start
// address, in place, with the kernel's own exchange sort (so that entries
// with equal starts end up where the kernel puts them). It then records
// this module's descriptors in Options.Descriptors.
func (r *relocator) Finish(m *reloc.Module) error {
	if r.unwind >= 0 && m.Sections[r.unwind].Loaded {
		if err := sortUnwind(m, m.Sections[r.unwind]); err != nil {
			return err
		}
	}
	if d := r.opts.Descriptors; d != nil {
		opd := m.Sections[r.opd]
		for off := 0; off+fdescSize <= len(opd.Data); off += fdescSize {
			ip := le.Uint64(opd.Data[off:])
			if ip == 0 {
				break
			}
			d.Add(opd.Addr+uint64(off), ip, le.Uint64(opd.Data[off+8:]))
		}
	}
	return nil
}

// maxUnwindSort bounds the quadratic sort; real modules have a few hundred
// entries.
const maxUnwindSort = 1 << 15

func sortUnwind(m *reloc.Module, sec *reloc.Section) error {
	const es = 24 // struct unw_table_entry { u64 start_offset, end_offset, info_offset; }
	n := len(sec.Data) / es
	if n > maxUnwindSort {
		return &reloc.Error{Module: m.Name, Section: sec.Name,
			Msg: fmt.Sprintf("%d unwind entries: more than golink sorts as the kernel does (%d)", n, maxUnwindSort)}
	}
	d := sec.Data
	var tmp [es]byte
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if le.Uint64(d[j*es:]) < le.Uint64(d[i*es:]) {
				copy(tmp[:], d[i*es:(i+1)*es])
				copy(d[i*es:(i+1)*es], d[j*es:(j+1)*es])
				copy(d[j*es:(j+1)*es], tmp[:])
			}
		}
	}
	return nil
}

// stub is a PLT stub, named after the symbol of the relocation that made it.
type stub struct {
	addr, size uint64
	name       string
}

// Contribution gives the image the module's gp as the absolute symbol
// __gp, the kernel function descriptors this module uses as .kernel.opd
// sections (one per run of consecutive descriptors) with each function's
// entry point as a local function symbol, each PLT stub as a local
// function symbol "target@plt", and what the kernel would have logged.
func (r *relocator) Contribution() *reloc.Contribution {
	c := &reloc.Contribution{Log: r.log}
	c.Symbols = append(c.Symbols, reloc.ExtraSymbol{Name: "__gp", Value: r.gp,
		Info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_NOTYPE), Section: -1})
	addrs, data := kernelRuns(r.kdescs, r.opts.KernelGP)
	for i := range addrs {
		c.Sections = append(c.Sections, reloc.ExtraSection{Name: ".kernel.opd", Flags: elf.SHF_ALLOC, Addr: addrs[i], Align: 8, Data: data[i]})
	}
	for _, st := range r.stubs {
		c.Symbols = append(c.Symbols, reloc.ExtraSymbol{Name: st.name, Value: st.addr, Size: st.size,
			Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_FUNC), Section: -1})
	}
	seen := map[string]bool{}
	for _, d := range r.kdescs {
		if seen[d.name] {
			continue
		}
		seen[d.name] = true
		c.Symbols = append(c.Symbols, reloc.ExtraSymbol{Name: d.name, Value: d.entry,
			Info: elf.ST_INFO(elf.STB_LOCAL, elf.STT_FUNC), Section: -1})
	}
	return c
}
