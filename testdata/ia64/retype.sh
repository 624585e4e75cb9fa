#!/bin/sh
# retype.sh OBJ RELSEC OFFSET TYPE: set the type of the relocation at
# r_offset OFFSET (hex) in section RELSEC of OBJ to TYPE (hex, 0-ff), for
# types gas cannot write (R_IA64_SUB exists only in the kernel's headers).
set -eu
obj=$1 relsec=$2 off=$3 typ=$4
readelf=${READELF:-ia64-linux-gnu-readelf}
secoff=$($readelf -SW "$obj" | awk -v s="$relsec" '$0 ~ "] "s" " { for (i = 1; i <= NF; i++) if ($i == "RELA") { print $(i+2); exit } }')
[ -n "$secoff" ] || { echo "retype.sh: no section $relsec in $obj" >&2; exit 1; }
idx=$($readelf -rW "$obj" | awk -v s="'$relsec'" -v o="$off" '
	/^Relocation section/ { cur = $3; n = 0; next }
	function norm(x) { sub(/^0+/, "", x); return x == "" ? "0" : x }
	cur == s && $1 ~ /^[0-9a-f]+$/ { if (norm($1) == norm(o)) { print n; exit } n++ }')
[ -n "$idx" ] || { echo "retype.sh: no relocation at $off in $relsec" >&2; exit 1; }
pos=$(( 0x$secoff + 24 * idx + 8 ))
printf "\\$(printf %03o $((0x$typ)))" | dd of="$obj" bs=1 seek=$pos conv=notrunc status=none
