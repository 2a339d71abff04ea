#!/usr/bin/env bash
# Ensemble of the two vgg-64 classifiers in the repository (models/classifier, 120 epochs; models/reference, 56
# epochs; both trained on real faces only and selected on PublicTest), on ONNX Runtime: every variant (each model
# alone, the ensemble, each with and without ten-crop TTA) scored on PublicTest; the one with the best PublicTest
# accuracy is then scored once on PrivateTest, as-is and without Training duplicates.
# About 25 minutes on 2 idle cores (ten-crop TTA runs 20 forward passes a face for the ensemble).
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
EXTRA=""
for m in "$@"; do
  if [ ! -f "$m/classifier.onnx" ]; then
    copy="$WORK/extra-$(basename "$m")"; cp -r "$m" "$copy"
    ./fergan export onnx --model "$copy" --out "$copy/classifier.onnx" > /dev/null
    m=$copy
  fi
  EXTRA="$EXTRA $m"
done
MEMBERS="models/classifier $WORK/reference$EXTRA"
declare -A VARIANTS=([bundled]="models/classifier" [reference]="$WORK/reference" [ensemble]="$MEMBERS")
for name in bundled reference ensemble; do
  for tta in "" "--tta"; do
    args=""; for m in ${VARIANTS[$name]}; do args="$args --model $m"; done
    ./fergan evaluate --runtime onnx $args --data "$DATA" --split PublicTest $tta --json > "$OUT/public-$name${tta:+-tta}.json"
  done
done
BEST=$(python3 - "$OUT" <<'PY'
import json, pathlib, sys
rows = {p.stem.removeprefix("public-"): json.loads(p.read_text()) for p in pathlib.Path(sys.argv[1]).glob("public-*.json")}
for name, r in sorted(rows.items()):
    print(f"PublicTest {name:14} accuracy {r['accuracy']:.4f} macro-F1 {r['macro_f1']:.4f} disgust F1 {r['per_class']['disgust']['f1']:.3f}", file=sys.stderr)
# Ties go to the simpler variant (one model before two, without TTA before with).
order = [n for n in ("bundled", "bundled-tta", "reference", "reference-tta", "ensemble", "ensemble-tta") if n in rows]
print(max(order, key=lambda n: rows[n]["accuracy"]))
PY
)
echo "selected on PublicTest: $BEST" | tee "$OUT/selected.txt"
name=${BEST%-tta}; tta=$([ "$name" != "$BEST" ] && echo --tta || true)
args=""; for m in ${VARIANTS[$name]}; do args="$args --model $m"; done
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
