#!/usr/bin/env bash
# Runs the device calls on this CPU at tiny size (synthetic faces, width-4 nets, seconds of training), to catch
# script errors before spending GPU time; every check that fails stops it with "dry run FAILED" and exit code 1.
# Usage: bench/gpu/dry-run.sh (after bench/gpu/prepare.sh or publish.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
export FERGAN_STAGE=/tmp/fergan-dry FERGAN_CARRY=/tmp/fergan-dry-carry FERGAN_DEVICE=cpu FERGAN_TINY="--width 4 --batch-size 16"
export TORCH_LIB="$PWD/.build/cli/libtorch" CHECKPOINT_EVERY=5 OUT=/tmp/fergan-dry-out GUIDE_EPOCHS=1
export SPEED_WIDTH=4 SPEED_BATCHES=16 SPEED_STEPS=2 SPEED_REPEATS=1 SPEED_ROUNDS=1 MAX_EPOCHS=2
rm -rf "$FERGAN_STAGE" "$FERGAN_CARRY" "$OUT"; mkdir -p "$FERGAN_CARRY" "$OUT"
./fergan data export synthetic:1400:5 --splits Training --out /tmp/fergan-dry-train.fgn --overwrite > /dev/null
./fergan data export synthetic:1400:5 --splits PublicTest,PrivateTest --out /tmp/fergan-dry-tests.fgn --overwrite > /dev/null
# Call 1: the app and Training.
cp .gpu/carry/app.tar.xz "$FERGAN_CARRY/"
xz -c /tmp/fergan-dry-train.fgn > "$FERGAN_CARRY/train.fgn.xz"
bench/gpu/stage.sh && bench/gpu/speed.sh && bench/gpu/gan.sh 0.1 --classifier-weight 1 --augment color,translation
bench/gpu/resume-check.sh
ls "$OUT"
# Call 2: the test splits and a reference network (here a tiny one trained on the synthetic faces).
rm -rf "$FERGAN_CARRY" "$OUT"; mkdir -p "$FERGAN_CARRY" "$OUT"
xz -c /tmp/fergan-dry-tests.fgn > "$FERGAN_CARRY/tests.fgn.xz"
./fergan train --data synthetic:1400:5 --out "$FERGAN_CARRY/reference" --epochs 1 --width 4 --batch-size 16 --overwrite > /dev/null
bench/gpu/stage.sh && bench/gpu/classifiers.sh 60
ls "$OUT"
# The ablation call: a carried generator (here the tiny one call 1 trained), the grid at tiny size.
rm -rf "$OUT"; mkdir -p "$OUT" "$FERGAN_CARRY/gan"
cp "$FERGAN_STAGE"/gan/generator.json "$FERGAN_STAGE"/gan/generator.bin "$FERGAN_CARRY/gan/"
EPOCH_S=20 bench/gpu/stage.sh && EPOCH_S=5 bench/gpu/ablation.sh 200
ls "$OUT"
# The follow-up grid (named gan arms) in the same way, at fixed epochs.
rm -rf "$OUT" "$FERGAN_STAGE/ablation" "$FERGAN_STAGE/ablation-results"; mkdir -p "$OUT"
ABLATION_SPEC=experiments/gan-ablation-followup.json ABLATION_EPOCHS=1 ABLATION_FAST=1 bench/gpu/ablation.sh 200
grep -q '"precision": "bf16"' "$FERGAN_STAGE"/ablation/runs/gan-oversample-seed1/options.json && echo "follow-up grid ran with the fast step" || { echo "dry run FAILED: follow-up grid ran with the fast step" >&2; exit 1; }
ls "$OUT"; grep -q "gan-oversample" "$FERGAN_STAGE/ablation/summary.md" && echo "follow-up grid summarised" || { echo "dry run FAILED: follow-up grid summarised" >&2; exit 1; }
# The ensemble call: two more classifiers in the time given.
rm -rf "$OUT"; mkdir -p "$OUT"
ENSEMBLE_EPOCHS=2 STEP_FLAGS="--precision bf16 --channels-last" bench/gpu/ensemble.sh 150 1,2
grep -q '"precision": "bf16"' "$FERGAN_STAGE/vgg-seed1/options.json" && echo "ensemble runs trained with the fast step" || { echo "dry run FAILED: ensemble runs trained with the fast step" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT"
ENSEMBLE_EPOCHS=1 ENSEMBLE_ARCH=resnet bench/gpu/ensemble.sh 100 3
[ -f "$FERGAN_STAGE/ensemble-results/resnet-seed3/classifier.json" ] && echo "resnet member trained and exported" || { echo "dry run FAILED: resnet member trained and exported" >&2; exit 1; }
ls "$OUT"
# The distillation call: a student of two teachers (here the tiny reference and a tiny classifier carried as a teacher).
rm -rf "$OUT"; mkdir -p "$OUT" "$FERGAN_CARRY/teachers"
./fergan train --data synthetic:1400:5 --out "$FERGAN_CARRY/teachers/classifier" --epochs 1 --width 4 --batch-size 16 --seed 3 --overwrite > /dev/null
bench/gpu/stage.sh && DISTILL_EPOCHS=2 DISTILL_RUNS="0.5:2 none 1:1" bench/gpu/distill.sh 200
grep -q '"distill_weight": 1' "$FERGAN_STAGE"/vgg-distill-w1-t1-seed2013/options.json \
  && [ "$(python3 -c "import json; print(len(json.load(open('$FERGAN_STAGE/distill-results/vgg-distill-w0.5-t2-seed2013/classifier.json'))['teachers']))")" = 2 ] \
  && grep -q '"teachers": \[\]' "$FERGAN_STAGE/vgg-control-seed2013/options.json" \
  && echo "students distilled from two teachers, and a control without" || { echo "dry run FAILED: students distilled from two teachers, and a control without" >&2; exit 1; }
ls "$OUT"
# Members trained earlier in the same call as teachers ("GPU runs": new ensemble members, then a student of them).
rm -rf "$OUT"; mkdir -p "$OUT"
DISTILL_EPOCHS=1 DISTILL_SEED=7 DISTILL_RUNS="0.5:2" \
  DISTILL_TEACHERS="$FERGAN_STAGE/teachers/classifier $FERGAN_STAGE/vgg-seed1 $FERGAN_STAGE/vgg-seed2" bench/gpu/distill.sh 100
[ "$(python3 -c "import json; print(len(json.load(open('$FERGAN_STAGE/distill-results/vgg-distill-w0.5-t2-seed7/classifier.json'))['teachers']))")" = 3 ] \
  && echo "student of three teachers, two of them trained in the same call" || { echo "dry run FAILED: student of three teachers, two of them trained in the same call" >&2; exit 1; }
ls "$OUT"
# The same three as a saved ensemble with TTA (one evaluate on Training, then --teacher-probabilities).
rm -rf "$OUT"; mkdir -p "$OUT"
DISTILL_TEACHER_TTA=1 DISTILL_EPOCHS=1 DISTILL_SEED=9 DISTILL_RUNS="0.7:2" \
  DISTILL_TEACHERS="$FERGAN_STAGE/teachers/classifier $FERGAN_STAGE/vgg-seed1 $FERGAN_STAGE/vgg-seed2" bench/gpu/distill.sh 100
python3 -c "import json; c = json.load(open('$FERGAN_STAGE/distill-results/vgg-distill-w0.7-t2-seed9/classifier.json')); assert c['teacher_probabilities']['faces'] > 0 and not c.get('teachers')" \
  && echo "student of a saved TTA ensemble of three" || { echo "dry run FAILED: student of a saved TTA ensemble of three" >&2; exit 1; }
ls "$OUT"
# Weight averaging from a carried model (here the tiny teacher): two rates, two averaging epochs each.
rm -rf "$OUT"; mkdir -p "$OUT"
SWA_EPOCHS=2 SWA_RATES="0.01 0.02" bench/gpu/swa.sh 100
[ -f "$FERGAN_STAGE/swa-results/swa-lr0.02-e2/weight-average.json" ] && [ -f "$FERGAN_STAGE/swa-results/swa-lr0.02-e2/classifier.json" ] \
  && grep -q '"swa_epochs": 2' "$FERGAN_STAGE/swa-lr0.01-e2/options.json" && echo "weight averaging from the carried model" || { echo "dry run FAILED: weight averaging from the carried model" >&2; exit 1; }
ls "$OUT"
# The GAN session (docs/gpu.md): the GAN in the channels-last layout, then its measurements alone.
rm -rf "$OUT" "$FERGAN_STAGE/gan" "$FERGAN_STAGE/results"; mkdir -p "$OUT"
bench/gpu/gan.sh 0.1 --channels-last
grep -q '"channels_last": true' "$FERGAN_STAGE/gan/options.json" && echo "GAN trained channels-last" || { echo "dry run FAILED: GAN trained channels-last" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT"
GAN_ONLY=1 GAN_SAMPLES=30 bench/gpu/classifiers.sh 60
grep -q "GAN_ONLY: done" "$FERGAN_STAGE/results/plan.txt" && [ -s "$FERGAN_STAGE/results/gan-evaluate.json" ] && echo "GAN measured alone" || { echo "dry run FAILED: GAN measured alone" >&2; exit 1; }
ls "$OUT"
# The GAN without the guide and without the auxiliary head (their shares, measured one at a time).
rm -rf "$OUT" "$FERGAN_STAGE/gan"; mkdir -p "$OUT"
NO_GUIDE=1 bench/gpu/gan.sh 0.1 --classifier-weight 0
grep -q '"guide_folder": null' "$FERGAN_STAGE/gan/options.json" && [ -s "$OUT/gan-run.tar.gz" ] && echo "GAN trained without a guide" || { echo "dry run FAILED: GAN trained without a guide" >&2; exit 1; }
# Issue 6's timed grid: guide, GAN and the strategy grid with that GAN, on the fast step.
rm -rf "$OUT"; mkdir -p "$OUT"
ABLATION_EPOCHS=1 bench/gpu/grid.sh 6 200
grep -q "whole run" "$OUT/grid-time.txt" && grep -q '"steps": 6' "$FERGAN_STAGE/gan/options.json" && grep -q '"precision": "bf16"' "$FERGAN_STAGE"/ablation/runs/gan-seed1/options.json \
  && grep -q '"precision": "bf16"' "$FERGAN_STAGE/guide/options.json" && grep -q "| gan | 3 |" "$FERGAN_STAGE/ablation/summary.md" && echo "timed grid ran" || { echo "dry run FAILED: timed grid ran" >&2; exit 1; }
ls "$OUT"
