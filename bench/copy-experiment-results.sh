#!/usr/bin/env bash
# Copies what the documentation quotes from an experiment's work folder into a results folder: the summary (markdown, JSON,
# plot), the spec, and each run's log, card, commands, result and curves (not the weights).
# Usage: bench/copy-experiment-results.sh <work folder> <results folder>
set -euo pipefail
WORK=$1
OUT=$2
mkdir -p "$OUT"
cp "$WORK/summary.md" "$WORK/summary.json" "$OUT/"
cp "$WORK/summary.png" "$WORK/spec.json" "$OUT/" 2>/dev/null || true
for run in "$WORK"/runs/*/; do
  name=$(basename "$run")
  mkdir -p "$OUT/runs/$name"
  cp "$run"/log.jsonl "$run"/classifier.json "$run"/commands.txt "$run"/result.json "$OUT/runs/$name/" 2>/dev/null || true
  cp "$run"/curves.png "$OUT/runs/$name/" 2>/dev/null || true
done
