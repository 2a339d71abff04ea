#!/usr/bin/env bash
# Measures how long loading FER2013 takes from the CSV (parse) and from Fergan's binary cache.
# Usage: bench/load-time.sh [path/to/fer2013.csv.gz] [runs]
# Prints the median of RUNS loads each way, as reported by `fergan data stats --json` (load.seconds).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
csv="${1:-$root/../shared/data/fer2013/fer2013.csv.gz}"
runs="${2:-3}"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT
export FERGAN_CACHE="$cache"

seconds() { "$root/fergan" data stats "$csv" --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["load"]["seconds"])'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

"$root/fergan" --version >/dev/null   # build first, outside the timings
parse=$(for _ in $(seq "$runs"); do rm -rf "$cache"/*; seconds; done | median)
seconds >/dev/null                    # fill the cache
cached=$(for _ in $(seq "$runs"); do seconds; done | median)
echo "machine: $(nproc) cores, $(uname -m); file: $csv"
echo "load from CSV (parse):  ${parse} s  (median of $runs)"
echo "load from binary cache: ${cached} s  (median of $runs)"
