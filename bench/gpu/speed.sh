#!/usr/bin/env bash
# Device call 1, after stage.sh: the GPU, `fergan doctor`, and the training-step speed of the same vgg network in C#
# (`fergan bench step`: TorchSharp on the machine's libtorch) and in Python PyTorch (bench/gpu/torch_speed.py), in
# the same call on the same GPU, at batch 256 and 1024, each in fp32, channels-last, bf16 mixed precision and both
# (PyTorch: memory_format=channels_last and bf16 autocast; C#: --channels-last and --precision bf16).
# Writes $OUT/gpu.txt, doctor.txt and speed.jsonl (one JSON object per line). Usage: bench/gpu/speed.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
WIDTH=${SPEED_WIDTH:-64} BATCHES=${SPEED_BATCHES:-256,1024} STEPS=${SPEED_STEPS:-20} REPEATS=${SPEED_REPEATS:-3}
ROUNDS=${SPEED_ROUNDS:-2}   # the H100's two rounds of 2026-11-26 agreed within 0.8 %: one is enough when time is short
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "no nvidia-smi"; } | tee "$OUT/gpu.txt"
"$F" doctor --device "$DEVICE" 2>&1 | tee "$OUT/doctor.txt" || true
: > "$OUT/speed.jsonl"
for round in $(seq 1 "$ROUNDS"); do   # rounds alternate frameworks, so a drift in the machine's speed shows
  for batch in ${BATCHES//,/ }; do
    for mode in "--precision fp32" "--precision fp32 --channels-last" "--precision bf16" "--precision bf16 --channels-last"; do
      # shellcheck disable=SC2086 # $mode is two or three words on purpose
      "$F" bench step --width "$WIDTH" --batch-size "$batch" --steps "$STEPS" --repeats "$REPEATS" --warmup 5 --device "$DEVICE" $mode --json \
        | python3 -c "import json,sys; r=json.load(sys.stdin); r.update(framework='torchsharp', round=$round); print(json.dumps(r))" >> "$OUT/speed.jsonl" \
        || echo "{\"framework\": \"torchsharp\", \"batch_size\": $batch, \"mode\": \"$mode\", \"error\": \"bench step failed\"}" >> "$OUT/speed.jsonl"
    done
  done
  python3 bench/gpu/torch_speed.py --width "$WIDTH" --batch-sizes "$BATCHES" --steps "$STEPS" --repeats "$REPEATS" --device "$DEVICE" \
    | python3 -c "import json,sys; [print(json.dumps({**json.loads(l), 'round': $round})) for l in sys.stdin if l.strip()]" >> "$OUT/speed.jsonl" \
    || echo '{"framework": "pytorch", "error": "torch_speed.py failed"}' >> "$OUT/speed.jsonl"
done
cat "$OUT/speed.jsonl" | python3 -c "
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if 'images_per_second' in r or 'libtorch_images_per_second' in r:
        rate = r.get('images_per_second') or r.get('libtorch_images_per_second')
        bf16 = r.get('bf16_autocast', False) or r.get('precision') == 'bf16'
        print(f\"{r['framework']:10} round {r.get('round')} batch {r.get('batch_size')} cl {r.get('channels_last', False)!s:5} bf16 {bf16!s:5} {rate:9.0f} img/s\")
"
