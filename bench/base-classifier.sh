#!/usr/bin/env bash
# Writes the 120-epoch vgg-64 into a folder (card, float16 weights, ONNX export), from git history: the bundled
# classifier from 2026-11-26 to 2026-11-27 (PrivateTest 0.727), the best clean single model here and the model the
# bundled robust fine-tune started from. Scripts that measure or build on that model take it from here, so they keep
# reproducing their figures now that models/classifier holds the fine-tune. Needs the repository's history (not a
# shallow clone).
# Usage: bench/base-classifier.sh <folder>
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=${1:?folder to write the model into}
REV=83e55f8
git cat-file -e "$REV^{commit}" 2>/dev/null || { echo "base-classifier: commit $REV is not in this clone's history (a shallow clone?)" >&2; exit 1; }
mkdir -p "$DEST"
for file in classifier.json classifier.bin classifier.onnx; do
  git show "$REV:models/classifier/$file" > "$DEST/$file"
done
