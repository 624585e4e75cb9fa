// Package vmlinux reads the kernel itself from its image, as a distribution
// ships it, for golink to link against without the debug package's
// System.map or the headers package's Module.symvers.
//
//   - Load takes the file a user has: a vmlinuz (bzImage: package vmlinuz
//     decompresses it), a vmlinux without symbols, one with them, or a
//     System.map, recognised by its contents.
//   - Recover rebuilds the kernel's symbol table from its kallsyms tables
//     (CONFIG_KALLSYMS_ALL), found by their shape in the loaded segments:
//     kallsyms_token_table (256 NUL-terminated strings) and
//     kallsyms_token_index (their u16 offsets); kallsyms_markers (the
//     offset of every 256th name, from 0); kallsyms_num_syms, before the
//     names, whose names decode (a length byte, a second one if bit 7 is
//     set, then token indexes; the type letter first) to exactly where the
//     markers begin; kallsyms_offsets and kallsyms_relative_base. Linux 6.1
//     orders them offsets, relative_base, num_syms, names, markers,
//     seqs_of_names, token_table, token_index; 6.4 and later num_syms,
//     names, markers, token_table, token_index, offsets, relative_base,
//     seqs_of_names. The order is decided from the data: version strings
//     lie on backports. With CONFIG_KALLSYMS_ABSOLUTE_PERCPU an offset ≥ 0
//     is the address (per-cpu symbols, typed 'A'), a negative one means
//     relative_base − 1 − offset.
//   - Exports reads __ksymtab, __ksymtab_gpl, __kcrctab* and
//     __ksymtab_strings: what Module.symvers says of the kernel.
package vmlinux
