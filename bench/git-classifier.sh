#!/usr/bin/env bash
# Writes a classifier that models/classifier held at a past revision into a folder (card, float16 weights, ONNX
# export), so scripts that measure or build on a former bundled classifier keep reproducing their figures after the
# bundle moves on. The revisions that matter:
#   83e55f8  the 120-epoch vgg-64 (bundled 2026-11-26 to 2026-11-27; bench/base-classifier.sh)
#   d40b43e  its robust fine-tune (bundled 2026-11-27 to 2026-11-28; bench/robustness-finetune.sh)
# Needs the repository's history (not a shallow clone).
# Usage: bench/git-classifier.sh <revision> <folder>
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:?revision whose models/classifier to take}
DEST=${2:?folder to write the model into}
git cat-file -e "$REV^{commit}" 2>/dev/null || { echo "git-classifier: commit $REV is not in this clone's history (a shallow clone?)" >&2; exit 1; }
mkdir -p "$DEST"
for file in classifier.json classifier.bin classifier.onnx; do
  git show "$REV:models/classifier/$file" > "$DEST/$file.part"
  mv "$DEST/$file.part" "$DEST/$file"
done
