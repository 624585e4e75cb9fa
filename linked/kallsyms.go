package linked

import (
	"github.com/golink/golink/kallsyms"
)

// Kallsyms describes the module for a kallsyms table: its core region,
// its sections and symbols as the image holds them, and its non-GPL
// exports (which decide the case of the type letters).
func (f *File) Kallsyms() (*kallsyms.Module, error) {
	exp, err := f.Exports()
	if err != nil {
		return nil, err
	}
	m := &kallsyms.Module{
		Name:     f.Name,
		Core:     kallsyms.Region{Base: f.Core.Base, Size: f.Core.Size, TextSize: f.Core.TextSize},
		Sections: make([]kallsyms.ELFSection, len(f.Sections)),
		Percpu:   f.PercpuSec,
		Symbols:  make([]kallsyms.ELFSymbol, len(f.Symbols)),
		Exports:  map[string]uint64{},
	}
	for i, s := range f.Sections {
		m.Sections[i] = kallsyms.ELFSection{Name: s.Name, Type: s.Type, Flags: s.Flags, Init: s.Init}
	}
	for i, s := range f.Symbols {
		m.Symbols[i] = kallsyms.ELFSymbol{Name: s.Name, Value: s.Value, Info: s.Info, Shndx: s.Shndx}
	}
	for _, e := range exp {
		if !e.GPL {
			m.Exports[e.Name] = e.Value
		}
	}
	for _, e := range splitModinfo(f.Modinfo) {
		if e == "livepatch=Y" {
			m.Livepatch = true
		}
	}
	return m, nil
}

func splitModinfo(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == 0 {
			if i > start {
				out = append(out, string(b[start:i]))
			}
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, string(b[start:]))
	}
	return out
}
