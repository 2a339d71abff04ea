#!/usr/bin/env bash
# A model soup of the 120-epoch vgg-64 and its fine-tunes (fergan soup), on 2 CPU cores, with the rule for PrivateTest
# fixed before any soup was scored (results/soup-cpu-2026-11-28/RULE.txt):
#   1. the greedy soup and the uniform soup of the ingredients below, both chosen/scored on PublicTest only;
#   2. the one with the higher PublicTest accuracy (greedy on a tie) is scored once on PrivateTest (as-is, without
#      exact and without near Training copies), and only if it has at least two ingredients and its PublicTest
#      accuracy is above the 120-epoch model's own (as the soup scores it alone).
# Ingredients (machine-local; results/soup-cpu-2026-11-28/README.md says how each was made, from the runs under
# results/): folders under $INGREDIENTS, every one a fine-tune of the 120-epoch model (weights SHA-256 f32d239e…) or
# that model itself; see results/soup-cpu-2026-11-28/README.md for where each came from.
# Env: FERGAN (default ./fergan), DATA (default ../shared/data/fer2013/fer2013.csv.gz), INGREDIENTS, RUNS, OUT.
set -euo pipefail
FERGAN=${FERGAN:-./fergan}
DATA=${DATA:-../shared/data/fer2013/fer2013.csv.gz}
INGREDIENTS=${INGREDIENTS:-/work/runs/soup/ingredients}
RUNS=${RUNS:-/work/runs/soup}
OUT=${OUT:-results/soup-cpu-2026-11-28}
mkdir -p "$OUT"
models=()
# base first: the statistics batches are augmented as the first model was trained (the 120-epoch model's recipe).
for m in base $(ls "$INGREDIENTS" | grep -v '^base$'); do models+=(--model "$INGREDIENTS/$m"); done

for recipe in greedy uniform; do
  if [[ ! -f "$OUT/soup-$recipe.json" ]]; then
    $FERGAN soup --data "$DATA" "${models[@]}" --recipe $recipe --out "$RUNS/$recipe" --overwrite --json \
      > "$OUT/soup-$recipe.json.tmp" 2> "$OUT/soup-$recipe.log"
    mv "$OUT/soup-$recipe.json.tmp" "$OUT/soup-$recipe.json"
  fi
done

choice=$(python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
soups = {r: json.load(open(f"{out}/soup-{r}.json")) for r in ("greedy", "uniform")}
base = next(i for i in soups["greedy"]["record"]["ingredients"] if i["folder"].rstrip("/").endswith("/base"))["alone"]["accuracy"]
best = max(("greedy", "uniform"), key=lambda r: (soups[r]["selection"]["accuracy"], r == "greedy"))
kept = sum(i["kept"] for i in soups[best]["record"]["ingredients"])
acc = soups[best]["selection"]["accuracy"]
ok = kept >= 2 and acc > base
print(f"{best} {'score' if ok else 'stop'} {acc:.4f} {base:.4f} {kept}")
PY
)
read -r best verdict acc base kept <<< "$choice"
echo "chosen on PublicTest: $best soup ($kept ingredients), $acc against the 120-epoch model's $base: $verdict" | tee "$OUT/decision.txt"
if [[ $verdict == score && ! -f "$OUT/privatetest-$best.json" ]]; then
  $FERGAN evaluate --model "$RUNS/$best" --data "$DATA" --split PrivateTest --json > "$OUT/privatetest-$best.json"
  $FERGAN evaluate --model "$RUNS/$best" --data "$DATA" --split PrivateTest --exclude-train-duplicates --json > "$OUT/privatetest-$best-dedup.json"
  $FERGAN evaluate --model "$RUNS/$best" --data "$DATA" --split PrivateTest --exclude-train-duplicates near --json > "$OUT/privatetest-$best-near-dedup.json"
fi
