#!/usr/bin/env bash
# Device call for issue 6's single-model goal (>= 73.5 % PrivateTest without TTA), after stage.sh has staged the app,
# Training, the test splits and the teachers: vgg-64 students with the bundled model's recipe (full profile, 120
# epochs, no early stopping, seed 2013: a student differs from the bundled model only by its teachers), distilled
# (`fergan train --teacher`) from the carried classifiers, one run after another in the time given, each selected on
# PublicTest. Their float16 weights and logs come back; nothing is scored on PrivateTest here (back on the CPU:
# `fergan evaluate --model <student> --split PublicTest`, then PrivateTest once for the one reported).
# A run cut by the time limit comes back too, marked INCOMPLETE; the same call again resumes it.
# DISTILL_RUNS: the students, as weight:temperature pairs (default "0.5:2"), and "none" for a control without teachers
# (same recipe, seed and step: what the students are compared with when STEP_FLAGS makes them differ from the
# bundled model's fp32 training, and so also whether that step costs accuracy); DISTILL_TEACHERS: staged teacher folders
# (default: the bundled classifier and the reference network, an ensemble of the two read PublicTest at 0.707 against
# 0.702 for the bundled model alone); STEP_FLAGS as in env.sh (teachers then also run in bf16 and channels-last).
# DISTILL_TEACHER_TTA=1: the teachers' ensemble with ten-crop TTA instead, its predictions on Training saved once
# (`evaluate --split Training --tta --probabilities`; seconds on a GPU, counted in the budget) and read by `train
# --teacher-probabilities`: a stronger teacher (on the CPU, TTA lifted such ensembles by 0.4-0.5 points on PublicTest)
# at no teacher cost per step, its targets the clean faces' rather than the augmented batch's.
# Usage: bench/gpu/distill.sh [seconds available]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
BUDGET=${1:-540}
RUNS=${DISTILL_RUNS:-0.5:2}
EPOCHS=${DISTILL_EPOCHS:-120}
SEED=${DISTILL_SEED:-2013}
START=$(date +%s)
R="$STAGE/distill-results"; mkdir -p "$R"
trap 'pack_results distill-results distill' EXIT   # float16 weights: 19 MB a vgg-64
[ -f "$STAGE/tests.fgn" ] && [ -f "$STAGE/train.fgn" ] || { echo "stage Training and tests first"; exit 1; }
TEACHER_FLAGS=(); MODEL_FLAGS=()
for t in ${DISTILL_TEACHERS:-$STAGE/teachers/classifier $STAGE/reference}; do
  [ -f "$t/classifier.json" ] || { echo "teacher $t is not staged (carry .gpu/carry/teachers and .gpu/carry/reference)"; exit 1; }
  TEACHER_FLAGS+=(--teacher "$t"); MODEL_FLAGS+=(--model "$t")
done
staged_fer2013_csv > /dev/null   # the joined CSV, once, before the runs' time is counted
if [ "${DISTILL_TEACHER_TTA:-0}" = 1 ]; then
  SAVED="$STAGE/teacher-tta-$(echo "${MODEL_FLAGS[*]}" | sha1sum | cut -c1-8).csv"   # one file per set of teachers
  if [ ! -s "$SAVED" ]; then
    "$F" evaluate "${MODEL_FLAGS[@]}" --tta --data "$(staged_fer2013_csv)" --split Training --probabilities "$SAVED.part" \
      --overwrite --json --device "$DEVICE" > "${SAVED%.csv}.json"
    mv "$SAVED.part" "$SAVED"
  fi
  cp "${SAVED%.csv}.json" "$R/"
  TEACHER_FLAGS=(--teacher-probabilities "$SAVED")
fi
for pair in $RUNS; do
  if [ "$pair" = none ]; then
    name="vgg-control-seed$SEED"; flags=()
  else
    weight=${pair%%:*}; temperature=${pair##*:}
    name="vgg-distill-w$weight-t$temperature-seed$SEED"
    flags=("${TEACHER_FLAGS[@]}" --distill-weight "$weight" --distill-temperature "$temperature")
  fi
  timed_full_run "$name" "$SEED" "$EPOCHS" "$R" "$(left)" "${flags[@]}" || break
  echo "$pair done ($(left)s left)" | tee -a "$R/plan.txt"
done
