#!/usr/bin/env bash
# WiSE-FT's mixing coefficient: the bundled classifier is the even mean of the robust fine-tune and the 120-epoch model
# it started from (bench/wise-ft-cpu.sh); here other shares of the fine-tune (`fergan soup --recipe weighted --weights
# <share>,<1 - share>`) trace the line between clean and corrupted accuracy that one half is a point of. Scored as the
# product runs it (float16 ONNX on ONNX Runtime), on PublicTest only: clean, the 35 settings of the seven families the
# fine-tune trained against, and JPEG and low resolution, which neither parent trained on. Nothing is adopted and
# PrivateTest is not read (RULE.txt). Shares 0, 0.5 and 1 come from the earlier runs' files.
# About 8 minutes a share on 2 cores (the soup 2, the scoring 6).
# Env: FERGAN (default ./fergan), DATA, RUNS (default /work/runs/wise-ft), OUT, SHARES (default "0.25 0.75").
set -euo pipefail
cd "$(dirname "$0")/.."
FERGAN=${FERGAN:-./fergan}
DATA=${DATA:-../shared/data/fer2013/fer2013.csv.gz}
RUNS=${RUNS:-/work/runs/wise-ft}
OUT=${OUT:-results/wise-ft-sweep-cpu-2026-11-28}
SHARES=${SHARES:-0.25 0.75}
CORRUPTIONS=low-light,contrast,noise,blur,occlusion-eyes,occlusion-mouth,occlusion-patches,jpeg,low-resolution
mkdir -p "$RUNS" "$OUT"
[[ -f $RUNS/base/classifier.json ]] || bash bench/base-classifier.sh "$RUNS/base"
[[ -f $RUNS/fine-tune/classifier.json ]] || bash bench/git-classifier.sh d40b43e "$RUNS/fine-tune"
for share in $SHARES; do
  soup=$RUNS/soup-$share
  rest=$(python3 -c "print(round(1 - $share, 6))")
  [[ -f $soup/classifier.json ]] || $FERGAN soup --data "$DATA" --model "$RUNS/fine-tune" --model "$RUNS/base" --recipe weighted \
    --weights "$share,$rest" --out "$soup" --overwrite --json > "$OUT/soup-$share.json"
  [[ -f $soup/classifier.onnx ]] || $FERGAN export onnx --model "$soup" --out "$soup/classifier.onnx" --half > /dev/null
  [[ -s $OUT/public-$share.json ]] || {
    $FERGAN evaluate --runtime onnx --model "$soup" --data "$DATA" --split PublicTest --corruptions "$CORRUPTIONS" --json > "$OUT/public-$share.json.part"
    mv "$OUT/public-$share.json.part" "$OUT/public-$share.json"; }
done
python3 - "$OUT" $SHARES <<'PY' | tee "$OUT/summary.md"
import json, sys
out, shares = sys.argv[1], sys.argv[2:]
def families(*paths):
    clean, per = None, {}
    for path in paths:
        r = json.load(open(path))["robustness"]
        clean = r["clean_accuracy"] if clean is None else clean
        for s in r["scores"]:
            per.setdefault(s["corruption"], []).append(s["accuracy"])
    return clean, {k: sum(v) / len(v) for k, v in per.items()}
ft, wf, un = "results/robustness-finetune-cpu-2026-11-27", "results/wise-ft-cpu-2026-11-28", "results/robustness-unseen-cpu-2026-11-27"
rows = {0.0: families(f"{ft}/public-base-corruptions.json", f"{un}/PublicTest-base.json"),
        0.5: families(f"{wf}/public-soup-corruptions.json", f"{wf}/unseen-PublicTest.json"),
        1.0: families(f"{ft}/public-candidate-corruptions.json", f"{un}/PublicTest-bundled.json")}
for share in shares:
    rows[float(share)] = families(f"{out}/public-{share}.json")
order = sorted(rows)
seen = ["low-light", "contrast", "noise", "blur", "occlusion-eyes", "occlusion-mouth", "occlusion-patches"]
unseen = ["jpeg", "low-resolution"]
print("| PublicTest accuracy (ONNX, float16); share of the fine-tune | " + " | ".join(f"{s:g}" for s in order) + " |")
print("|---" * (len(order) + 1) + "|")
print("| clean | " + " | ".join(f"{rows[s][0]:.4f}" for s in order) + " |")
print("| mean of the 35 settings the fine-tune trained against | " + " | ".join(f"{sum(rows[s][1][k] for k in seen) / len(seen):.4f}" for s in order) + " |")
print("| mean of the 10 settings neither parent trained on | " + " | ".join(f"{sum(rows[s][1][k] for k in unseen) / len(unseen):.4f}" for s in order) + " |")
for k in seen + unseen:
    print(f"| {k} | " + " | ".join(f"{rows[s][1][k]:.4f}" for s in order) + " |")
PY
