#!/usr/bin/env bash
# corpus.sh — fetch and unpack one of Debian's kernel builds for golink's tests
# and benchmarks, into a cache; idempotent. Prints the corpus directory.
#
#   scripts/corpus.sh [ABI]        ABI defaults to 6.1.0-47-amd64;
#                                  e.g. 6.1.0-47-rt-amd64, 6.12.107+deb12-amd64
#
# The directory holds:
#   lib/modules/ABI/...   the modules of linux-image-ABI-unsigned (as packaged)
#   config                the kernel's .config (boot/config-ABI)
#   Module.symvers        from linux-headers-ABI
#   System.map            from linux-image-ABI-dbg (the image package ships a
#                         placeholder; only the -dbg package has the real map)
#   vmlinuz               the kernel image (boot/vmlinuz-ABI of the image package)
#
# Cache: $GOLINK_CACHE, else $XDG_CACHE_HOME/golink, else ~/.cache/golink.
set -euo pipefail

abi=${1:-6.1.0-47-amd64}
cache=${GOLINK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/golink}
dir=$cache/corpus/$abi
if [ -f "$dir/.complete" ] && [ -f "$dir/vmlinuz" ]; then
	echo "$dir"
	exit 0
fi

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
say() { echo "corpus.sh: $*" >&2; }

if [ -f "$dir/.complete" ]; then
	# A cache from before the image was kept: fetch just the image package.
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 755 "$tmp"
	apt-cache show "linux-image-$abi-unsigned" >/dev/null 2>&1 || $sudo apt-get update -qq >&2
	say "downloading linux-image-$abi-unsigned for its vmlinuz"
	(cd "$tmp" && apt-get download -qq "linux-image-$abi-unsigned" >&2 2> >(grep -v 'unsandboxed' >&2))
	dpkg-deb --fsys-tarfile "$tmp"/linux-image-"$abi"-unsigned_*.deb | tar -x -O "./boot/vmlinuz-$abi" >"$tmp/vmlinuz"
	mv "$tmp/vmlinuz" "$dir/vmlinuz"
	echo "$dir"
	exit 0
fi

pkgs=("linux-image-$abi-unsigned" "linux-headers-$abi" "linux-image-$abi-dbg")
if ! apt-cache show "${pkgs[@]}" >/dev/null 2>&1; then
	say "refreshing package lists"
	$sudo apt-get update -qq >&2
fi

tmp=$(mktemp -d "$cache/.fetch.XXXXXX" 2>/dev/null || { mkdir -p "$cache" && mktemp -d "$cache/.fetch.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # apt's sandbox user must be able to write here
say "downloading ${pkgs[*]}"
(cd "$tmp" && apt-get download -qq "${pkgs[@]}" >&2 2> >(grep -v 'unsandboxed' >&2))

rm -rf "$dir.new"
mkdir -p "$dir.new"
say "unpacking into $dir"
dpkg-deb --fsys-tarfile "$tmp"/linux-image-"$abi"-unsigned_*.deb | tar -x -C "$dir.new" ./lib/modules ./boot
mv "$dir.new/boot/config-$abi" "$dir.new/config"
mv "$dir.new/boot/vmlinuz-$abi" "$dir.new/vmlinuz"
rm -rf "$dir.new/boot"
dpkg-deb --fsys-tarfile "$tmp"/linux-headers-"$abi"_*.deb |
	tar -x -O "./usr/src/linux-headers-$abi/Module.symvers" >"$dir.new/Module.symvers"
# System.map sits near the start of the -dbg archive: stop reading once found.
dpkg-deb --fsys-tarfile "$tmp"/linux-image-"$abi"-dbg_*.deb 2>/dev/null |
	tar -x -O --occurrence=1 "./usr/lib/debug/boot/System.map-$abi" >"$dir.new/System.map" || true
if [ ! -s "$dir.new/System.map" ]; then
	say "no System.map in linux-image-$abi-dbg"
	exit 1
fi
n=$(find "$dir.new/lib/modules" -name '*.ko*' | wc -l)
say "$n modules, $(wc -l <"$dir.new/System.map") System.map symbols, $(wc -l <"$dir.new/Module.symvers") exports"
touch "$dir.new/.complete"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "$dir"
