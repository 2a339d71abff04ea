#!/usr/bin/env bash
# Ensembles of the vgg-64 classifiers in the repository (the 120-epoch one, bundled until 2026-11-27 and still named
# "bundled" here, taken from git history by bench/base-classifier.sh; models/reference, 56 epochs;
# both trained on real faces only and selected on PublicTest) and any extra members given (bench/gpu/ensemble.sh's
# float16 folders), on ONNX Runtime. Each model is scored once on PublicTest, with and without ten-crop TTA, keeping
# its per-face probabilities (`evaluate --probabilities`); bench/ensemble-select.py then scores every subset of the
# models by averaging those files and picks the best PublicTest accuracy (ties: fewer members, then no TTA). Only
# that choice is scored on PrivateTest, once, as-is and without Training duplicates (exact, then near too).
# (Before 2026-11-27 the script compared three variants only: each repository model alone and all models together.)
# About 2 minutes a model on 2 idle cores (ten-crop TTA is ten forward passes a face).
# Usage: bench/ensemble-cpu.sh [fer2013.csv.gz] [results folder] [extra model folders...]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data/fer2013/fer2013.csv.gz}
OUT=${2:-results/ensemble-cpu}
shift $(( $# < 2 ? $# : 2 ))
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
# The reference network ships without an ONNX export: make one (checked against TorchSharp when written).
cp -r models/reference "$WORK/reference"
./fergan export onnx --model "$WORK/reference" --out "$WORK/reference/classifier.onnx" > /dev/null
# Extra members (e.g. bench/gpu/ensemble.sh's float16 folders) come without an ONNX export too: the same, on a copy.
bench/base-classifier.sh "$WORK/bundled"
declare -A FOLDER=([bundled]="$WORK/bundled" [reference]="$WORK/reference")
NAMES="bundled reference"
for m in "$@"; do
  name=$(basename "$m")
  [ -z "${FOLDER[$name]+set}" ] || { echo "two members named $name"; exit 1; }
  if [ ! -f "$m/classifier.onnx" ]; then
    copy="$WORK/extra-$name"; cp -r "$m" "$copy"
    ./fergan export onnx --model "$copy" --out "$copy/classifier.onnx" > /dev/null
    m=$copy
  fi
  FOLDER[$name]=$m; NAMES="$NAMES $name"
done
for name in $NAMES; do
  for tta in "" "--tta"; do
    file="$OUT/public-$name${tta:+-tta}"
    ./fergan evaluate --runtime onnx --model "${FOLDER[$name]}" --data "$DATA" --split PublicTest $tta \
      --probabilities "$file.csv" --overwrite --json > "$file.json"
  done
done
# Every subset of the models, scored from the saved probabilities.
CHOICE=$(python3 bench/ensemble-select.py "$OUT/public-" $NAMES 2> "$OUT/selection.txt")
cat "$OUT/selection.txt"
CHOSEN=$(echo "$CHOICE" | sed -n 1p); MODE=$(echo "$CHOICE" | sed -n 2p)
BEST="$(echo "$CHOSEN" | tr ' ' '+')$([ "$MODE" = tta ] && echo -tta || true)"
echo "selected on PublicTest: $BEST" | tee "$OUT/selected.txt"
tta=$([ "$MODE" = tta ] && echo --tta || true)
args=""; for name in $CHOSEN; do args="$args --model ${FOLDER[$name]}"; done
./fergan evaluate --runtime onnx $args --data "$DATA" --split PrivateTest $tta --json > "$OUT/private-$BEST.json"
./fergan evaluate --runtime onnx $args --data "$DATA" --split PrivateTest $tta --exclude-train-duplicates --json > "$OUT/private-$BEST-dedup.json"
./fergan evaluate --runtime onnx $args --data "$DATA" --split PrivateTest $tta --exclude-train-duplicates near --json > "$OUT/private-$BEST-near-dedup.json"
python3 -c "
import json
for v in ('', '-dedup', '-near-dedup'):
    r = json.load(open('$OUT/private-$BEST' + v + '.json'))
    ci = r['confidence_intervals']['accuracy']
    print(f\"PrivateTest{v} $BEST: accuracy {r['accuracy']:.4f} [{ci['low']:.3f}, {ci['high']:.3f}], macro-F1 {r['macro_f1']:.4f}, disgust F1 {r['per_class']['disgust']['f1']:.3f}\")
"
