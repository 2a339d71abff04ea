#!/usr/bin/env bash
# Prepares the two device calls of a GPU session (the carry limit is 64 MiB a call, and the app plus all of FER2013
# is more): .gpu/carry/app.tar.xz and train.fgn.xz for call 1 (gan.sh), tests.fgn.xz for call 2 (classifiers.sh).
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
xz --delta=dist=1 --lzma2=preset=9e -T2 -c .gpu/data/tests.fgn > .gpu/carry/tests.fgn.xz
ls -la .gpu/carry
