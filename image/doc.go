// Package image is golink's model of a linked module and the owner of the
// file format `golink link` writes: the module's memory as the kernel's
// loader leaves it after relocation, the sections and symbols that
// describe that memory, its exports, parameters and kallsyms.
//
// An Image comes from the linker (golink's Module.Link, through New) or
// from a file (Read, Open); every reader — parameters (Params,
// ApplyParams), exports (ReadExports), kallsyms (Kallsyms), memory
// (ReadAt, WriteAt, Slice: params.Memory), disassembly, the lifecycle —
// works the same on both.
//
// The file is an ELF64 little-endian ET_EXEC (see ELF):
//
//   - PT_LOAD segments are module memory: the core and init regions, one
//     segment per class (text RX, read-only R, ro-after-init R, data RW, as
//     module_enable_ro and module_enable_nx map them) up to the region's
//     last section; the per-cpu template; the Kmalloc area (charp copies)
//     when parameters were set.
//   - Sections are the module's loaded sections at their final addresses,
//     .data..percpu at the per-cpu area, .modinfo and __versions as
//     unloaded sections, then what the arch adds outside the module (ia64's
//     .kernel.opd), then LayoutSection (the regions' bases, sizes and class
//     boundaries) and KmallocSection.
//   - The symbol table holds the module's symbols at their final values,
//     each resolved import as SHN_ABS, then the arch's (ia64's __gp, PLT
//     stubs), locals first.
//
// The loader's own bookkeeping in module memory (the init copy of the
// symbol table, the room for the core kallsyms copy) is memory, not
// sections: it is in the regions' sizes and in no section.
package image
