#!/usr/bin/env bash
# Stages whatever this call carried into $STAGE, which outlives the call while the machine stays warm: the app
# (app.tar.xz) and any pieces of the Training archive (train.fgn.xz.part-*). The repository's bundled models travel
# with every call, so app + Training no longer fit one call's 64 MiB: prepare.sh cuts the archive in three, and the
# first calls stage the pieces. Once all pieces are there they are joined and unpacked to $STAGE/train.fgn.
# Usage: bench/gpu/stage.sh [number of pieces, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
PIECES=${1:-3}
if [ -f "$CARRY/app.tar.xz" ] && [ ! -x "$F" ]; then
  tar -C "$STAGE" -xJf "$CARRY/app.tar.xz"
fi
mkdir -p "$STAGE/pieces"
for piece in "$CARRY"/train.fgn.xz.part-*; do
  [ -f "$piece" ] && cp "$piece" "$STAGE/pieces/"
done
have=$(ls "$STAGE/pieces" | wc -l)
echo "staged: app $([ -x "$F" ] && echo yes || echo no), Training pieces $have/$PIECES"
if [ "$have" -ge "$PIECES" ] && [ ! -f "$STAGE/train.fgn" ]; then
  cat "$STAGE"/pieces/train.fgn.xz.part-* | xz -dc > "$STAGE/train.fgn"
  echo "joined: $(stat -c %s "$STAGE/train.fgn") bytes"
fi
