#!/usr/bin/env bash
# The follow-up to the GAN ablation on 2 CPU cores (experiments/gan-ablation-cpu-6-epochs-followup.json): the same
# recipe as bench/ablation-cpu-6-epochs.sh (quick profile, vgg-16, 6 epochs, the bundled generator at a synthetic
# ratio of 0.3) for oversample and the two gan variants (gan-oversample: the real faces drawn class-balanced too;
# gan-proportional: generated faces in the real proportions), seed by seed, so the runs pair with that grid's none
# and gan runs. Resumable; pass a time limit in minutes to stop between runs (the run in progress resumes next time).
# About 15 minutes a run. Usage: bench/ablation-cpu-followup.sh [work folder] [results folder] [minutes]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-runs/ablation-cpu-followup}
OUT=${2:-results/ablation-cpu-followup}
MINUTES=${3:-}
FERGAN=${FERGAN:-./fergan}
BASE=results/ablation-cpu-6-epochs-2026-11-26
mkdir -p "$OUT"
$FERGAN experiment experiments/gan-ablation-cpu-6-epochs-followup.json --out "$WORK" ${MINUTES:+--time-limit "$MINUTES"}
bench/copy-experiment-results.sh "$WORK" "$OUT"
cat "$OUT/summary.md"
# Pair with the 6-epoch grid's none and gan runs (same recipe and seeds).
PAIRS=$(mktemp -d)
cp -r "$BASE"/runs/* "$OUT"/runs/* "$PAIRS/"
{
  for arm in oversample gan-oversample gan-proportional; do python3 bench/paired-differences.py "$PAIRS" none "$arm"; echo; done
  for arm in gan-oversample gan-proportional; do python3 bench/paired-differences.py "$PAIRS" gan "$arm"; echo; done
  python3 bench/paired-differences.py "$PAIRS" oversample gan-oversample
} | tee "$OUT/paired-differences.md"
rm -rf "$PAIRS"
