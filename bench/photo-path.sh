#!/usr/bin/env bash
# What the photo pipeline (detect, align, classify: `predict`, `serve`, `--find-faces`) costs against the dataset's
# own crops, measured on FER2013 faces whose labels are known. One split's faces are read three ways by the bundled
# classifier on ONNX Runtime, each keeping its per-face probabilities:
#   original   the 48x48 crops as stored (what `evaluate` scores);
#   framed     each face scaled to 120 px in the middle of a 640x480 frame of its mean gray (a face at a photo's
#              scale; bench/Fergan.PhotoBench framed-faces), then found, aligned and cropped by `--find-faces`;
#   crops-*    the stored crops themselves given to `--find-faces` (faces that fill the picture) with the auto,
#              near (128 px) and far (256 px) detectors.
# bench/photo-path.py then compares each with the original crops on the same faces (joined on source rows).
# No model or setting is chosen by it. About 3 minutes a split on 2 cores.
# Usage: bench/photo-path.sh [PublicTest|PrivateTest] [fer2013.csv.gz] [results folder]; MODEL=<classifier folder with
# its classifier.onnx> measures another classifier than the bundled one.
set -euo pipefail
cd "$(dirname "$0")/.."
SPLIT=${1:-PublicTest}
DATA=$(realpath "${2:-../shared/data/fer2013/fer2013.csv.gz}")
OUT=${3:-results/photo-path}/$SPLIT
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
case $SPLIT in PublicTest) folder=val ;; PrivateTest) folder=test ;; *) echo "split: PublicTest or PrivateTest"; exit 2 ;; esac
./fergan data export "$DATA" --out "$WORK/all" > /dev/null
mkdir -p "$WORK/crops" && mv "$WORK/all/$folder" "$WORK/crops/test"
dotnet run -c Release --project bench/Fergan.PhotoBench -- framed-faces --data "$DATA" --split "$SPLIT" --face-size 120 --out "$WORK/framed"
score() { # name, folder, extra options: the folder's test/ reads as PrivateTest whatever split it came from
  local name=$1 data=$2; shift 2
  ./fergan evaluate --runtime onnx ${MODEL:+--model "$MODEL"} --data "$data" --split PrivateTest --no-cache "$@" \
    --probabilities "$OUT/$name.csv" --overwrite --json > "$OUT/$name.json"
}
score original "$WORK/crops"
score framed "$WORK/framed" --find-faces --skip-bad
for detector in auto near far; do score "crops-$detector" "$WORK/crops" --find-faces "$detector" --skip-bad; done
python3 bench/photo-path.py "$OUT" original framed crops-auto crops-near crops-far | tee "$OUT/photo-path.md"
