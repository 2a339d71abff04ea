#!/usr/bin/env bash
# Prepares the two device calls of a GPU session under .gpu/carry (git-ignored; each call carries at most 64 MiB,
# the checkout included):
#   call 1 carries app.tar.xz (the published training-only fergan, 14 MB) and train.fgn.xz (Training, 47.5 MB);
#   call 2 carries tests.fgn.xz (PublicTest + PrivateTest, 12.3 MB) and reference/ (the GAN metrics' versioned
#   reference network, 18.8 MB), and for the ablation gan/ (the bundled generator, 6.1 MB), for distillation
#   teachers/ (the 120-epoch vgg-64, the best clean single model, 18.8 MB).
# Beside 61.7 MB, call 1 leaves no room for the checkout's bundled models (39 MB), so the calls are made from a
# checkout without them: bench/gpu/lean-checkout.sh switches to a branch that drops them for the session.
# xz's delta filter saves 3% on gray pixels. Usage: bench/gpu/prepare.sh [fer2013.csv.gz]
set -euo pipefail
cd "$(dirname "$0")/../.."
FER=${1:-../shared/data/fer2013/fer2013.csv.gz}
bench/gpu/publish.sh
mkdir -p .gpu/data .gpu/carry
rm -f .gpu/carry/train.fgn.xz.part-*
./fergan data export "$FER" --splits Training --out .gpu/data/train.fgn --overwrite
./fergan data export "$FER" --splits PublicTest,PrivateTest --out .gpu/data/tests.fgn --overwrite
xz --delta=dist=1 --lzma2=preset=9e -T2 -c .gpu/data/train.fgn > .gpu/carry/train.fgn.xz
xz --delta=dist=1 --lzma2=preset=9e -T2 -c .gpu/data/tests.fgn > .gpu/carry/tests.fgn.xz
# The reference network as one self-contained folder: its card, with the weights beside it (still pinned by SHA-256).
rm -rf .gpu/carry/reference && mkdir -p .gpu/carry/reference
cp models/reference/classifier.bin .gpu/carry/reference/classifier.bin
python3 - <<'PY'
import json
card = json.load(open("models/reference/classifier.json"))
card["weights_path"] = "classifier.bin"
json.dump(card, open(".gpu/carry/reference/classifier.json", "w"), indent=2)
PY
# The 120-epoch vgg-64 as a teacher for bench/gpu/distill.sh (card and float16 weights, 18.8 MB; with the reference
# network it makes the second call's 50 MB): the best clean single model, which the 73.5 % goal is about (the bundled
# classifier since 2026-11-28 is its mean with its robust fine-tune, 0.7 points lower on clean faces).
rm -rf .gpu/carry/teachers && mkdir -p .gpu/carry/teachers/classifier
bench/base-classifier.sh .gpu/carry/teachers/classifier
rm .gpu/carry/teachers/classifier/classifier.onnx
# The bundled generator, for the ablation (bench/gpu/ablation.sh).
rm -rf .gpu/carry/gan && mkdir -p .gpu/carry/gan && cp models/gan/generator.json models/gan/generator.bin .gpu/carry/gan/
ls -la .gpu/carry .gpu/carry/reference .gpu/carry/gan .gpu/carry/teachers/classifier
