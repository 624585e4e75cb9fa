// Package golink is an in-kernel module linker in user space: it does with
// an ELF relocatable object (a kernel module, .ko) what the Linux kernel's
// load_module does, up to the point where the kernel would run the module's
// init — without running anything.
//
// The pipeline follows Linux 6.1 (kernel/module/main.c), in its order and
// with its messages:
//
//   - NewModule: the signature trailer is cut off and the ELF checked
//     (package elf), then setup_load_info (.modinfo, the symbol table,
//     .gnu.linkonce.this_module, __versions, .data..percpu),
//     rewrite_section_headers, the arch pre-pass (module_frob_arch_sections),
//     module_enforce_rwx_sections, layout_sections (text, read-only,
//     ro-after-init, data and the arch's small sections, each class page
//     aligned, .init* sections in a separate init region) and layout_symtab.
//   - Module.Link: move_module at the addresses given in a Placement,
//     simplify_symbols (undefined symbols resolve only against exported
//     ones: a Resolver such as a *symtab.Table), apply_relocations through
//     the arch backend (package reloc), and the module's exports read back
//     from its relocated __ksymtab sections.
//   - Image: the module's memory after relocation, writable as an ELF file
//     that readelf, nm, objdump and gdb understand.
//   - Batch: many modules into one kernel, in dependency order, on all CPUs.
//
// Refusals are typed errors in the kernel's words (*KernelError,
// *UnknownSymbolError, and from the backends *reloc.Error and
// *reloc.OverflowError). Nothing here uses cgo or global state; a Module is
// immutable once built and may be linked from many goroutines at once.
package golink
