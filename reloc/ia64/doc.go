// Package ia64 is golink's ia64 (Itanium) relocation backend: it links a
// module as the kernel's ia64 loader did (arch/ia64/kernel/module.c and
// patch.c, Linux up to 6.6; ia64 was removed in 6.7), with the same value
// for every relocation, the same GOT, function descriptors and PLT stubs at
// the same places, and the kernel's refusals in its own words.
//
// # Bundles and slots
//
// Code comes in 16-byte bundles: a 5-bit template naming the execution
// unit of each slot (MII, MLX, MIB, …) and three 41-bit instruction slots
// at bundle bits 5, 46 and 87, so slot 1 straddles the two little-endian
// words. A relocation against an instruction addresses its slot by the
// low bits of r_offset (bundle + 0, 1 or 2). movl and brl fill slots 1 and
// 2 of an MLX bundle together; gas puts their relocation at slot 1, which
// kernels since 2017 accept and older ones refused (Options.Slot2Only).
// Bundle, the Encode*/Decode* functions and BranchTarget are written from
// the ISA manual's field layouts and checked against objdump in the tests.
//
// # Relocation types
//
// A type number is a value formula (bits 3–7: direct, gprel, ltoff,
// pltoff, fptr, pcrel, ltoff_fptr, segrel, secrel, bdrel, ltv, pcrel2,
// special, TLS) and a target format (bits 0–2: imm14, imm22, imm64,
// 32/64-bit MSB or LSB data); the formula picks imm60 (brl) or imm21b (br)
// for the branch types. Like the kernel, golink computes the formula first,
// then stores through one range-checking writer per format: IMM22 (addl,
// ±2 MiB), IMM21B (br, ±16 MiB in bundles), IMM60 (brl), IMM64 (movl, no
// check), and little-endian data words, which are stored truncated. The
// kernel refuses MSB data, imm14, the chk.s/fchkf displacements, TLS, LTV
// (BUG()) and COPY; so does golink, naming the type, the symbol, the
// location and the kernel's message. The kernel reads the type as a
// uint8_t; golink does too.
//
// # gp, GOT, function descriptors, PLT
//
// Module data is reached gp-relative. gp is chosen once: the core
// region's base plus half its size (size − 2 MiB above 4 MiB), rounded up
// to 8. Small-data sections (SHF_IA_64_SHORT: .got, .sdata) are laid out
// last in core, within reach. LTOFF types go through a GOT slot holding
// S+A, one slot per distinct value in the whole module. A C function
// pointer is the address of a descriptor {entry, gp}: FPTR types make one
// in .opd for a module function (one per entry point) and take any other
// value to be a descriptor already. LTOFF22X/LDXMOV skip the GOT (and turn
// the ld8 into a mov) when S+A is within ±2 MiB of gp.
//
// A call (PCREL21B) leaving the module, or crossing between the init and
// core regions beyond br's reach, goes through a PLT stub in .core.plt or
// .init.plt (the region of the call) that loads the target's gp and
// branches to its entry, both read from its descriptor; stubs are shared
// by entry point. The stub is 32 bytes (movl gp; brl) on kernels built for
// McKinley and later, the shipped default, or 48 bytes (movl r16; movl gp;
// mov b6; br b6) for Itanium 1 (Options.PLT48). PCREL60B (brl) never gets a
// stub, even for an external target, as in the kernel.
//
// # The pre-pass
//
// Before layout the kernel counts, per relocation section, the GOT
// entries, descriptors and stubs the relocations may need (distinct
// r_info and addend) and sizes .got, .opd, .core.plt and .init.plt from
// the counts, over-allocation included, since the sizes move every
// address. The kernel insisted those four sections exist as placeholders
// (arch/ia64/module.lds adds them); golink appends the missing ones, so an
// object assembled without that script links too. They are written with
// their contents (SHT_PROGBITS), where the kernel marked them SHT_NOBITS
// and zero-filled them: module memory is the same. Arch.Size is this pass,
// run once per module; its Plan keeps only the sections' indexes and the
// counts, and every link's Relocator chooses gp and fills the four
// sections afresh, so links of one module share nothing mutable.
//
// Files: ia64.go the backend and Size; apply.go Begin and the value-formula
// switch of do_reloc; store.go the target-format switch and the range-checking
// writer of each instruction format; tables.go the GOT, descriptors and PLT
// stubs; formats.go and bundle.go the instruction encoding.
//
// # The kernel
//
// In the kernel an exported function's symbol value is the address of
// its descriptor in vmlinux's .opd. golink gets the kernel as a System.map
// whose function symbols are entry points and whose __gp is the kernel's
// gp, so it makes the descriptors: the one for the function at entry e
// sits at Options.KernelOPD + (e − Options.KernelText), the same address in
// every module linked against that kernel, holding {e, Options.KernelGP}.
// An imported kernel function's value is that address, as the kernel's
// would have been. The image shows the descriptors a module uses as
// .kernel.opd sections, the module's gp as the absolute symbol __gp, and
// each PLT stub as a symbol "f@plt". Functions exported by other modules
// are already descriptors in those modules' .opd; Options.Descriptors lets
// a batch link read them.
//
// After relocation the loader sorts .IA_64.unwind by start address in
// place (module_finalize); golink does the same, with the kernel's own
// exchange sort.
package ia64
