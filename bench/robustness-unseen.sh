#!/usr/bin/env bash
# Does the robust fine-tune (the bundled classifier from 2026-11-27 to 2026-11-28) hold up better only under the corruption
# families it trained on (`--photometric`: light, contrast, blur, noise), or also under damage it never saw? Scores
# the model it was fine-tuned from (bench/base-classifier.sh) and the fine-tune (bench/git-classifier.sh d40b43e; still
# named "bundled" in the file names, as when this ran) on JPEG compression and low
# resolution (`evaluate --corruptions jpeg,low-resolution`, severities 1-5), on PublicTest and PrivateTest, ONNX
# Runtime. Nothing is chosen here: both models were fixed before these corruptions existed.
# Usage: bench/robustness-unseen.sh [results folder] [fer2013.csv.gz]; about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/robustness-unseen}
DATA=$(realpath "${2:-../shared/data/fer2013/fer2013.csv.gz}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
bench/base-classifier.sh "$WORK/base"
bench/git-classifier.sh d40b43e "$WORK/bundled"
for split in PublicTest PrivateTest; do
  for name in base bundled; do
    model=$WORK/$name
    ./fergan evaluate --runtime onnx --model "$model" --data "$DATA" --split $split --corruptions jpeg,low-resolution --json \
      > "$OUT/$split-$name.json.part"
    mv "$OUT/$split-$name.json.part" "$OUT/$split-$name.json"
  done
done
python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import json, sys
out = sys.argv[1]
print("| split | corruption | model | clean | severity 1 | 2 | 3 | 4 | 5 | mean |")
print("|---|---|---|---|---|---|---|---|---|---|")
for split in ("PublicTest", "PrivateTest"):
    for corruption in ("jpeg", "low-resolution"):
        for name, label in (("base", "120-epoch vgg-64"), ("bundled", "robust fine-tune (bundled)")):
            r = json.load(open(f"{out}/{split}-{name}.json"))["robustness"]
            acc = [s["accuracy"] for s in sorted(r["scores"], key=lambda s: s["severity"]) if s["corruption"] == corruption]
            print(f"| {split} | {corruption} | {label} | {r['clean_accuracy']:.3f} | " + " | ".join(f"{a:.3f}" for a in acc) + f" | {sum(acc) / len(acc):.3f} |")
PY
