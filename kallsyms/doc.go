// Package kallsyms is the kernel's symbol table for addresses: the core
// kernel's kallsyms (built from System.map or a vmlinux symbol table with
// scripts/kallsyms' rules) and each loaded module's core kallsyms (the
// loader's is_core_symbol and elf_type rules, Linux 6.1), answering
// address → "name+0xoff/0xsize [module]" and name → address as
// kernel/kallsyms.c and kernel/module/kallsyms.c do, and listing
// everything as /proc/kallsyms prints it.
//
// Facts relied on (6.1):
//   - Kernel symbols: mksysmap's filters, then scripts/kallsyms' (no
//     kallsyms_* tables, no U/N/absolute symbols, only text without
//     KALLSYMS_ALL), per-cpu symbols made absolute ('A'), sorted by
//     address, non-weak first, linker-script names last, fewer leading
//     underscores first, then input order.
//   - Kernel address lookup (get_symbol_pos) covers [_stext, _end) with
//     KALLSYMS_ALL: the last symbol at or below the address, the first of
//     its aliases, sized to the next larger address or _end.
//   - Module symbols after init: is_core_symbol keeps named, defined
//     symbols of allocated non-init sections and per-cpu symbols; the type
//     letter is elf_type's, printed uppercase only when the module's
//     non-GPL __ksymtab exports that name at that value.
//   - Module address lookup (find_kallsyms_symbol) covers the core region:
//     the greatest symbol value at or below the address (the lowest index
//     on ties), sized to the next symbol above it or the end of core text
//     — so a data address gets a size that wraps, as in the kernel.
//
// Lookups are O(1) in practice: addresses are cut into intervals with a
// fixed answer each, and a table indexed by the address's high bits finds
// the interval after a short search.
package kallsyms
