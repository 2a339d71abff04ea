#!/usr/bin/env bash
# Weight-space interpolation of the robust fine-tune and the model it was fine-tuned from (WiSE-FT, Wortsman et al.
# 2022: the mean of a model and its fine-tune often keeps most of what the fine-tune gained under distribution shift
# and most of what it lost on clean data): the uniform soup of the bundled classifier (the robust fine-tune) and the
# 120-epoch vgg-64, on 2 CPU cores. Scored as the product runs it (float16 ONNX on ONNX Runtime) on PublicTest, clean
# and under the seven corruptions of bench/robustness-finetune.sh, against the bundled classifier's numbers there
# (results/robustness-finetune-cpu-2026-11-27/public-candidate-corruptions.json). The rule (RULE.txt) was committed
# before the soup was made.
# The soup has been the bundled classifier since 2026-11-28; the fine-tune, bundled when this first ran, now comes from
# git history (bench/git-classifier.sh d40b43e).
# Env: FERGAN (default ./fergan), DATA, FINETUNE (the robust fine-tune; default $RUNS/fine-tune), RUNS, BASE (the
# 120-epoch model; default $RUNS/base, written by bench/base-classifier.sh), OUT.
set -euo pipefail
FERGAN=${FERGAN:-./fergan}
DATA=${DATA:-../shared/data/fer2013/fer2013.csv.gz}
FINETUNE=${FINETUNE:-$RUNS/fine-tune}
RUNS=${RUNS:-/work/runs/wise-ft}
BASE=${BASE:-$RUNS/base}
OUT=${OUT:-results/wise-ft-cpu-2026-11-28}
SOUP=$RUNS/soup
SEEN=low-light,contrast,noise,blur,occlusion-eyes,occlusion-mouth,occlusion-patches
mkdir -p "$RUNS" "$OUT"
[[ -f $BASE/classifier.json ]] || bash bench/base-classifier.sh "$BASE"   # the 120-epoch model, from git history
[[ -f $FINETUNE/classifier.json ]] || bash bench/git-classifier.sh d40b43e "$FINETUNE"   # the robust fine-tune, likewise
# The fine-tune first: the soup's batch-norm statistics are measured with its augmentation (--photometric 0.3).
# Made again wherever its folder is missing (a new machine: the weights are not committed; on a CPU the same soup).
[[ -f $SOUP/classifier.json ]] || {
  $FERGAN soup --data "$DATA" --model "$FINETUNE" --model "$BASE" --recipe uniform --out "$SOUP" --overwrite --json > "$RUNS/soup.json" 2> "$RUNS/soup.log"
  [[ -f $OUT/soup.json ]] || cp "$RUNS/soup.json" "$OUT/soup.json"; }
[[ -f $SOUP/classifier.onnx ]] || $FERGAN export onnx --model "$SOUP" --out "$SOUP/classifier.onnx" --half > /dev/null
[[ -s $OUT/public-soup-corruptions.json ]] || {
  $FERGAN evaluate --runtime onnx --model "$SOUP" --data "$DATA" --split PublicTest --corruptions "$SEEN" --json > "$OUT/public-soup-corruptions.json.part"
  mv "$OUT/public-soup-corruptions.json.part" "$OUT/public-soup-corruptions.json"; }
verdict=$(python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def load(path):
    r = json.load(open(path))["robustness"]
    per = {}
    for s in r["scores"]:
        per.setdefault(s["corruption"], []).append(s["accuracy"])
    return r["clean_accuracy"], sum(s["accuracy"] for s in r["scores"]) / len(r["scores"]), {k: sum(v) / len(v) for k, v in per.items()}
ref = "results/robustness-finetune-cpu-2026-11-27"
rows = {"120-epoch model": load(f"{ref}/public-base-corruptions.json"), "bundled (robust fine-tune)": load(f"{ref}/public-candidate-corruptions.json"),
        "soup of the two": load(f"{out}/public-soup-corruptions.json")}
lines = ["| PublicTest accuracy (ONNX, float16) | " + " | ".join(rows) + " |", "|---" * (len(rows) + 1) + "|"]
lines.append("| clean | " + " | ".join(f"{v[0]:.4f}" for v in rows.values()) + " |")
lines.append("| mean of the 35 corrupted settings | " + " | ".join(f"{v[1]:.4f}" for v in rows.values()) + " |")
for k in rows["soup of the two"][2]:
    lines.append(f"| {k} | " + " | ".join(f"{v[2][k]:.4f}" for v in rows.values()) + " |")
b_clean, b_mean, _ = rows["bundled (robust fine-tune)"]
s_clean, s_mean, _ = rows["soup of the two"]
adopt = s_clean >= b_clean + 0.003 and s_mean >= b_mean - 0.010
open(f"{out}/decision.md", "w").write("\n".join(lines) + f"\n\ndecision: {'adopt' if adopt else 'keep the bundled classifier'}\n")
print("adopt" if adopt else "keep")
PY
)
cat "$OUT/decision.md"
if [[ $verdict == adopt ]]; then
  [[ -s $OUT/privatetest-soup-corruptions.json ]] || {
    $FERGAN evaluate --runtime onnx --model "$SOUP" --data "$DATA" --split PrivateTest --corruptions "$SEEN" --json > "$OUT/privatetest-soup-corruptions.json.part"
    mv "$OUT/privatetest-soup-corruptions.json.part" "$OUT/privatetest-soup-corruptions.json"; }
fi
