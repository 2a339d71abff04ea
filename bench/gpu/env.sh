# Sourced by the device scripts: where the staged app and data live (kept while the machine stays warm), and the
# machine's own CUDA libtorch (from its PyTorch install) for fergan's --libtorch.
STAGE=${FERGAN_STAGE:-/root/fergan-stage}
TORCH_LIB=${TORCH_LIB:-$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')/lib}
DEVICE=${FERGAN_DEVICE:-cuda}
CARRY=${FERGAN_CARRY:-.gpu/carry}
# Dry runs on a CPU shrink every model with these (see bench/gpu/dry-run.sh); empty on the GPU.
TINY=${FERGAN_TINY:-}
# How the classifier calls (classifiers.sh, ensemble.sh) run a training step: empty for fp32, as every bundled model
# was trained; "--precision bf16 --channels-last" for the fast step that speed.sh measures.
STEP_FLAGS=${STEP_FLAGS:-}
# Rarer garbage collections, as .ci/run and the 2026-11-26 device calls had them: TorchSharp's optimisers create
# implicit Scalars that a collection during a native call can free under libtorch (README Limits, the rare
# "Scalar::toLong" crash); the 2026-11-27 grid ran without it (no crash, one grid).
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x4000000}
export LD_LIBRARY_PATH="$TORCH_LIB:$STAGE/app${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export FERGAN_LIBTORCH="$TORCH_LIB" FERGAN_CACHE="$STAGE/cache"
if [ -d "$STAGE/app/fonts" ]; then
  # Also read the machine's own configuration where there is one; send the generic families to DejaVu Sans. Through
  # this configuration alone, fc-match finds the font, but the grids of the 2026-11-27 sessions came back without
  # labels and ScottPlot's plots without any text; fergan now takes a fontconfig face only if it has glyphs, else loads
  # FERGAN_FONT (or fonts/ beside the program) itself, and gives ScottPlot the face it resolved (checked on an H100).
  cat > "$STAGE/app/fonts/fonts.conf" <<XML
<?xml version="1.0"?>
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>$STAGE/app/fonts</dir>
  <cachedir>$STAGE/fontconfig-cache</cachedir>
  <alias><family>sans-serif</family><prefer><family>DejaVu Sans</family></prefer></alias>
  <alias><family>serif</family><prefer><family>DejaVu Sans</family></prefer></alias>
  <alias><family>monospace</family><prefer><family>DejaVu Sans</family></prefer></alias>
</fontconfig>
XML
  export FONTCONFIG_FILE="$STAGE/app/fonts/fonts.conf" FERGAN_FONT="$STAGE/app/fonts/DejaVuSans.ttf"
fi
F="$STAGE/app/fergan"
OUT=${OUT:-$STAGE/out}
mkdir -p "$STAGE" "$OUT"
# FER2013 as one CSV with the official split (Training + both test splits), joined once per machine from the staged
# .fgn files; prints its path. Used by the classifier, ablation and ensemble calls.
staged_fer2013_csv() {
  if [ ! -f "$STAGE/fer2013.csv" ]; then
    "$F" data export "$STAGE/train.fgn" --out "$STAGE/train.csv" --overwrite > /dev/null
    "$F" data export "$STAGE/tests.fgn" --out "$STAGE/tests.csv" --overwrite > /dev/null
    { cat "$STAGE/train.csv"; tail -n +2 "$STAGE/tests.csv"; } > "$STAGE/fer2013.csv.tmp" && mv "$STAGE/fer2013.csv.tmp" "$STAGE/fer2013.csv"
  fi
  echo "$STAGE/fer2013.csv"
}
# The epochs of a grid: those of the spec already in the stage when a grid was begun there (a second call on the
# warm machine resumes it, and `fergan experiment` refuses runs made with other settings than the spec asks for),
# else the ones given. Usage: grid_epochs <spec in the stage> <epochs>
grid_epochs() {
  if [ -f "$1" ]; then python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["epochs"])' "$1"; else echo "$2"; fi
}
# Seconds left of a device script's budget (the script sets BUDGET and START).
left() { echo $(( BUDGET - ($(date +%s) - START) )); }
# Packs $STAGE/<folder> into $OUT as 15 MB parts, <prefix>.tar.part-*, for the call to bring back. Scripts run it
# from their EXIT trap, so a call that fails or runs out of time still returns what it made.
# Usage: pack_results <folder under $STAGE> <prefix>
pack_results() {
  tar -C "$STAGE" -cf - "$1" | split -b 15M - "$OUT/$2.tar.part-"
  ls -la "$OUT"
}
# Trains one classifier with the bundled model's recipe (full profile, no early stopping) in at most the time left,
# resuming a run cut earlier, and puts its float16 copy, log and curves under <results>/<name>, marked INCOMPLETE when
# the time ran out first (ensemble.sh, distill.sh). Fails, training nothing, when less than a minute is left after
# the 25 s kept for the export and the packing.
# Usage: timed_full_run <name> <seed> <epochs> <results folder> <seconds left> [more train options...]
timed_full_run() {
  local name=$1 seed=$2 epochs=$3 results=$4 seconds=$5; shift 5
  local run="$STAGE/$name" minutes done_epochs total
  minutes=$(python3 -c "print(max(0, $seconds - 25) / 60)")
  python3 -c "import sys; sys.exit(0 if $minutes >= 1 else 1)" || { echo "no time left for $name"; return 1; }
  "$F" train --data "$(staged_fer2013_csv)" --out "$run" --profile full --epochs "$epochs" $TINY $STEP_FLAGS --patience 0 --seed "$seed" "$@" \
    --resume --time-limit "$minutes" --device "$DEVICE" > "$results/$name-train.txt" 2>&1 || tail -n 20 "$results/$name-train.txt"
  tail -n 3 "$results/$name-train.txt"
  if [ -f "$run/classifier.json" ]; then
    "$F" export half --model "$run" --out "$results/$name" --overwrite > /dev/null
    cp "$run/log.jsonl" "$run/curves.png" "$results/$name/" 2>/dev/null || true
    done_epochs=$(wc -l < "$run/log.jsonl")
    # The run's own total: its epochs plus any weight-averaging epochs (--swa-epochs in STEP_FLAGS or the options).
    total=$(python3 -c "import json; o = json.load(open('$run/options.json')); print(o['epochs'] + o.get('swa_epochs', 0))")
    if [ "$done_epochs" -lt "$total" ]; then
      echo "cut by the time limit after $done_epochs of $total epochs" > "$results/$name/INCOMPLETE"
    fi
  fi
}
