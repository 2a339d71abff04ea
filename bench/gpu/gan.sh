#!/usr/bin/env bash
# Device call 1, after stage.sh (Training staged): trains the guide classifier, a vgg-64 on a stratified 90 % of
# Training, selected on the other 10 % (not the reference network of `gan evaluate`, which stays the versioned
# models/reference), then the full-profile GAN with that guide in G's loss, until the profile's steps are done or
# the minutes given run out. NO_GUIDE=1 leaves the guide out. Extra arguments go to
# `gan train` (e.g. --classifier-weight 1 --augment color,translation). Writes $OUT/guide-train.txt,
# gan-train.txt and gan-run.tar.gz (EMA generator, options, log, curves, sample grids, the guide's log).
# Usage: bench/gpu/gan.sh [GAN minutes] [gan train options...]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
MINUTES=${1:-4}
shift || true
[ -f "$STAGE/train.fgn" ] || { echo "no Training faces staged: run bench/gpu/stage.sh first"; exit 1; }
GUIDE_EPOCHS=${GUIDE_EPOCHS:-20}
GUIDE=()
if [ "${NO_GUIDE:-0}" != 1 ]; then   # NO_GUIDE=1: the GAN without a guide (to measure the guide's share)
  # GUIDE_FLAGS: extra options for the guide's training (grid.sh: the fast step).
  "$F" train --data "$STAGE/train.fgn" --split-mode stratified --profile full --epochs "$GUIDE_EPOCHS" --patience 0 --seed 7 $TINY ${GUIDE_FLAGS:-} \
    --out "$STAGE/guide" --resume --device "$DEVICE" > "$OUT/guide-train.txt" 2>&1 || { tail -n 30 "$OUT/guide-train.txt"; exit 1; }
  tail -n 3 "$OUT/guide-train.txt"
  GUIDE=(--guide "$STAGE/guide")
fi
# Checkpoints (and the generators gan evaluate --checkpoints scores) as often as the profile says, unless CHECKPOINT_EVERY is set.
"$F" gan train --data "$STAGE/train.fgn" --out "$STAGE/gan" --profile full ${CHECKPOINT_EVERY:+--checkpoint-every $CHECKPOINT_EVERY} ${TINY:+--width 4 --batch-size 8} \
  "${GUIDE[@]}" --time-limit "$MINUTES" --resume --device "$DEVICE" "$@" > "$OUT/gan-train.txt" 2>&1 || { tail -n 30 "$OUT/gan-train.txt"; exit 1; }
tail -n 5 "$OUT/gan-train.txt"
ls "$STAGE/gan/generators"
if [ ${#GUIDE[@]} -gt 0 ]; then mkdir -p "$STAGE/gan/guide-run" && cp "$STAGE/guide/log.jsonl" "$STAGE/guide/classifier.json" "$STAGE/gan/guide-run/"; fi
tar --ignore-failed-read -C "$STAGE/gan" -czf "$OUT/gan-run.tar.gz" generator.json generator.bin options.json log.jsonl curves.png samples commands.txt guide-run
ls -la "$OUT"
