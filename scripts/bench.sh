#!/usr/bin/env bash
# bench.sh — golink against the reference tool, measured in the same run.
#
#   scripts/bench.sh [ABI]       (default 6.1.0-47-amd64; RUNS=5)
#   BASE=REV scripts/bench.sh    also measures golink as of git revision REV
#                                in the same alternating runs (before/after)
#
# link: `golink link` over the whole tree vs kmod's `depmod -b` indexing the
# same tree. Runs alternate between the two tools; the table shows the median
# wall time and the median peak resident memory of each, and their ratio.
# Both tools read the same copy of the tree and write into tmpfs (/dev/shm
# when it exists), so neither measures the disk: on ext4, creating thousands
# of files within minutes of deleting thousands (an earlier run's output)
# takes several times longer (ext4's recently_deleted inode check).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin:/usr/sbin:/sbin
abi=${1:-6.1.0-47-amd64}
runs=${RUNS:-5}
scripts/deps.sh
corpus=$(scripts/corpus.sh "$abi")
tmp=/dev/shm
[ -d "$tmp" ] && [ -w "$tmp" ] || tmp=${TMPDIR:-/tmp}
work=$(mktemp -d "$tmp/golink-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/golink" ./cmd/golink
if [ -n "${BASE:-}" ]; then
	git worktree add -q --detach "$work/base-src" "$BASE"
	trap 'git worktree remove --force "$work/base-src" 2>/dev/null; rm -rf "$work"' EXIT
	(cd "$work/base-src" && go build -o "$work/golink-base" ./cmd/golink)
fi

# depmod writes into the tree it indexes: both tools get this copy.
mkdir -p "$work/root/lib/modules"
cp -r "$corpus/lib/modules/$abi" "$work/root/lib/modules/$abi"
tree=$work/root/lib/modules/$abi

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

link() { # link NAME BINARY: one golink link of the tree, measured
	rm -rf "$work/out"
	measure "$1" "$2" link -q --kernel "$corpus/System.map" --symvers "$corpus/Module.symvers" -o "$work/out" "$tree"
}
for i in $(seq "$runs"); do
	# With BASE, the two golinks take turns going first.
	if [ -n "${BASE:-}" ] && [ $((i % 2)) -eq 0 ]; then
		link base "$work/golink-base"
		link golink "$work/golink"
	else
		link golink "$work/golink"
		[ -z "${BASE:-}" ] || link base "$work/golink-base"
	fi
	measure depmod depmod -b "$work/root" "$abi"
done
mods=$(find "$tree" -name '*.ko*' | wc -l)
gs=$(cut -d' ' -f1 "$work/times-golink" | median)
gm=$(cut -d' ' -f2 "$work/times-golink" | median)
ds=$(cut -d' ' -f1 "$work/times-depmod" | median)
dm=$(cut -d' ' -f2 "$work/times-depmod" | median)
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%Y-%m-%d)"
echo "tree: $abi, $mods modules, read from and written to $tmp; median of $runs runs, alternating"
echo
echo "| command | wall | peak RSS |"
echo "|---|---|---|"
echo "| golink link --kernel System.map --symvers Module.symvers -o OUT TREE | ${gs} s | $((gm / 1024)) MiB |"
echo "| depmod -b ROOT $abi (kmod $(depmod --version | head -1 | awk '{print $3}')) | ${ds} s | $((dm / 1024)) MiB |"
echo "| ratio golink/depmod | $(awk -v a="$gs" -v b="$ds" 'BEGIN{printf "%.2f", a/b}') | $(awk -v a="$gm" -v b="$dm" 'BEGIN{printf "%.2f", a/b}') |"
if [ -n "${BASE:-}" ]; then
	bs=$(cut -d' ' -f1 "$work/times-base" | median)
	bm=$(cut -d' ' -f2 "$work/times-base" | median)
	echo "| golink link as of $BASE (same runs) | ${bs} s | $((bm / 1024)) MiB |"
	echo "| ratio golink/$BASE | $(awk -v a="$gs" -v b="$bs" 'BEGIN{printf "%.2f", a/b}') | $(awk -v a="$gm" -v b="$bm" 'BEGIN{printf "%.2f", a/b}') |"
fi
