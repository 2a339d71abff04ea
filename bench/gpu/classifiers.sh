#!/usr/bin/env bash
# Device call 2 (right after gan.sh, on the same warm machine): join the test splits to the staged Training faces,
# train the full vgg classifier (the bundled model and the GAN metrics' reference network), measure the GAN against it
# (per checkpoint, CAS), and run the strategy grid in the time left. Results come back as split tar parts.
# Usage: bench/gpu/classifiers.sh [total seconds available]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
BUDGET=${1:-500}
START=$(date +%s)
xz -dc "$CARRY"/tests.fgn.xz > "$STAGE/tests.fgn"
"$F" data export "$STAGE/train.fgn" --out "$STAGE/train.csv" --overwrite > /dev/null
"$F" data export "$STAGE/tests.fgn" --out "$STAGE/tests.csv" --overwrite > /dev/null
{ cat "$STAGE/train.csv"; tail -n +2 "$STAGE/tests.csv"; } > "$STAGE/fer2013.csv"
# Epoch budgets from the speed measured in call 1 (images/s of the full vgg on this GPU).
RATE=$(python3 -c "import json; print(json.loads(open('$STAGE/speed/log.jsonl').read().splitlines()[-1])['images_per_second'])")
EPOCH_S=$(python3 -c "print(28709 / $RATE + 0.5)")   # + validation
MAIN_EPOCHS=$(python3 -c "print(max(5, min(60, int(0.30 * $BUDGET / $EPOCH_S))))")
GRID_EPOCHS=$(python3 -c "print(max(3, min(30, int(0.40 * $BUDGET / 9 / $EPOCH_S))))")
echo "rate $RATE img/s; main $MAIN_EPOCHS epochs; grid $GRID_EPOCHS epochs" | tee "$OUT/plan.txt"
R="$STAGE/results"; mkdir -p "$R"
"$F" train --data "$STAGE/fer2013.csv" --out "$STAGE/vgg" --profile full --epochs "$MAIN_EPOCHS" $TINY --patience 0 --seed 2013 --resume --device "$DEVICE" > "$R/vgg-train.txt" 2>&1
tail -n 3 "$R/vgg-train.txt"
"$F" evaluate --model "$STAGE/vgg" --data "$STAGE/fer2013.csv" --split PrivateTest --json --device "$DEVICE" > "$R/vgg-private.json"
"$F" evaluate --model "$STAGE/vgg" --data "$STAGE/fer2013.csv" --split PrivateTest --exclude-train-duplicates --json --device "$DEVICE" > "$R/vgg-private-dedup.json"
"$F" evaluate --model "$STAGE/vgg" --data "$STAGE/fer2013.csv" --split PrivateTest --tta --json --device "$DEVICE" > "$R/vgg-private-tta.json"
"$F" gan evaluate --model "$STAGE/gan" --reference "$STAGE/vgg" --data "$STAGE/fer2013.csv" --checkpoints \
  ${TINY:---cas --cas-profile full --cas-epochs $GRID_EPOCHS} ${TINY:+--samples 20} --grid "$R/nearest.png" --overwrite --json --device "$DEVICE" > "$R/gan-evaluate.json" 2> "$R/gan-evaluate.txt" || tail -n 20 "$R/gan-evaluate.txt"
LEFT=$(( BUDGET - ($(date +%s) - START) - 40 ))
python3 - "$STAGE" "$GRID_EPOCHS" "${TINY:+4}" > "$STAGE/grid.json" <<'PY'
import json, sys
stage, epochs, width = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(json.dumps({"data": f"{stage}/fer2013.csv", "profile": "full", "epochs": epochs, "patience": 0, "gan": f"{stage}/gan",
  **({"width": int(width)} if width else {}),
  "runs": [{"balance": "none", "seeds": [1, 2, 3]}, {"balance": "gan", "seeds": [1, 2, 3]}, {"balance": "cap", "seeds": [1]},
           {"balance": "oversample", "seeds": [1]}, {"balance": "weights", "seeds": [1]}]}))
PY
if [ "$LEFT" -gt 30 ]; then
  "$F" experiment "$STAGE/grid.json" --out "$STAGE/grid" --time-limit "$(python3 -c "print($LEFT / 60)")" --device "$DEVICE" > "$R/grid.txt" 2>&1 || tail -n 20 "$R/grid.txt"
  cp "$STAGE/grid/summary.json" "$STAGE/grid/summary.md" "$R/" 2>/dev/null || true
  for d in "$STAGE"/grid/runs/*/; do n=$(basename "$d"); cp "$d/log.jsonl" "$R/grid-$n-log.jsonl" 2>/dev/null || true; done
fi
cp "$STAGE/vgg/classifier.json" "$STAGE/vgg/classifier.bin" "$STAGE/vgg/log.jsonl" "$STAGE/vgg/curves.png" "$R/"
tar -C "$STAGE" -cf - results | split -b 15M - "$OUT/results.tar.part-"
ls -la "$OUT"
