#!/usr/bin/env bash
# Runs both device scripts on this CPU at tiny size (synthetic faces, width-4 nets, seconds of training), to catch
# script errors before spending GPU time. Usage: bench/gpu/dry-run.sh (after bench/gpu/publish.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
export FERGAN_STAGE=/tmp/fergan-dry FERGAN_CARRY=/tmp/fergan-dry-carry FERGAN_DEVICE=cpu FERGAN_TINY="--width 4 --batch-size 16"
export TORCH_LIB="$PWD/.build/cli/libtorch" CHECKPOINT_EVERY=5 OUT=/tmp/fergan-dry-out
rm -rf "$FERGAN_STAGE" "$FERGAN_CARRY" "$OUT"; mkdir -p "$FERGAN_CARRY" "$OUT"
cp .gpu/carry/app.tar.xz "$FERGAN_CARRY/"
./fergan data export synthetic:1400:5 --splits Training --out /tmp/fergan-dry-train.fgn --overwrite > /dev/null
./fergan data export synthetic:1400:5 --splits PublicTest,PrivateTest --out /tmp/fergan-dry-tests.fgn --overwrite > /dev/null
xz -c /tmp/fergan-dry-train.fgn > /tmp/fergan-dry-train.fgn.xz
split -n 3 /tmp/fergan-dry-train.fgn.xz /tmp/fergan-dry-part-
xz -c /tmp/fergan-dry-tests.fgn > "$FERGAN_CARRY/tests.fgn.xz"
# Call 1 carries the app, calls 2-4 one piece each: simulate by staging four times, one new file each time.
bench/gpu/stage.sh
for piece in aa ab ac; do
  rm -f "$FERGAN_CARRY"/app.tar.xz "$FERGAN_CARRY"/train.fgn.xz.part-*
  mv "/tmp/fergan-dry-part-$piece" "$FERGAN_CARRY/train.fgn.xz.part-$piece"
  bench/gpu/stage.sh
done
bench/gpu/gan.sh 0.1
rm -f "$OUT"/*   # each device call starts with an empty $OUT
bench/gpu/classifiers.sh 60
