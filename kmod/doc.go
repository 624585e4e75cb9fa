// Package kmod reads kernel modules the way kmod's tools do and prints
// what they print, byte for byte: modinfo's fields (signature block
// included), modprobe --dump-modversions, and depmod's modules.dep,
// modules.symbols, modules.alias, modules.softdep, modules.devname and
// binary .bin indexes, with depmod -e's unknown-symbol and version
// warnings.
//
// The behaviour matched is that of the kmod installed by the project's
// setup (Debian bookworm's kmod 30); the tests run that kmod as the oracle
// over whole Debian kernel trees. Where kmod's output depends on its own
// data structures — modules.symbols is written in the iteration order of
// kmod's hash table, modules that modules.order does not list keep the
// order of another hash — those structures are reproduced (HashSuperFast,
// hashOrder), not approximated.
//
// Beyond kmod: modules are read concurrently, compressed modules of every
// kind golink's elf package knows are accepted (xz, gzip, zstd), and
// modinfo can print JSON.
//
// Modules are decoded with golink's elf package, so only the objects golink
// can link are read (ELF64 little-endian, x86_64 or ia64); kmod also reads
// 32-bit and big-endian objects.
package kmod
