# Sourced by the device scripts: where the staged app and data live (kept while the machine stays warm), and the
# machine's own CUDA libtorch (from its PyTorch install) for fergan's --libtorch.
STAGE=${FERGAN_STAGE:-/root/fergan-stage}
TORCH_LIB=${TORCH_LIB:-$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')/lib}
DEVICE=${FERGAN_DEVICE:-cuda}
CARRY=${FERGAN_CARRY:-.gpu/carry}
# Dry runs on a CPU shrink every model with these (see bench/gpu/dry-run.sh); empty on the GPU.
TINY=${FERGAN_TINY:-}
export LD_LIBRARY_PATH="$TORCH_LIB:$STAGE/app${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export FERGAN_LIBTORCH="$TORCH_LIB" FERGAN_CACHE="$STAGE/cache"
F="$STAGE/app/fergan"
OUT=${OUT:-$STAGE/out}
mkdir -p "$STAGE" "$OUT"
