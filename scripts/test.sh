#!/usr/bin/env bash
# test.sh — the whole test suite, on a fresh machine as on a developer's:
# installs the oracle tools (scripts/deps.sh), fetches the Debian kernel
# builds the differential tests run on (scripts/corpus.sh), then runs
# go vet and staticcheck (configured by staticcheck.conf; any finding fails
# the run) and go test over every package, then the stress tests under -race.
# Extra arguments go to the first go test.
#
# GOLINK_ABIS (comma-separated) names the builds; by default Debian's 6.1
# generic build and its 6.12 build (.ko.xz modules).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
export GOLINK_ABIS=${GOLINK_ABIS:-6.1.0-47-amd64,6.12.107+deb12-amd64}

scripts/deps.sh
for abi in ${GOLINK_ABIS//,/ }; do
	scripts/corpus.sh "$abi" >/dev/null
done
go vet ./...
# deps.sh put staticcheck in GOBIN, or the first GOPATH entry's bin.
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin=$(go env GOPATH | cut -d: -f1)/bin
"$gobin/staticcheck" ./...
go test -count=1 "$@" ./...
# The Golden Rule under the race detector: goroutines enter modules through
# the guard while others remove and reload them; the tests print their counts.
go test -count=1 -race -run Stress -v ./lifecycle ./host
# Batch's promise that its results do not depend on scheduling, under the
# race detector: the determinism tests link hundreds of times at Jobs > 1.
go test -count=1 -race -run 'Batch|ConcurrentLink' . ./reloc/ia64 ./reloc/x86_64
go test -count=1 -race ./internal/workers
