#!/usr/bin/env bash
# Device call 2, after stage.sh (tests and the reference network staged; Training and the GAN run from call 1):
# 1. joins Training and the test splits as one FER2013 CSV (official split);
# 2. measures the GAN run against the versioned reference network (per checkpoint, CAS on PublicTest);
# 3. trains the full vgg classifier for as many epochs as the budget leaves (selected on PublicTest), scores it once
#    on PrivateTest (as-is, without Training duplicates, ten-crop TTA) and stores float16 weights;
# 4. runs the strategy grid if time is left.
# GAN_ONLY=1 stops after step 2.
# Results come back as split tar parts under $OUT. Usage: bench/gpu/classifiers.sh [seconds available]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
BUDGET=${1:-330}
START=$(date +%s)
R="$STAGE/results"; mkdir -p "$R"
pack() {   # whatever is done when the script ends, even early, comes back
  cp "$STAGE"/vgg/log.jsonl "$R/vgg-log.jsonl" 2>/dev/null || true
  cp "$STAGE"/vgg/curves.png "$R/vgg-curves.png" 2>/dev/null || true
  pack_results results results
}
trap pack EXIT
[ -f "$STAGE/tests.fgn" ] && [ -f "$STAGE/train.fgn" ] || { echo "stage Training and tests first"; exit 1; }
DATA=$(staged_fer2013_csv)
# Epoch time of the full vgg from the guide's run in call 1 (same network and batch).
RATE=$(python3 -c "import json; print(json.loads(open('$STAGE/guide/log.jsonl').read().splitlines()[-1])['images_per_second'])")
EPOCH_S=$(python3 -c "print(28709 / $RATE + 0.6)")   # + PublicTest validation
CAS_EPOCHS=${CAS_EPOCHS:-10}
# Generated faces per emotion for the per-checkpoint metrics (gan evaluate's default 1000 unless GAN_SAMPLES is set;
# more makes the per-class FID less noisy, but FID is only comparable between runs at the same count).
GAN_SAMPLES=${GAN_SAMPLES:-${TINY:+20}}
GAN_SAMPLES=${GAN_SAMPLES:-1000}
echo "rate $RATE img/s, epoch ${EPOCH_S}s, budget ${BUDGET}s" | tee "$R/plan.txt"
# CAS trains two full vgg-64s: dry runs (TINY set) leave it out. (This was `${TINY:---cas ...}`, which passed TINY's
# own options to gan evaluate in dry runs, unnoticed until unknown options became errors.)
CAS_FLAGS=(--cas --cas-profile full --cas-epochs "$CAS_EPOCHS")
# A session spent on the GAN (GAN_ONLY=1) also has the CAS of every checkpoint (about 22 s each on an H100).
[ "${GAN_ONLY:-0}" = 1 ] && CAS_FLAGS+=(--cas-checkpoints)
[ -n "$TINY" ] && CAS_FLAGS=()
if [ -d "$STAGE/gan" ]; then
  "$F" gan evaluate --model "$STAGE/gan" --reference "$STAGE/reference" --data "$DATA" --checkpoints \
    "${CAS_FLAGS[@]}" --samples "$GAN_SAMPLES" --grid "$R/nearest.png" --overwrite --json --device "$DEVICE" \
    > "$R/gan-evaluate.json" 2> "$R/gan-evaluate.txt" || tail -n 20 "$R/gan-evaluate.txt"
  cp "$STAGE/gan/log.jsonl" "$R/gan-log.jsonl" 2>/dev/null || true
fi
# GAN_ONLY=1: the generator's measurements only (a session spent on the GAN); nothing is trained or scored on PrivateTest.
[ "${GAN_ONLY:-0}" = 1 ] && { echo "GAN_ONLY: done ($(left)s left)" | tee -a "$R/plan.txt"; exit 0; }
# The main classifier gets what is left, less the scoring after it (about 40 s).
MAIN_EPOCHS=$(python3 -c "print(max(3, min(${MAX_EPOCHS:-120}, int(($(left) - 45) / $EPOCH_S))))")
echo "main $MAIN_EPOCHS epochs ($(left)s left)" | tee -a "$R/plan.txt"
"$F" train --data "$DATA" --out "$STAGE/vgg" --profile full --epochs "$MAIN_EPOCHS" $TINY $STEP_FLAGS --patience 0 --seed 2013 --resume --device "$DEVICE" > "$R/vgg-train.txt" 2>&1 || tail -n 20 "$R/vgg-train.txt"
tail -n 3 "$R/vgg-train.txt"
"$F" export half --model "$STAGE/vgg" --out "$R/vgg" --overwrite > /dev/null
for variant in "" "--exclude-train-duplicates" "--exclude-train-duplicates near" "--tta"; do
  name=vgg-private${variant:+-$(echo "${variant#--}" | tr ' ' -)}
  "$F" evaluate --model "$STAGE/vgg" --data "$DATA" --split PrivateTest $variant --json --device "$DEVICE" > "$R/$name.json" || true
done
echo "scored ($(left)s left)" | tee -a "$R/plan.txt"
LEFT=$(( $(left) - 30 ))
if [ "$LEFT" -gt 90 ]; then
  GRID_EPOCHS=$(grid_epochs "$STAGE/grid.json" "$(python3 -c "print(max(3, min(30, int(0.9 * $LEFT / 9 / $EPOCH_S))))")")
  python3 - "$STAGE" "$GRID_EPOCHS" "${TINY:+4}" > "$STAGE/grid.json" <<'PY'
import json, sys
stage, epochs, width = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(json.dumps({"data": f"{stage}/fer2013.csv", "profile": "full", "epochs": epochs, "patience": 0, "gan": f"{stage}/gan",
  **({"width": int(width)} if width else {}),
  "runs": [{"balance": "none", "seeds": [1, 2, 3]}, {"balance": "gan", "seeds": [1, 2, 3]}, {"balance": "cap", "seeds": [1]},
           {"balance": "oversample", "seeds": [1]}, {"balance": "weights", "seeds": [1]}]}))
PY
  "$F" experiment "$STAGE/grid.json" --out "$STAGE/grid" --time-limit "$(python3 -c "print($LEFT / 60)")" --device "$DEVICE" > "$R/grid.txt" 2>&1 || tail -n 20 "$R/grid.txt"
  cp "$STAGE/grid/summary.json" "$STAGE/grid/summary.md" "$R/" 2>/dev/null || true
  for d in "$STAGE"/grid/runs/*/; do n=$(basename "$d"); cp "$d/log.jsonl" "$R/grid-$n-log.jsonl" 2>/dev/null || true; done
fi
