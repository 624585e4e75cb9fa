#!/usr/bin/env bash
# deps.sh — install what golink's tests use as oracles, from Debian's packages:
# GNU ld (binutils), kmod (modinfo, modprobe, depmod), the ia64 binutils, and
# gcc for the C fixtures; and staticcheck, which scripts/test.sh runs after
# go vet. Idempotent: installs only what is missing.
set -euo pipefail
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
need=()
command -v ld >/dev/null || need+=(binutils)
command -v gcc >/dev/null || need+=(gcc)
command -v make >/dev/null || need+=(make)
{ command -v depmod && command -v modinfo && command -v modprobe; } >/dev/null 2>&1 ||
	[ -x /usr/sbin/depmod ] || need+=(kmod)
command -v ia64-linux-gnu-as >/dev/null || need+=(binutils-ia64-linux-gnu)
command -v xz >/dev/null || need+=(xz-utils)
command -v zstd >/dev/null || need+=(zstd)
if [ ${#need[@]} -gt 0 ]; then
	echo "deps.sh: installing ${need[*]}" >&2
	$sudo apt-get update -qq >&2 || true
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >&2
fi

# staticcheck, pinned, built with this machine's Go into $(go env GOPATH)/bin
# (or GOBIN), where scripts/test.sh looks for it. Skipped when that version
# is already there.
staticcheck_version=v0.8.2
command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin=$(go env GOPATH | cut -d: -f1)/bin
if ! "$gobin/staticcheck" -version 2>/dev/null | grep -qF "(${staticcheck_version#v})"; then
	echo "deps.sh: installing staticcheck $staticcheck_version into $gobin" >&2
	GOBIN=$gobin go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
