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
cp "$WORK/summary.md" "$WORK/summary.json" "$WORK/spec.json" "$OUT/"
cp "$WORK/summary.png" "$OUT/" 2>/dev/null || true
for run in "$WORK"/runs/*/; do
  name=$(basename "$run")
  mkdir -p "$OUT/runs/$name"
  cp "$run"/log.jsonl "$run"/classifier.json "$run"/commands.txt "$run"/result.json "$OUT/runs/$name/" 2>/dev/null || true
  cp "$run"/curves.png "$OUT/runs/$name/" 2>/dev/null || true
done
cat "$OUT/summary.md"
python3 bench/paired-differences.py "$OUT/runs" none gan | tee "$OUT/paired-differences.md"
