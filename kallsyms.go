package golink

import (
	"github.com/golink/golink/kallsyms"
)

// Kallsyms describes the linked module for a kallsyms table as the kernel
// sees it after relocation: the loader's section headers (per-cpu,
// .modinfo and __versions without SHF_ALLOC, init sections marked), the
// symbols at their final values, the core region and its text size, and
// the non-GPL exports that decide the case of the type letters.
func (img *Image) Kallsyms() *kallsyms.Module {
	m := &kallsyms.Module{
		Name:     img.Name,
		Core:     kallsyms.Region{Base: img.Core.Base, Size: img.Core.Size, TextSize: img.CoreLayout.TextSize},
		Sections: make([]kallsyms.ELFSection, len(img.Module.File.Sections)),
		Percpu:   img.Module.Percpu,
		Symbols:  make([]kallsyms.ELFSymbol, len(img.Symbols)),
		Exports:  map[string]uint64{},
	}
	for i := range m.Sections {
		s := img.rm.Sections[i]
		m.Sections[i] = kallsyms.ELFSection{Name: s.Name, Type: s.Type, Flags: s.Flags, Init: s.Init}
	}
	for i := 1; i < len(img.Symbols); i++ {
		s, in := &img.Symbols[i], &img.Module.Symbols[i]
		m.Symbols[i] = kallsyms.ELFSymbol{Name: in.Name, Value: s.Value, Info: in.Info, Shndx: in.Shndx}
	}
	for _, e := range img.Exports {
		if !e.GPLOnly {
			m.Exports[e.Name] = e.Addr
		}
	}
	if v, ok := img.Module.Modinfo.Get("livepatch"); ok && v == "Y" {
		m.Livepatch = true
	}
	return m
}
