#!/usr/bin/env bash
# Issue 6's CPU inference figure: the bundled classifier (vgg-64) in TorchSharp against its ONNX export on ONNX
# Runtime, same faces, batch sizes and threads (libtorch's: one per core), windows alternating between the two
# (`fergan bench inference`). Run on an otherwise idle machine: with another process on the cores, libtorch's
# OpenMP threads wait for each other and small batches slow down several-fold. Three rounds of 5 windows; the
# summary is the median over all windows of a runtime and batch size, with the ratio ONNX Runtime / TorchSharp.
# Usage: bench/inference-cpu.sh [output folder] (JSON lines, one object per round)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/inference-cpu}
mkdir -p "$OUT"
: > "$OUT/runs.jsonl"
: > "$OUT/stderr.txt"
for i in 1 2 3; do
  # At batch 1 libtorch warns on every convolution that NNPACK does not support this CPU (it then uses its other
  # kernels): those lines are dropped, anything else on stderr is kept.
  ./fergan bench inference --batch-sizes 1,16,64 --faces 256 --repeats 5 --json 2> >(grep -v "Could not initialize NNPACK" >> "$OUT/stderr.txt") \
    | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)))" >> "$OUT/runs.jsonl"
done
python3 - "$OUT/runs.jsonl" <<'PY' | tee "$OUT/summary.md"
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
timings = [t for r in runs for t in r["timings"]]
print(f"{runs[0]['threads']} threads, {runs[0]['faces']} faces a window, {len(runs)} rounds of {runs[0]['repeats']} windows; median images/s:")
print()
print("| batch | TorchSharp | ONNX Runtime | ONNX Runtime / TorchSharp | max probability difference |")
print("|---|---|---|---|---|")
for batch in dict.fromkeys(t["batch_size"] for t in timings):
    rate = {rt: statistics.median(w for t in timings if t["batch_size"] == batch and t["runtime"] == rt for w in t["windows"]) for rt in ("torch", "onnx")}
    diff = max(t["max_probability_difference"] for t in timings if t["batch_size"] == batch)
    print(f"| {batch} | {rate['torch']:.0f} | {rate['onnx']:.0f} | {rate['onnx'] / rate['torch']:.1f}x | {diff:.1e} |")
PY
