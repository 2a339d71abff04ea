#!/usr/bin/env bash
# Writes the 120-epoch vgg-64 into a folder (card, float16 weights, ONNX export), from git history: the bundled
# classifier from 2026-11-26 to 2026-11-27 (PrivateTest 0.727), the best clean single model here and the model the
# robust fine-tune started from (the bundled classifier since 2026-11-28 is the mean of the two). Scripts that measure
# or build on that model take it from here, so they keep reproducing their figures whatever models/classifier holds.
# Needs the repository's history (not a shallow clone).
# Usage: bench/base-classifier.sh <folder>
set -euo pipefail
exec "$(dirname "$0")/git-classifier.sh" 83e55f8 "${1:?folder to write the model into}"
