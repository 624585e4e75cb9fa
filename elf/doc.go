// Package elf reads, validates and writes the ELF64 little-endian relocatable
// objects that kernel modules are, and writes the linked images golink
// produces. It decodes objects of any e_machine: which machines golink links
// is the linker's decision (golink.NewModule, cmd/golink's pickArch), not
// the parser's.
//
// The on-disk structures are debug/elf's Header64, Section64, Prog64, Sym64
// and Rela64, decoded and encoded by the helpers of ondisk.go; symbol
// tables are read through one type, SymTab; files are read, never mapped,
// by ReadFile, so a file truncated under the reader is a *FormatError and
// not a SIGBUS.
//
// Read trusts no byte it has not checked. It makes every check the kernel's
// elf_validity_check and setup_load_info make (Linux 6.1), in the kernel's
// order and with the kernel's words, and then the checks the kernel leaves out
// but a user-space reader needs: string tables NUL-terminated, sh_link and
// sh_info in range, symbol and relocation tables made of whole entries, every
// symbol name inside its string table, section contents inside the file and
// not overlapping the headers or each other, alignments that are powers of
// two. A malformed object yields a *FormatError naming the check, the section
// and the offset; it never panics, and nothing is allocated beyond what the
// file's own size justifies.
//
// Open and Decode accept modules compressed with xz, gzip or zstd (recognised
// by their magic, whatever the file is called) and modules carrying an
// appended signature ("~Module signature appended~\n"): the signature is cut
// off, as the kernel's module_sig_check does, before the ELF checks run.
//
// The package reuses debug/elf's typed constants (elf.SHT_RELA, elf.EM_X86_64,
// elf.R_X86_64_PC32) and adds only what debug/elf lacks.
package elf
