#!/usr/bin/env bash
# Stages whatever this call carried into $STAGE, which outlives the call while the machine stays warm (30 s between
# calls): the app (app.tar.xz), Training (train.fgn.xz, or pieces train.fgn.xz.part-* joined once all are there),
# the test splits (tests.fgn.xz), the GAN metrics' reference network (reference/), teachers for distill.sh
# (teachers/<name>/) and a generator
# (gan/, staged as gan-carried/ beside any GAN trained there). Idempotent: staged things are not staged again. Usage: bench/gpu/stage.sh [number of Training pieces, default 1]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
PIECES=${1:-1}
if [ -f "$CARRY/app.tar.xz" ] && [ ! -x "$F" ]; then
  tar -C "$STAGE" -xJf "$CARRY/app.tar.xz"
fi
if [ -f "$CARRY/train.fgn.xz" ] && [ ! -f "$STAGE/train.fgn" ]; then
  xz -dc "$CARRY/train.fgn.xz" > "$STAGE/train.fgn.tmp" && mv "$STAGE/train.fgn.tmp" "$STAGE/train.fgn"
fi
mkdir -p "$STAGE/pieces"
for piece in "$CARRY"/train.fgn.xz.part-*; do
  [ -f "$piece" ] && cp "$piece" "$STAGE/pieces/"
done
have=$(ls "$STAGE/pieces" | wc -l)
if [ "$have" -gt 0 ] && [ "$have" -ge "$PIECES" ] && [ ! -f "$STAGE/train.fgn" ]; then
  cat "$STAGE"/pieces/train.fgn.xz.part-* | xz -dc > "$STAGE/train.fgn"
fi
if [ -f "$CARRY/tests.fgn.xz" ] && [ ! -f "$STAGE/tests.fgn" ]; then
  xz -dc "$CARRY/tests.fgn.xz" > "$STAGE/tests.fgn.tmp" && mv "$STAGE/tests.fgn.tmp" "$STAGE/tests.fgn"
fi
if [ -f "$CARRY/reference/classifier.json" ] && [ ! -f "$STAGE/reference/classifier.json" ]; then
  cp -r "$CARRY/reference" "$STAGE/"
fi
# Classifiers to distil from (distill.sh), one folder each; teachers carried by different calls add up.
for teacher in "$CARRY"/teachers/*/; do
  name=$(basename "$teacher")
  if [ -f "$teacher/classifier.json" ] && [ ! -d "$STAGE/teachers/$name" ]; then
    mkdir -p "$STAGE/teachers" && cp -r "$teacher" "$STAGE/teachers/$name"
  fi
done
if [ -f "$CARRY/gan/generator.json" ] && [ ! -f "$STAGE/gan-carried/generator.json" ]; then   # a generator for the ablation
  mkdir -p "$STAGE/gan-carried" && cp "$CARRY"/gan/generator.* "$STAGE/gan-carried/"
fi
echo "staged: app $([ -x "$F" ] && echo yes || echo no), Training $([ -f "$STAGE/train.fgn" ] && echo yes || echo "no ($have/$PIECES pieces)"), tests $([ -f "$STAGE/tests.fgn" ] && echo yes || echo no), reference $([ -f "$STAGE/reference/classifier.json" ] && echo yes || echo no), teachers $(ls "$STAGE/teachers" 2>/dev/null | wc -l), carried generator $([ -f "$STAGE/gan-carried/generator.json" ] && echo yes || echo no)"
