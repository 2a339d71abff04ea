#!/usr/bin/env bash
# Device call for the ensemble goal (issue 6: an ensemble or TTA variant >= 75 %), after stage.sh has staged the app,
# Training and the test splits: trains more vgg-64 classifiers with the 120-epoch model's recipe (full profile, 120
# epochs, no early stopping) under other seeds, one after another in the time given, each selected on PublicTest,
# and brings back their float16 weights (export half) and logs. Nothing is scored on PrivateTest here: the ensemble
# (bench/ensemble-cpu.sh with these folders: the 120-epoch model, the reference and these, with and without TTA) is
# chosen on PublicTest back on the CPU,
# then scored once on PrivateTest. A run cut by the time limit comes back too (its last selected epoch) and is marked.
# STEP_FLAGS="--precision bf16 --channels-last" trains with the fast step (see env.sh); ENSEMBLE_ARCH=resnet trains
# resnet-64 members instead of vgg-64 (another architecture: the more diverse member).
# Usage: bench/gpu/ensemble.sh [seconds available] [seeds, default 2014,2015,2016]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
BUDGET=${1:-500}
SEEDS=${2:-2014,2015,2016}
EPOCHS=${ENSEMBLE_EPOCHS:-120}
ARCH=${ENSEMBLE_ARCH:-vgg}
START=$(date +%s)
R="$STAGE/ensemble-results"; mkdir -p "$R"
trap 'pack_results ensemble-results ensemble' EXIT   # float16 weights: 19 MB a vgg-64
[ -f "$STAGE/tests.fgn" ] && [ -f "$STAGE/train.fgn" ] || { echo "stage Training and tests first"; exit 1; }
staged_fer2013_csv > /dev/null   # the joined CSV, once, before the runs' time is counted
for seed in ${SEEDS//,/ }; do
  timed_full_run "$ARCH-seed$seed" "$seed" "$EPOCHS" "$R" "$(left)" --arch "$ARCH" || break
  echo "seed $seed done ($(left)s left)" | tee -a "$R/plan.txt"
done
