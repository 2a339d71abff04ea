#!/usr/bin/env bash
# A device call sends the whole checkout with it (limit 64 MiB with what it carries). The bundled models, the pictures
# and the committed results (about 48 MB) are not needed on the GPU machine, so for the session the checkout switches
# to a local branch `gpu-lean` that drops them (about 1.4 MB left: call 1's 61.7 MB of app and Training fits), and
# back afterwards.
# Usage: bench/gpu/lean-checkout.sh on|off
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${1:-}" in
  on)
    [ -z "$(git status --porcelain --untracked-files=no)" ] || { echo "commit or stash your changes first"; exit 1; }
    base=$(git rev-parse --abbrev-ref HEAD)
    echo "$base" > .gpu/lean-base
    git checkout -q -B gpu-lean
    git rm -rq models samples/photos docs/images results
    git commit -qm "gpu-lean: the checkout without models and pictures, for device calls only (never merged)"
    git ls-files -z | xargs -0 du -cb | tail -1 | awk '{printf "lean checkout: %.1f MB tracked\n", $1 / 1e6}'
    ;;
  off)
    base=$(cat .gpu/lean-base 2>/dev/null || echo main)
    git checkout -q "$base"
    git branch -D -q gpu-lean
    echo "back on $base"
    ;;
  *) echo "usage: $0 on|off"; exit 2 ;;
esac
