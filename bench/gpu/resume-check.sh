#!/usr/bin/env bash
# Device check that a run stopped on the GPU resumes there: a classifier (the fast step, as the grid trains) and a GAN
# each trained a little, then resumed for a little more from their checkpoints. Until 2026-11-27 every GPU resume
# failed ("Tensor invalid -- empty handle": Module.load moved the networks to the CPU and back, replacing the parameters
# the optimisers hold); the fix (StoredWeights.LoadInPlace) is tested on the CPU with the meta device standing in.
# About 30 s on an H100, after stage.sh has staged the app and Training. Usage: bench/gpu/resume-check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
[ -f "$STAGE/train.fgn" ] || { echo "no Training faces staged: run bench/gpu/stage.sh first"; exit 1; }
C="$STAGE/resume-check"; rm -rf "$C"; mkdir -p "$C"
# doctor's self-test replays a checkpoint saved halfway (Adam, a small net): the same path, in seconds.
"$F" doctor --device "$DEVICE" > "$OUT/doctor.txt" 2>&1 || echo "doctor failed on $DEVICE (see doctor.txt)"
grep -A1 "^resume" "$OUT/doctor.txt" || true
classifier() {
  "$F" train --data "$STAGE/train.fgn" --split-mode stratified --profile full --patience 0 --seed 5 $TINY \
    --precision bf16 --channels-last --out "$C/classifier" --device "$DEVICE" "$@" >> "$OUT/resume-check.txt" 2>&1
}
gan() {
  "$F" gan train --data "$STAGE/train.fgn" --out "$C/gan" --profile full --checkpoint-every 10 --channels-last \
    ${TINY:+--width 4 --batch-size 8} --device "$DEVICE" "$@" >> "$OUT/resume-check.txt" 2>&1
}
classifier --epochs 1 && classifier --epochs 2 --resume || { tail -n 20 "$OUT/resume-check.txt"; exit 1; }
gan --steps 10 && gan --steps 20 --resume || { tail -n 20 "$OUT/resume-check.txt"; exit 1; }
# Each second run must say where it resumed and end with the longer run's last checkpoint.
grep -q "resuming from epoch 1" "$OUT/resume-check.txt" && [ "$(wc -l < "$C/classifier/log.jsonl")" = 2 ] \
  && grep -q "resuming from step 10" "$OUT/resume-check.txt" && [ -d "$C/gan/checkpoints/step-000020" ] \
  && echo "resume check: classifier and GAN resumed on $DEVICE" | tee -a "$OUT/resume-check.txt"
