#!/usr/bin/env bash
# Device call for issue 6's single-model goal (>= 73.5 % PrivateTest without TTA) by stochastic weight averaging,
# after stage.sh has staged the app, Training, the test splits and the model to start from: that model (default the
# bundled classifier, carried as .gpu/carry/teachers/classifier) fine-tuned by `fergan train --init <model> --epochs 0
# --swa-epochs N --swa-lr R`, once per rate, each run selected on PublicTest (the weight average against the starting
# weights and every epoch). Float16 weights, logs and weight-average.json come back; nothing is scored on PrivateTest
# here (back on the CPU: PublicTest chooses the rate, then PrivateTest once for it).
# SWA_RATES: the constant rates (default "0.0005 0.001 0.002"; on 2 CPU cores 0.004, a fifth of the recipe's peak, left the
# minimum and 0.001 for 4 epochs stayed level: results/swa-cpu-2026-11-27);
# SWA_EPOCHS: averaging epochs per run (default 20); SWA_FROM: the staged model to start from; STEP_FLAGS as in env.sh.
# A run cut by the time limit comes back marked INCOMPLETE (no average scored); the same call again resumes it.
# Usage: bench/gpu/swa.sh [seconds available]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/gpu/env.sh
BUDGET=${1:-300}
EPOCHS=${SWA_EPOCHS:-20}
FROM=${SWA_FROM:-$STAGE/teachers/classifier}
START=$(date +%s)
R="$STAGE/swa-results"; mkdir -p "$R"
trap 'pack_results swa-results swa' EXIT   # float16 weights: 19 MB a vgg-64
[ -f "$STAGE/tests.fgn" ] && [ -f "$STAGE/train.fgn" ] || { echo "stage Training and tests first"; exit 1; }
[ -f "$FROM/classifier.json" ] || { echo "$FROM is not staged (carry .gpu/carry/teachers/classifier)"; exit 1; }
staged_fer2013_csv > /dev/null   # the joined CSV, once, before the runs' time is counted
for rate in ${SWA_RATES:-0.0005 0.001 0.002}; do
  name="swa-lr$rate-e$EPOCHS"
  # Main-schedule epochs 0: every epoch of the run is an averaging one, from the carried weights.
  timed_full_run "$name" 2013 0 "$R" "$(left)" --init "$FROM" --swa-epochs "$EPOCHS" --swa-lr "$rate" || break
  if [ -f "$STAGE/$name/weight-average.json" ]; then
    cp "$STAGE/$name/weight-average.json" "$R/$name/"
  elif [ -d "$R/$name" ]; then
    echo "cut by the time limit before its average was scored" > "$R/$name/INCOMPLETE"
  fi
  echo "rate $rate done ($(left)s left)" | tee -a "$R/plan.txt"
done
