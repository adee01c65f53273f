#!/usr/bin/env bash
# Whole-program timings: live scan and --root scan, wall time (median of N
# runs) and peak RSS, from one build in one run so the figures compare.
#   bench/run.sh [N]         (default N=20; run as root for the live scan)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
out=bench/out
mkdir -p "$out"
go build -trimpath -o "$out/ztscan" ./cmd/ztscan

# A --root target: the stock Debian 12 fixture, materialized with its modes.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
go run ./bench/materialize debian12-stock "$root"

measure() { # label, command...
  local label=$1; shift
  local times=() rss=0
  for _ in $(seq "$n"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  # Peak RSS from one more run under GNU time, when it is installed.
  if [ -x /usr/bin/time ]; then
    rss=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1)
  fi
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-14s median %6.1f ms  min %6.1f ms  peak RSS %s KiB  (%d runs)\n' "$label" \
    "$(echo "$median / 1000" | bc -l)" "$(echo "$(printf '%s\n' "${times[@]}" | sort -n | head -1) / 1000" | bc -l)" "$rss" "$n"
}

measure "live scan" "$out/ztscan" scan -f json --fail-on none
measure "rootfs scan" "$out/ztscan" scan --root "$root" -f json --fail-on none
measure "version" "$out/ztscan" version
