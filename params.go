package golink

import (
	"debug/elf"
	"fmt"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/params"
)

// Params decodes the module's parameters (params.Decode, through the
// object's relocations), merges what .modinfo says about them
// (params.Merge) and gives every reference its address in the image.
// Errors are *params.DecodeError values, or a fmt error for a reference
// into a section the image does not load.
func (img *Image) Params() ([]params.Param, error) {
	ps, err := params.Decode(img.Module.File)
	if err != nil {
		return nil, err
	}
	ps = params.Merge(ps, img.Module.Modinfo)
	for i := range ps {
		p := &ps[i]
		if !p.InParamTable {
			continue
		}
		for _, r := range []*params.Ref{&p.Arg, &p.Var, &p.Num} {
			if err := img.locate(r); err != nil {
				return nil, fmt.Errorf("%s: parameter %s: %w", img.Name, p.Name, err)
			}
		}
	}
	return ps, nil
}

// locate sets r.Addr: the final address of what the relocation targets.
func (img *Image) locate(r *params.Ref) error {
	switch {
	case r.Null:
		return nil
	case r.Section != 0:
		if r.Section == img.Module.Percpu {
			r.Addr = img.Percpu.Base + r.Off
			return nil
		}
		s := img.rm.Sections[r.Section]
		if !s.Loaded {
			return fmt.Errorf("%s+%#x is in a section the kernel does not load", s.Name, r.Off)
		}
		r.Addr = s.Addr + r.Off
	case r.Sym != "":
		if r.SymIndex <= 0 || r.SymIndex >= len(img.Symbols) {
			return fmt.Errorf("symbol index %d out of range", r.SymIndex)
		}
		r.Addr = img.Symbols[r.SymIndex].Value + uint64(r.Addend)
	}
	return nil
}

// ParamArea is memory golink provides for what the kernel would kmalloc
// while parsing parameters: the copies param_set_charp makes of charp
// values. It is not module memory; Image.ELFWithParams writes it as its own
// segment and section (.golink.kmalloc), so that the pointers stored in
// the module's variables point at readable bytes. Base should be an address
// where kmalloc memory lives (x86_64's direct map starts at
// 0xffff888000000000 without KASLR) and distinct per module.
type ParamArea struct {
	Base uint64
	Cap  int    // bytes available; 0 means 1 MiB
	Data []byte // what has been allocated so far
}

// Kmalloc implements params.Allocator: n bytes, 8-aligned, zeroed.
func (a *ParamArea) Kmalloc(n int) (uint64, error) {
	limit := a.Cap
	if limit == 0 {
		limit = 1 << 20
	}
	off := (len(a.Data) + 7) &^ 7
	if n < 0 || off+n > limit {
		return 0, fmt.Errorf("kmalloc(%d): the parameter area at %#x is full (%d of %d bytes used)", n, a.Base, len(a.Data), limit)
	}
	a.Data = append(a.Data, make([]byte, off+n-len(a.Data))...)
	return a.Base + uint64(off), nil
}

// Memory returns the image's memory — core, init, per-cpu and, if area is
// not nil, the parameter area — as params reads and writes it.
func (img *Image) Memory(area *ParamArea) params.Memory { return &imageMemory{img, area} }

type imageMemory struct {
	img  *Image
	area *ParamArea
}

func (m *imageMemory) span(addr uint64, n int) ([]byte, error) {
	img := m.img
	regions := []struct {
		base uint64
		mem  []byte
	}{{img.Core.Base, img.CoreMem}, {img.Init.Base, img.InitMem}, {img.Percpu.Base, img.PercpuMem}}
	if m.area != nil {
		regions = append(regions, struct {
			base uint64
			mem  []byte
		}{m.area.Base, m.area.Data})
	}
	for _, r := range regions {
		off := addr - r.base
		if addr >= r.base && off < uint64(len(r.mem)) && uint64(n) <= uint64(len(r.mem))-off {
			return r.mem[off : off+uint64(n)], nil
		}
	}
	return nil, fmt.Errorf("%#x+%d is not in %s's memory", addr, n, img.Name)
}

func (m *imageMemory) ReadAt(p []byte, addr uint64) error {
	s, err := m.span(addr, len(p))
	if err == nil {
		copy(p, s)
	}
	return err
}

func (m *imageMemory) WriteAt(p []byte, addr uint64) error {
	s, err := m.span(addr, len(p))
	if err == nil {
		copy(s, p)
	}
	return err
}

// ApplyParams parses args as the kernel's load_module does after
// relocation (parse_args) and writes each accepted value into the image:
// the variable's bytes in module memory, charp copies in area (which may
// be nil when no charp parameter is given a value). It returns the
// parameters with their addresses and what parse_args did; arguments the
// kernel refuses are in the Result (Errors, Log), not in the error, which
// is reserved for decoding and memory faults.
func (img *Image) ApplyParams(args string, area *ParamArea, cfg *params.Config) ([]params.Param, *params.Result, error) {
	ps, err := img.Params()
	if err != nil {
		return nil, nil, err
	}
	var alloc params.Allocator
	if area != nil {
		alloc = area
	}
	r, err := params.Apply(img.Name, args, ps, img.Memory(area), alloc, cfg)
	if err != nil {
		return ps, r, fmt.Errorf("%s: %w", img.Name, err)
	}
	return ps, r, nil
}

// KmallocSection names the section holding a ParamArea in images golink
// writes.
const KmallocSection = ".golink.kmalloc"

// ELFWithParams is ELF with the parameter area, if it holds anything,
// added as a read-write segment and a section named KmallocSection.
func (img *Image) ELFWithParams(area *ParamArea) *gelf.Output {
	o := img.ELF()
	if area == nil || len(area.Data) == 0 {
		return o
	}
	o.Segments = append(o.Segments, gelf.OutSegment{Flags: elf.PF_R | elf.PF_W, Vaddr: area.Base, Data: area.Data})
	o.Sections = append(o.Sections, gelf.OutSection{Name: KmallocSection, Type: elf.SHT_PROGBITS,
		Flags: elf.SHF_ALLOC | elf.SHF_WRITE, Addr: area.Base, Size: uint64(len(area.Data)), Align: 8})
	return o
}
