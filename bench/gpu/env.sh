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
export LD_LIBRARY_PATH="$TORCH_LIB:$STAGE/app${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export FERGAN_LIBTORCH="$TORCH_LIB" FERGAN_CACHE="$STAGE/cache"
if [ -d "$STAGE/app/fonts" ]; then
  # Also read the machine's own configuration where there is one; send the generic families to DejaVu Sans.
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
  export FONTCONFIG_FILE="$STAGE/app/fonts/fonts.conf"
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
