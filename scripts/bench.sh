#!/usr/bin/env bash
# bench.sh — golink against the reference tool, measured in the same run.
#
#   scripts/bench.sh [ABI]       (default 6.1.0-47-amd64; RUNS=5)
#
# link: `golink link` over the whole tree vs kmod's `depmod -b` indexing the
# same tree. Runs alternate between the two tools; the table shows the median
# wall time and the median peak resident memory of each, and their ratio.
# The page cache is warm for both (every file is read once before timing).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin:/usr/sbin:/sbin
abi=${1:-6.1.0-47-amd64}
runs=${RUNS:-5}
scripts/deps.sh
corpus=$(scripts/corpus.sh "$abi")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/golink" ./cmd/golink

# depmod writes into the tree it indexes: give it a hard-linked copy.
mkdir -p "$work/root/lib/modules"
cp -al "$corpus/lib/modules/$abi" "$work/root/lib/modules/$abi"
cat $(find "$corpus/lib/modules/$abi" -name '*.ko*') >/dev/null

measure() { # measure NAME CMD... : appends "seconds kbytes" to $work/NAME
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
		cat "$work/err" >&2
		exit 1
	}
	cat "$work/t" >>"$work/times-$name"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq "$runs"); do
	rm -rf "$work/out"
	sync # let the file system finish freeing the last run's images first
	measure golink "$work/golink" link -q --kernel "$corpus/System.map" --symvers "$corpus/Module.symvers" \
		-o "$work/out" "$corpus/lib/modules/$abi"
	measure depmod depmod -b "$work/root" "$abi"
done
mods=$(find "$corpus/lib/modules/$abi" -name '*.ko*' | wc -l)
gs=$(cut -d' ' -f1 "$work/times-golink" | median)
gm=$(cut -d' ' -f2 "$work/times-golink" | median)
ds=$(cut -d' ' -f1 "$work/times-depmod" | median)
dm=$(cut -d' ' -f2 "$work/times-depmod" | median)
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%Y-%m-%d)"
echo "tree: $abi, $mods modules; median of $runs runs, alternating"
echo
echo "| command | wall | peak RSS |"
echo "|---|---|---|"
echo "| golink link --kernel System.map --symvers Module.symvers -o OUT TREE | ${gs} s | $((gm / 1024)) MiB |"
echo "| depmod -b ROOT $abi (kmod $(depmod --version | head -1 | awk '{print $3}')) | ${ds} s | $((dm / 1024)) MiB |"
echo "| ratio golink/depmod | $(awk -v a="$gs" -v b="$ds" 'BEGIN{printf "%.2f", a/b}') | $(awk -v a="$gm" -v b="$dm" 'BEGIN{printf "%.2f", a/b}') |"
