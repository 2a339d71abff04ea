#!/usr/bin/env bash
# The CPU GAN ablation at twice the length (experiments/gan-ablation-cpu-6-epochs.json: quick profile, vgg-16,
# 6 epochs, none and gan with seeds 1-3, the bundled generator at a synthetic ratio of 0.3), each run selected on
# PublicTest and scored once on PrivateTest as-is and without Training duplicates, then the paired differences
# gan - none per seed. Resumable: finished runs are skipped. About 90 minutes on 2 cores.
# Usage: bench/ablation-cpu-6-epochs.sh [work folder] [results folder]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-runs/ablation-cpu-6-epochs}
OUT=${2:-results/ablation-cpu-6-epochs}
mkdir -p "$OUT"
./fergan experiment experiments/gan-ablation-cpu-6-epochs.json --out "$WORK"
bench/copy-experiment-results.sh "$WORK" "$OUT"
cat "$OUT/summary.md"
python3 bench/paired-differences.py "$OUT/runs" none gan | tee "$OUT/paired-differences.md"
