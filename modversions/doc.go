// Package modversions is the kernel's symbol versioning (CONFIG_MODVERSIONS)
// as a set of pure functions: decoding a module's __versions section (and
// the extended __version_ext_crcs/__version_ext_names pair of newer
// kernels), check_version's verdict for one imported symbol, the
// module_layout check, same_magic's vermagic comparison, and the genksyms
// CRC that produces the versions in the first place.
//
// Facts it relies on (Linux 6.1, x86_64):
//
//   - struct modversion_info is 64 bytes: an unsigned long crc (8 bytes,
//     upper 32 bits zero) and char name[56]. The kernel counts sh_size/64
//     entries and ignores a partial tail; kmod refuses a section whose size
//     is not a multiple of 64.
//   - check_version compares the first entry whose name equals the symbol;
//     no entry at all means "no symbol version" (accepted with a warning,
//     printed once per boot); no __versions section means the module is
//     loaded only by force (taint F) when CONFIG_MODULE_FORCE_LOAD is set.
//   - With extended modversions present, only the extended pair is
//     consulted.
//   - same_magic skips the kernel release (up to the first space) of both
//     strings when the module carries versions, and compares the rest
//     exactly, trailing space included.
//
// Nothing here reads files: callers pass section contents, so the package
// is usable on a linked image, an unlinked .ko or bytes from anywhere.
package modversions
