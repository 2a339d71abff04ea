#!/usr/bin/env bash
# Device call for the GAN ablation (issues 4 and 6), after stage.sh has staged the app, Training, the test splits and
# a generator (ABLATION_GAN, default the carried .gpu/carry/gan: the bundled one, packed by bench/gpu/prepare.sh): the strategy grid of
# experiments/gan-ablation.json (none and gan with 3 seeds, cap, oversample and weights with 1) at the full profile,
# with as many epochs per run as the budget allows (at most 30), selected on PublicTest, scored on PrivateTest as-is
# and without Training duplicates. Results come back as tar parts, packed even when a step fails.
# ABLATION_SPEC picks another grid (e.g. experiments/gan-ablation-followup.json); ABLATION_EPOCHS fixes the epochs
# per run instead of deriving them from the budget (to match an earlier grid's runs). ABLATION_FAST=1 trains every run
# with the fast step (bf16 mixed precision, channels-last; set EPOCH_S to its measured epoch time).
# Usage: bench/gpu/ablation.sh [seconds available]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
BUDGET=${1:-420}
GAN=${ABLATION_GAN:-$STAGE/gan-carried}
SPEC=${ABLATION_SPEC:-experiments/gan-ablation.json}
RUNS=$(python3 -c "import json; print(sum(len(r['seeds']) for r in json.load(open('$SPEC'))['runs']))")
START=$(date +%s)
R="$STAGE/ablation-results"; mkdir -p "$R"
pack() {
  cp "$STAGE/ablation/summary.json" "$STAGE/ablation/summary.md" "$R/" 2>/dev/null || true
  for d in "$STAGE"/ablation/runs/*/; do [ -d "$d" ] && cp "$d/log.jsonl" "$R/$(basename "$d")-log.jsonl" 2>/dev/null || true; done
  pack_results ablation-results ablation
}
trap pack EXIT
[ -f "$STAGE/tests.fgn" ] && [ -f "$STAGE/train.fgn" ] && [ -f "$GAN/generator.json" ] || { echo "stage Training, tests and a generator ($GAN) first"; exit 1; }
DATA=$(staged_fer2013_csv)
# About 2.3 s an epoch of the full vgg on an H100 (13,600 images/s with the PublicTest pass), a little more with GAN
# faces in each batch; the spec's runs share the budget, less a minute for loading and scoring.
EPOCH_S=${EPOCH_S:-2.6}
# With the reference network staged, the carried generator's CAS (real Training's size and class counts, 10 epochs of
# the full vgg twice: about 45 s on an H100) runs after the grid, in time kept back for it.
CAS_RESERVE=0
[ -f "$STAGE/reference/classifier.json" ] && CAS_RESERVE=${CAS_SECONDS:-75}
EPOCHS=${ABLATION_EPOCHS:-$(grid_epochs "$STAGE/ablation.json" "$(python3 -c "print(max(2, min(30, int(($(left) - 60 - $CAS_RESERVE) / $RUNS / $EPOCH_S))))")")}
echo "grid $SPEC: $RUNS runs x $EPOCHS epochs ($(left)s left)" | tee "$R/plan.txt"
python3 - "$STAGE" "$EPOCHS" "${TINY:+4}" "$GAN" "$SPEC" "${ABLATION_FAST:-}" > "$STAGE/ablation.json" <<'PY'
import json, sys
stage, epochs, width, gan, path, fast = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
spec = json.load(open(path))
spec.update({"data": f"{stage}/fer2013.csv", "gan": gan, "epochs": epochs, **({"width": int(width)} if width else {})})
if fast:
    spec.update({"precision": "bf16", "channels_last": True})
print(json.dumps(spec))
PY
"$F" experiment "$STAGE/ablation.json" --out "$STAGE/ablation" --time-limit "$(python3 -c "print(max(1, $(left) - 20 - $CAS_RESERVE) / 60)")" --device "$DEVICE" > "$R/grid.txt" 2>&1 || tail -n 20 "$R/grid.txt"
cat "$STAGE/ablation/summary.md" 2>/dev/null || true
if [ "$CAS_RESERVE" -gt 0 ] && [ "$(left)" -gt 40 ]; then
  if [ -n "$TINY" ]; then CAS_SIZE="--samples 20 --cas-profile quick --cas-epochs 1 --cas-faces 40"; else CAS_SIZE="--samples 200 --cas-profile full --cas-epochs 10"; fi
  "$F" gan evaluate --model "$GAN" --reference "$STAGE/reference" --data "$DATA" $CAS_SIZE \
    --cas --json --device "$DEVICE" > "$R/cas.json" 2> "$R/cas.txt" || tail -n 20 "$R/cas.txt"
fi
