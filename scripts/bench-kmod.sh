#!/usr/bin/env bash
# bench-kmod.sh — golink's kmod-compatible commands against kmod's own tools,
# measured in the same run on the same tree:
#
#   modinfo over every module of the tree (one process, all files as arguments)
#   depmod -a of the tree (into a scratch copy of its lib/modules/ABI)
#
#   scripts/bench-kmod.sh [ABI] [RUNS]     ABI defaults to 6.1.0-47-amd64, RUNS to 7
#   BASE=REV scripts/bench-kmod.sh ...     also measures golink as of git
#                                          revision REV, in the same run
#
# Prints the median wall time and the median CPU time (user+sys) of each
# tool and golink's ratio to kmod (below 1: golink is faster).
set -euo pipefail
abi=${1:-6.1.0-47-amd64}
runs=${2:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
dir=$("$here/scripts/corpus.sh" "$abi")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here" && go build -o "$work/golink" ./cmd/golink)
if [ -n "${BASE:-}" ]; then
	git -C "$here" worktree add -q --detach "$work/base-src" "$BASE"
	trap 'git -C "$here" worktree remove --force "$work/base-src" 2>/dev/null; rm -rf "$work"' EXIT
	(cd "$work/base-src" && go build -o "$work/golink-base" ./cmd/golink)
fi
mods=$dir/lib/modules/$abi
mkdir -p "$work/root/lib/modules/$abi"
for e in "$mods"/*; do
	case $(basename "$e") in
	modules.order | modules.builtin*) cp "$e" "$work/root/lib/modules/$abi/" ;;
	*) [ -d "$e" ] && ln -s "$e" "$work/root/lib/modules/$abi/" ;;
	esac
done
mapfile -t files < <(find "$mods" -name '*.ko*' | sort)
modinfo=$(command -v modinfo || echo /usr/sbin/modinfo)
depmod=$(command -v depmod || echo /usr/sbin/depmod)

# measure NAME CMD... : runs CMD $runs times (after one warm-up run) and
# prints "NAME median_wall median_cpu".
measure() {
	local name=$1
	shift
	"$@" >/dev/null 2>&1
	local walls=() cpus=()
	for _ in $(seq "$runs"); do
		local t
		/usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >/dev/null 2>&1
		read -r w u s <"$work/time"
		walls+=("$w")
		cpus+=("$(echo "$u + $s" | bc)")
	done
	echo "$name $(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p") $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")"
}

report() { # report WHAT kmod-line golink-line
	read -r _ kw kc <<<"$2"
	read -r _ gw gc <<<"$3"
	printf '%-34s kmod %6.3f s wall %6.3f s cpu | golink %6.3f s wall %6.3f s cpu | ratio %.2f wall %.2f cpu\n' \
		"$1" "$kw" "$kc" "$gw" "$gc" "$(echo "$gw / $kw" | bc -l)" "$(echo "$gc / $kc" | bc -l)"
}

echo "# $abi: ${#files[@]} modules, $runs runs each, $(nproc) CPUs, $("$modinfo" --version | head -1)"
k=$(measure kmod "$modinfo" "${files[@]}")
g=$(measure golink "$work/golink" modinfo "${files[@]}")
report "modinfo (all modules)" "$k" "$g"
if [ -n "${BASE:-}" ]; then
	b=$(measure base "$work/golink-base" modinfo "${files[@]}")
	report "modinfo, golink as of $BASE" "$k" "$b"
fi
k=$(measure kmod "$depmod" -b "$work/root" "$abi")
g=$(measure golink "$work/golink" depmod -b "$work/root" "$abi")
report "depmod -a" "$k" "$g"
if [ -n "${BASE:-}" ]; then
	b=$(measure base "$work/golink-base" depmod -b "$work/root" "$abi")
	report "depmod -a, golink as of $BASE" "$k" "$b"
fi
k=$(measure kmod "$depmod" -b "$work/root" -e -E "$dir/Module.symvers" "$abi")
g=$(measure golink "$work/golink" depmod -b "$work/root" -e -E "$dir/Module.symvers" "$abi")
report "depmod -a -e -E Module.symvers" "$k" "$g"
