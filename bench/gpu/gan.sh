#!/usr/bin/env bash
# Device call after staging (stage.sh, or a carried train.fgn.xz where it fits): check CUDA, measure classifier speed
# (for classifiers.sh's epoch budget), and train the full-profile GAN for a fixed time. Extra arguments go to
# `gan train` (e.g. --augment none). Usage: bench/gpu/gan.sh [GAN minutes] [gan train options...]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
MINUTES=${1:-4}
shift || true
[ -f "$CARRY/app.tar.xz" ] && [ ! -x "$F" ] && tar -C "$STAGE" -xJf "$CARRY/app.tar.xz"
[ -f "$CARRY/train.fgn.xz" ] && [ ! -f "$STAGE/train.fgn" ] && xz -dc "$CARRY/train.fgn.xz" > "$STAGE/train.fgn"
[ -f "$STAGE/train.fgn" ] || { echo "no Training faces staged: run bench/gpu/stage.sh first"; exit 1; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "no nvidia-smi"; } | tee "$OUT/gpu.txt"
"$F" doctor --device "$DEVICE" 2>&1 | tee "$OUT/doctor.txt" || true
# One short full-size classifier run on a stratified split of Training: images/s for call 2's budget.
"$F" train --data "$STAGE/train.fgn" --split-mode stratified --profile full --epochs 2 $TINY --out "$STAGE/speed" --device "$DEVICE" 2>&1 | tee "$OUT/speed.txt"
cp "$STAGE/speed/log.jsonl" "$OUT/speed-log.jsonl"
"$F" gan train --data "$STAGE/train.fgn" --out "$STAGE/gan" --profile full --checkpoint-every ${CHECKPOINT_EVERY:-500} ${TINY:+--width 4 --batch-size 8} \
  --time-limit "$MINUTES" --device "$DEVICE" "$@" > "$OUT/gan-train.txt" 2>&1 || { tail -n 30 "$OUT/gan-train.txt"; exit 1; }
tail -n 5 "$OUT/gan-train.txt"
ls "$STAGE/gan/generators"
tar --ignore-failed-read -C "$STAGE/gan" -czf "$OUT/gan-run.tar.gz" generator.json generator.bin options.json log.jsonl curves.png samples commands.txt
ls -la "$OUT"
