#!/bin/sh
# gen.sh: rebuilds the small payloads TestFormats decodes: elf.bin (the
# first 64 KiB of an x86-64 ELF, for its CALLs and JMPs), compressed as
# the kernel's build does (scripts/Makefile.lib: the stream, then the size
# as 4 little-endian bytes, except for gzip whose trailer is the size).
# Run from vmlinuz/testdata: sh gen.sh
set -eu
head -c 65536 /usr/local/go/bin/go >elf.bin
size() { python3 -c 'import os,struct,sys; sys.stdout.buffer.write(struct.pack("<I", os.path.getsize("elf.bin")))'; }
{ xz --format=xz --check=crc32 --x86 --lzma2=dict=1MiB -c elf.bin; size; } >elf.xz.payload
{ xz --format=xz --check=crc64 --lzma2=dict=1MiB -c elf.bin; size; } >elf.xz-nobcj.payload
{ zstd -q -19 -c elf.bin; size; } >elf.zstd.payload
gzip -n -9 -c elf.bin >elf.gzip.payload
{ bzip2 -9 -c elf.bin; size; } >elf.bzip2.payload
{ xz --format=lzma -9 -c elf.bin; size; } >elf.lzma.payload
