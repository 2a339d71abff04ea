#!/usr/bin/env bash
# Soups of branches of one training run, on 2 CPU cores (fergan soup). Fine-tunes of the finished 120-epoch model did
# not soup into a better model (results/soup-cpu-2026-11-28/): each fine-tune had left its minimum for a worse one.
# Branches of one schedule taken part-way through ("spawning", Frankle et al. 2020, linear mode connectivity) each
# finish the schedule with their own data order and augmentation, so each is as good as the run itself, and networks
# branched late in training tend to be linearly connected, which is what a soup needs (Wortsman et al. 2022).
#   1. the trunk: an EPOCHS-epoch run (quick profile, vgg-16, seed 1) keeping all its checkpoints; it is the seed-1
#      branch;
#   2. one more branch per other seed in SEEDS: a copy of the trunk cut back to its checkpoint of epoch BRANCH_AT and
#      resumed under that seed to the end of the schedule (same learning-rate schedule, momentum carried over, its own
#      data order and augmentation); each branch's last epoch exported as a classifier;
#   3. the uniform and the greedy soup of those last epochs (PublicTest), and their ensemble (the mean of their
#      probabilities: what the soup tries to get at one model's cost);
#   4. PrivateTest once for each of them: every branch, both soups, the ensemble (the rule in RULE.txt, fixed first).
# Env: FERGAN (default ./fergan), DATA, RUNS (default /work/runs/branch-soup), OUT, EPOCHS (8), BRANCH_AT (5),
# SEEDS ("1 2 3"), TRAIN_FLAGS (extra train flags, e.g. --width 4 for a dry run). Runs with another BRANCH_AT share
# the trunk (it keeps every checkpoint) and write their own branches, soups and OUT (default .../from<BRANCH_AT>).
set -euo pipefail
FERGAN=${FERGAN:-./fergan}
DATA=${DATA:-../shared/data/fer2013/fer2013.csv.gz}
RUNS=${RUNS:-/work/runs/branch-soup}
EPOCHS=${EPOCHS:-8}
BRANCH_AT=${BRANCH_AT:-5}
OUT=${OUT:-results/branch-soup-cpu-2026-11-28/from$BRANCH_AT}
SEEDS=${SEEDS:-1 2 3}
TRAIN_FLAGS=${TRAIN_FLAGS:-}
mkdir -p "$RUNS" "$OUT"

# 1. The trunk: the whole schedule under seed 1 (so it is also the seed-1 branch), keeping every checkpoint so that
# the branches can start from the one at BRANCH_AT.
branch_point="$RUNS/trunk/checkpoints/step-$(printf %06d "$BRANCH_AT")"
resume=(); [[ -f $RUNS/trunk/options.json ]] && resume=(--resume)
$FERGAN train --data "$DATA" --out "$RUNS/trunk" --epochs "$EPOCHS" --seed 1 --keep-checkpoints "$EPOCHS" $TRAIN_FLAGS "${resume[@]}" > "$OUT/trunk.log" 2>&1
cp "$RUNS/trunk/log.jsonl" "$OUT/trunk-log.jsonl"
[[ -d $branch_point ]] || { echo "the trunk has no checkpoint of epoch $BRANCH_AT"; exit 1; }

# 2. Branches: each a copy of the trunk at the branch point, resumed under its own seed to the end of the schedule.
models=()
for seed in $SEEDS; do
  branch="$RUNS/from$BRANCH_AT-seed$seed"
  if [[ $seed == 1 ]]; then
    branch="$RUNS/trunk"
  else
    if [[ ! -d $branch ]]; then
      cp -r "$RUNS/trunk" "$branch.tmp"
      # The branch point is its newest checkpoint (resume takes the newest; the log is cut back to it), and the
      # trunk's selected model goes: the branch selects among its own epochs.
      for c in "$branch.tmp"/checkpoints/step-*; do (( 10#${c##*step-} <= BRANCH_AT )) || rm -rf "$c"; done
      rm -f "$branch.tmp"/classifier.json "$branch.tmp"/classifier.bin
      mv "$branch.tmp" "$branch"
    fi
    $FERGAN train --data "$DATA" --out "$branch" --epochs "$EPOCHS" --seed "$seed" --keep-checkpoints "$EPOCHS" $TRAIN_FLAGS --resume > "$OUT/branch-seed$seed.log" 2>&1
    cp "$branch/log.jsonl" "$OUT/branch-seed$seed-log.jsonl"
  fi
  $FERGAN export checkpoint --model "$branch" --epoch "$EPOCHS" --out "$RUNS/from$BRANCH_AT-last-seed$seed" --overwrite > /dev/null
  models+=(--model "$RUNS/from$BRANCH_AT-last-seed$seed")
done

# 3. Soups (PublicTest chooses the greedy one; the uniform one is not chosen on anything) and the ensemble.
for recipe in uniform greedy; do
  [[ -f $OUT/soup-$recipe.json ]] || {
    $FERGAN soup --data "$DATA" "${models[@]}" --recipe $recipe --out "$RUNS/from$BRANCH_AT-soup-$recipe" --overwrite --json > "$OUT/soup-$recipe.json.tmp" 2> "$OUT/soup-$recipe.log"
    mv "$OUT/soup-$recipe.json.tmp" "$OUT/soup-$recipe.json"; }
done
[[ -f $OUT/publictest-ensemble.json ]] || $FERGAN evaluate "${models[@]}" --data "$DATA" --split PublicTest --json > "$OUT/publictest-ensemble.json"

# 4. PrivateTest once for each model reported.
score() { [[ -f $OUT/privatetest-$1.json ]] || $FERGAN evaluate "${@:2}" --data "$DATA" --split PrivateTest --json > "$OUT/privatetest-$1.json"; }
for seed in $SEEDS; do score "branch-seed$seed" --model "$RUNS/from$BRANCH_AT-last-seed$seed"; done
score soup-uniform --model "$RUNS/from$BRANCH_AT-soup-uniform"
score soup-greedy --model "$RUNS/from$BRANCH_AT-soup-greedy"
score ensemble "${models[@]}"
python3 - "$OUT" $SEEDS <<'PY'
import json, sys
out, seeds = sys.argv[1], sys.argv[2:]
def acc(name, split):
    d = json.load(open(f"{out}/{split}-{name}.json"))
    return d["accuracy"], d["macro_f1"]
greedy = json.load(open(f"{out}/soup-greedy.json"))
uniform = json.load(open(f"{out}/soup-uniform.json"))
pub = {f"branch-seed{s}": (i["alone"]["accuracy"], i["alone"]["macro_f1"]) for s, i in zip(seeds, uniform["record"]["ingredients"])}
pub["soup-uniform"] = (uniform["selection"]["accuracy"], uniform["selection"]["macro_f1"])
pub["soup-greedy"] = (greedy["selection"]["accuracy"], greedy["selection"]["macro_f1"])
pub["ensemble"] = acc("ensemble", "publictest")
lines = ["| model | PublicTest accuracy | macro-F1 | PrivateTest accuracy | macro-F1 |", "|---|---|---|---|---|"]
for name in [f"branch-seed{s}" for s in seeds] + ["soup-uniform", "soup-greedy", "ensemble"]:
    p, q = pub[name], acc(name, "privatetest")
    lines.append(f"| {name} | {p[0]:.4f} | {p[1]:.4f} | {q[0]:.4f} | {q[1]:.4f} |")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
