#!/usr/bin/env bash
# How much of a classifier's PrivateTest error sits on faces whose FER2013 label the FER+ crowd disputes. The model is
# scored once with FER2013's labels and once with the FER+ majority labels (`evaluate --ferplus`, which drops faces
# without a clear majority among the seven emotions), each keeping its per-face probabilities; bench/label-noise.py
# joins the two files on the faces' source rows and splits the accuracy by whether the two labels agree.
# No model is chosen here: it reads PrivateTest for a model already selected on PublicTest.
# About a minute on 2 cores.
# Usage: bench/label-noise.sh [model folder] [fer2013.csv.gz] [fer2013new.csv] [results folder]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-models/classifier}
DATA=${2:-../shared/data/fer2013/fer2013.csv.gz}
FERPLUS=${3:-../shared/data/ferplus/fer2013new.csv}
OUT=${4:-results/label-noise}
mkdir -p "$OUT"
./fergan evaluate --model "$MODEL" --data "$DATA" --split PrivateTest \
  --probabilities "$OUT/privatetest-original-labels.csv" --overwrite --json > "$OUT/privatetest-original-labels.json"
./fergan evaluate --model "$MODEL" --data "$DATA" --ferplus "$FERPLUS" --split PrivateTest \
  --probabilities "$OUT/privatetest-ferplus-labels.csv" --overwrite --json > "$OUT/privatetest-ferplus-labels.json"
python3 bench/label-noise.py "$OUT/privatetest-original-labels.csv" "$OUT/privatetest-ferplus-labels.csv" > "$OUT/label-noise.json"
python3 bench/label-noise.py "$OUT/privatetest-original-labels.csv" "$OUT/privatetest-ferplus-labels.csv" --markdown
