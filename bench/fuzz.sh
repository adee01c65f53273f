#!/usr/bin/env bash
# Runs every fuzz target of the module for a while each (default 30s):
#   bench/fuzz.sh [DURATION]
# New crashers land in the package's testdata/fuzz and fail `go test` until
# fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
d=${1:-30s}
for pkg in $(go list ./...); do
  for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $f ($d)"
    go test "$pkg" -run '^$' -fuzz "^$f\$" -fuzztime "$d"
  done
done
