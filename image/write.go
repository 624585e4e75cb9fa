package image

import (
	"debug/elf"
	"io"

	gelf "github.com/golink/golink/elf"
)

// LayoutSection names the unloaded section in which an image records the
// loader's layout, since the segments show only the bytes the module's
// sections occupy: twelve little-endian u64 values, the core region's base,
// size, text size, read-only end and ro-after-init end, the same five for
// the init region, then the per-cpu area's base and size.
const LayoutSection = ".golink.layout"

// layoutRecordSize is the size of the LayoutSection record.
const layoutRecordSize = 12 * 8

// KmallocSection names the section holding the image's Kmalloc area.
const KmallocSection = ".golink.kmalloc"

// ELF describes the image as an ELF file: one PT_LOAD per region class
// (text RX, read-only R, ro-after-init R, data RW, as module_enable_ro and
// module_enable_nx would map them) up to the region's last section, the
// per-cpu template and the Kmalloc area as read-write segments; the image's
// sections in order (those in memory take their bytes from the segments),
// then LayoutSection and KmallocSection; the image's symbols.
func (img *Image) ELF() *gelf.Output {
	o := &gelf.Output{Machine: img.Machine, Type: elf.ET_EXEC, Flags: img.Flags, Entry: img.Entry,
		Sections: make([]gelf.OutSection, 0, len(img.Sections)+1)}
	img.segments(o)
	for i := 1; i < len(img.Sections); i++ {
		s := &img.Sections[i]
		out := gelf.OutSection{Name: s.Name, Type: s.Type, Flags: s.Flags, Addr: s.Addr, Size: s.Size, Align: s.Align, Entsize: s.Entsize}
		if !s.Loaded && i != img.PercpuSec {
			out.Data = s.Data
		}
		o.Sections = append(o.Sections, out)
	}
	o.Symbols = img.Symbols[1:]
	o.Sections = append(o.Sections, gelf.OutSection{Name: LayoutSection, Type: elf.SHT_PROGBITS, Align: 8, Data: img.layoutRecord()})
	if a := img.Kmalloc; a != nil && len(a.Data) > 0 {
		o.Segments = append(o.Segments, gelf.OutSegment{Flags: elf.PF_R | elf.PF_W, Vaddr: a.Base, Data: a.Data})
		o.Sections = append(o.Sections, gelf.OutSection{Name: KmallocSection, Type: elf.SHT_PROGBITS,
			Flags: elf.SHF_ALLOC | elf.SHF_WRITE, Addr: a.Base, Size: uint64(len(a.Data)), Align: 8})
	}
	return o
}

// segments adds the PT_LOADs of module memory. The data class of each
// region ends with its last section: what follows is the loader's kallsyms
// bookkeeping (the init copy of the symbol table, room for the core one),
// not the module's.
func (img *Image) segments(o *gelf.Output) {
	seg := func(mem []byte, base, lo, hi uint64, fl elf.ProgFlag) {
		if hi > lo {
			o.Segments = append(o.Segments, gelf.OutSegment{Flags: fl, Vaddr: base + lo, Data: mem[lo:hi]})
		}
	}
	var coreEnd, initEnd uint64
	for i := range img.Sections {
		if s := &img.Sections[i]; s.Loaded && s.Init {
			initEnd = max(initEnd, s.Addr-img.Init.Base+s.Size)
		} else if s.Loaded {
			coreEnd = max(coreEnd, s.Addr-img.Core.Base+s.Size)
		}
	}
	for _, r := range [...]struct {
		mem []byte
		r   Region
		end uint64
	}{{img.CoreMem, img.Core, coreEnd}, {img.InitMem, img.Init, initEnd}} {
		l := r.r.Layout
		seg(r.mem, r.r.Base, 0, min(l.TextSize, r.end), elf.PF_R|elf.PF_X)
		seg(r.mem, r.r.Base, l.TextSize, min(l.RoSize, r.end), elf.PF_R)
		seg(r.mem, r.r.Base, l.RoSize, min(l.RoAfterInitSize, r.end), elf.PF_R)
		seg(r.mem, r.r.Base, l.RoAfterInitSize, r.end, elf.PF_R|elf.PF_W)
	}
	seg(img.PercpuMem, img.Percpu.Base, 0, uint64(len(img.PercpuMem)), elf.PF_R|elf.PF_W)
}

func (img *Image) layoutRecord() []byte {
	b := make([]byte, 0, layoutRecordSize)
	for _, v := range [...]uint64{
		img.Core.Base, img.Core.Size, img.Core.TextSize, img.Core.RoSize, img.Core.RoAfterInitSize,
		img.Init.Base, img.Init.Size, img.Init.TextSize, img.Init.RoSize, img.Init.RoAfterInitSize,
		img.Percpu.Base, img.Percpu.Size,
	} {
		b = le.AppendUint64(b, v)
	}
	return b
}

// WriteTo writes the image as an ELF file (see ELF).
func (img *Image) WriteTo(w io.Writer) (int64, error) { return img.ELF().WriteTo(w) }
