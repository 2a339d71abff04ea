#!/usr/bin/env bash
# Issue 4's framework-overhead goal on this machine's CPU: the classifier trainer's step (batch from the
# device-resident split, on-device augmentation, per-step learning rate, label smoothing) against libtorch alone on a
# fixed batch, same network, batch and optimiser (`fergan bench step`, windows alternating between the two).
# A shared VM's speed drifts by 10-20 % between minutes, so it runs each configuration several times and keeps every
# window. Usage: bench/trainer-overhead.sh [output folder] (JSON lines, one object per run)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/trainer-overhead-cpu}
mkdir -p "$OUT"
run() {   # name, then bench step options
  local name=$1; shift
  ./fergan bench step "$@" --json | python3 -c "import json,sys; r=json.load(sys.stdin); r['configuration']='$name'; print(json.dumps(r))" >> "$OUT/runs.jsonl"
}
: > "$OUT/runs.jsonl"
for i in 1 2 3; do
  run vgg-16-augment --width 16 --batch-size 64 --steps 20 --repeats 7
  run vgg-16-no-augment --width 16 --batch-size 64 --steps 20 --repeats 7 --no-augment
done
run vgg-64-augment --width 64 --batch-size 64 --steps 4 --repeats 7
python3 - "$OUT/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
for name in dict.fromkeys(r["configuration"] for r in runs):
    rs = [r for r in runs if r["configuration"] == name]
    # Pair each trainer window with the libtorch window timed just before it: the ratio of neighbours cancels drift.
    ratios = [t / l for r in rs for l, t in zip(r["libtorch_windows"], r["trainer_windows"])]
    print(f"{name}: libtorch {statistics.median(x for r in rs for x in r['libtorch_windows']):.0f} images/s, "
          f"trainer {statistics.median(x for r in rs for x in r['trainer_windows']):.0f} images/s, "
          f"trainer/libtorch per window pair: median {statistics.median(ratios):.3f}, range {min(ratios):.3f}-{max(ratios):.3f} ({len(ratios)} pairs)")
PY
