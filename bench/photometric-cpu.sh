#!/usr/bin/env bash
# Does training with light and sensor changes (`train --photometric P`, 0.5 unless given) close the robustness gaps that
# `evaluate --corruptions` measures? The CPU ablation's recipe (quick profile: vgg-16, 3 epochs, seed 1, balance
# none) with the option on, scored on PrivateTest clean and under the corruptions, against the same recipe without it
# (results/ablation-cpu-2026-11-26/none-seed1-corruptions.json). About 10 minutes on 2 cores.
# Usage: bench/photometric-cpu.sh [work folder] [results folder] [P]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-runs/photometric-cpu}
OUT=${2:-results/photometric-cpu}
P=${3:-0.5}
DATA=../shared/data/fer2013/fer2013.csv.gz
BASELINE=results/ablation-cpu-2026-11-26/none-seed1-corruptions.json
RUN="$WORK/none-photometric-$P-seed1"
mkdir -p "$OUT"
[[ -f "$RUN/classifier.json" ]] || ./fergan train --data "$DATA" --out "$RUN" --balance none --profile quick --epochs 3 --patience 0 \
  --seed 1 --photometric "$P" --resume
if [[ ! -f "$OUT/corruptions.json" ]]; then
  ./fergan evaluate --model "$RUN" --data "$DATA" --split PrivateTest --corruptions --json > "$OUT/corruptions.tmp"
  mv "$OUT/corruptions.tmp" "$OUT/corruptions.json"
fi
./fergan evaluate --model "$RUN" --data "$DATA" --split PrivateTest --exclude-train-duplicates --json > "$OUT/private-dedup.json"
cp "$RUN/log.jsonl" "$RUN/classifier.json" "$RUN/options.json" "$OUT/"
python3 - "$BASELINE" "$OUT/corruptions.json" "$P" <<'PY' | tee "$OUT/summary.md"
import json, sys
base, photo = (json.load(open(p)) for p in sys.argv[1:3])
print(f"| PrivateTest, accuracy (macro-F1) | without | with --photometric {sys.argv[3]} | difference in macro-F1 |")
print("|---|---|---|---|")
print(f"| clean | {base['accuracy']:.3f} ({base['macro_f1']:.3f}) | {photo['accuracy']:.3f} ({photo['macro_f1']:.3f}) | {photo['macro_f1'] - base['macro_f1']:+.3f} |")
def by_corruption(report):
    scores = {}
    for s in report["robustness"]["scores"]:
        scores.setdefault(s["corruption"], []).append(s)
    return scores
b, p = by_corruption(base), by_corruption(photo)
for name in b:
    mean = lambda rows, key: sum(r[key] for r in rows) / len(rows)
    print(f"| {name}, mean of 5 severities | {mean(b[name], 'accuracy'):.3f} ({mean(b[name], 'macro_f1'):.3f}) | "
          f"{mean(p[name], 'accuracy'):.3f} ({mean(p[name], 'macro_f1'):.3f}) | {mean(p[name], 'macro_f1') - mean(b[name], 'macro_f1'):+.3f} |")
PY
