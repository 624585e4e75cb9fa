package image

import (
	"github.com/golink/golink/kallsyms"
)

// Kallsyms describes the module for a kallsyms table as the kernel sees it
// once init has run: the core region and its text size, the sections and
// symbols at their final values, and the non-GPL exports that decide the
// case of the type letters.
func (img *Image) Kallsyms() *kallsyms.Module {
	m := &kallsyms.Module{
		Name:     img.Name,
		Core:     kallsyms.Region{Base: img.Core.Base, Size: img.Core.Size, TextSize: img.Core.TextSize},
		Sections: make([]kallsyms.ELFSection, len(img.Sections)),
		Percpu:   img.PercpuSec,
		Symbols:  make([]kallsyms.ELFSymbol, len(img.Symbols)),
		Exports:  map[string]uint64{},
	}
	for i, s := range img.Sections {
		m.Sections[i] = kallsyms.ELFSection{Name: s.Name, Type: s.Type, Flags: s.Flags, Init: s.Init}
	}
	for i, s := range img.Symbols {
		m.Symbols[i] = kallsyms.ELFSymbol{Name: s.Name, Value: s.Value, Info: s.Info, Shndx: s.Shndx}
	}
	for _, e := range img.Exports {
		if !e.GPLOnly {
			m.Exports[e.Name] = e.Addr
		}
	}
	if v, ok := img.Modinfo.Get("livepatch"); ok && v == "Y" {
		m.Livepatch = true
	}
	return m
}
