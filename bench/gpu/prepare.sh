#!/usr/bin/env bash
# Prepares the device calls of a GPU session (the carry limit is 64 MiB a call; the app, FER2013 and the repository's
# bundled models together are more): app.tar.xz and train.fgn.xz.part-aa for call 1 (stage.sh), part-ab for call 2
# (stage.sh, then gan.sh in the same command), tests.fgn.xz for call 3 (classifiers.sh). All under .gpu/carry.
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
# Two pieces for two staging calls (stage.sh): the app and the bundled models leave no room for the whole archive.
rm -f .gpu/carry/train.fgn.xz.part-*
split -n 2 .gpu/carry/train.fgn.xz .gpu/carry/train.fgn.xz.part-
xz --delta=dist=1 --lzma2=preset=9e -T2 -c .gpu/data/tests.fgn > .gpu/carry/tests.fgn.xz
ls -la .gpu/carry
