#!/usr/bin/env bash
# example.sh — golink's main job on the bundled example: link the
# kernel-style module testdata/x86_64/hello.ko (built from hello.c with the
# kernel's flags) against a small Linux 6.1 kernel symbol map, then show
# what came out: its typed parameters, where each section landed, the
# symbols at their final addresses, and the relocated init code.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
out=${OUT:-$(mktemp -d)}

go run ./cmd/golink link --kernel testdata/kernel/System.map --symvers testdata/kernel/Module.symvers \
	-o "$out" testdata/x86_64/hello.ko count=2 who=reader levels=4,5,6
echo
echo "== its parameters, as set on the command line (insmod-style)"
go run ./cmd/golink params "$out/hello.elf"
echo
echo "== $out/hello.elf: sections at their load addresses"
readelf -SW "$out/hello.elf" | sed -n '/\[ *[0-9]*\]/p'
echo
echo "== symbols at their final addresses (A: resolved against the kernel)"
nm -n "$out/hello.elf"
echo
echo "== the relocated init function, calls and data named"
go run ./cmd/golink disasm --symbol init_module "$out/hello.elf"
