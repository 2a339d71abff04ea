#!/usr/bin/env bash
# The GAN ablation at the size 2 CPU cores allow (issue 4's question, asked of the bundled class-conditional
# generator): experiments/gan-ablation-cpu.json (quick profile: vgg-16, 3 epochs, batch 64; none and gan with seeds
# 1-3, cap, oversample and weights with seed 1), each run selected on PublicTest and scored once on PrivateTest as-is
# and without Training duplicates; then a control (none for 4 epochs: about the extra steps the gan strategy took
# when an epoch counted every real face plus the generated ones), the robustness of the seed-1 gan and none models
# under the corruptions, and the paired differences gan - none per seed. Resumable: finished runs are skipped.
# About 80 minutes here. Usage: bench/ablation-cpu.sh [work folder] [results folder]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-runs/ablation-cpu}
OUT=${2:-results/ablation-cpu}
DATA=../shared/data/fer2013/fer2013.csv.gz
mkdir -p "$OUT"
./fergan experiment experiments/gan-ablation-cpu.json --out "$WORK"
CONTROL="$WORK/none-4-epochs-seed1"
[[ -f "$CONTROL/classifier.json" ]] || ./fergan train --data "$DATA" --out "$CONTROL" --balance none --profile quick --epochs 4 --patience 0 --seed 1 --resume
./fergan evaluate --model "$CONTROL" --data "$DATA" --split PrivateTest --json > "$OUT/none-4-epochs-private.json"
./fergan evaluate --model "$CONTROL" --data "$DATA" --split PrivateTest --exclude-train-duplicates --json > "$OUT/none-4-epochs-private-dedup.json"
for run in gan-seed1 none-seed1; do
  [[ -f "$OUT/$run-corruptions.json" ]] && continue
  ./fergan evaluate --model "$WORK/runs/$run" --data "$DATA" --split PrivateTest --corruptions --json > "$OUT/$run-corruptions.tmp"
  mv "$OUT/$run-corruptions.tmp" "$OUT/$run-corruptions.json"
done
bench/copy-experiment-results.sh "$WORK" "$OUT"
cat "$OUT/summary.md"
python3 bench/paired-differences.py "$OUT/runs" none gan | tee "$OUT/paired-differences.md"
