#!/usr/bin/env bash
# Prepares the device calls of a GPU session. The carry limit is 64 MiB a call, the checkout itself (44 MB, mostly
# bundled models) travels every time, so each call carries one more thing: app.tar.xz (call 1, stage.sh), one
# third of Training per call (train.fgn.xz.part-aa/ab/ac, calls 2-4, stage.sh; gan.sh in the command of the last),
# tests.fgn.xz (call 5, classifiers.sh). All under .gpu/carry.
# The device joins the parts as FER2013 CSV (rows concatenate). xz's delta filter saves 3% on gray pixels.
# Usage: bench/gpu/prepare.sh [fer2013.csv.gz]
set -euo pipefail
cd "$(dirname "$0")/../.."
FER=${1:-../shared/data/fer2013/fer2013.csv.gz}
bench/gpu/publish.sh
mkdir -p .gpu/data .gpu/carry
./fergan data export "$FER" --splits Training --out .gpu/data/train.fgn --overwrite
./fergan data export "$FER" --splits PublicTest,PrivateTest --out .gpu/data/tests.fgn --overwrite
xz --delta=dist=1 --lzma2=preset=9e -T2 -c .gpu/data/train.fgn > .gpu/carry/train.fgn.xz
# Three pieces (about 16 MB each) for three staging calls: beside the checkout, no more fits one call.
rm -f .gpu/carry/train.fgn.xz.part-*
split -n 3 .gpu/carry/train.fgn.xz .gpu/carry/train.fgn.xz.part-
xz --delta=dist=1 --lzma2=preset=9e -T2 -c .gpu/data/tests.fgn > .gpu/carry/tests.fgn.xz
ls -la .gpu/carry
