// Package vmlinuz turns an x86 bzImage (the kernel image a distribution
// ships as /boot/vmlinuz-ABI) back into the vmlinux ELF it was built from.
//
// The facts it relies on (Documentation/arch/x86/boot.rst):
//   - the setup header holds "HdrS" at 0x202 and the boot protocol
//     version (u16) at 0x206; payload_offset and payload_length (u32 at
//     0x248 and 0x24c, protocol 2.08 and later) locate the compressed
//     kernel inside the protected-mode part, which starts at
//     (setup_sects+1)*512, setup_sects being the u8 at 0x1f1 (0 means 4);
//   - the payload's last 4 bytes are the decompressed size, little-endian;
//   - the compression is told by the payload's magic, not by the version.
//
// Debian's 6.1 kernels use xz with the x86 BCJ filter before LZMA2, which
// github.com/ulikunitz/xz cannot read; this package parses the xz
// container itself, decodes LZMA2 with github.com/ulikunitz/xz/lzma and
// applies the BCJ x86 decoder (bcj.go). Debian's 6.12 kernels use zstd
// with a 128 MiB window.
//
// Every decoder is bounded: a declared size above MaxKernel is refused,
// and a stream that yields more bytes than it declared is an error.
package vmlinuz
