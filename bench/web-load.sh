#!/usr/bin/env bash
# Load test of `fergan serve`: CONCURRENCY uploaders post a 640x480 JPEG to /api/predict for SECONDS seconds
# (hey, from Debian: apt-get install hey), while the server's resident memory is sampled every second.
# Usage: bench/web-load.sh [seconds=60] [concurrency=50] [photo=a 640x480 crop of samples/photos/sample5.jpg]
# Prints hey's summary (latency percentiles, status codes) and the server's peak and final RSS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
concurrency="${2:-50}"
port=5099
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
command -v hey >/dev/null || { echo "hey is needed: apt-get install hey" >&2; exit 2; }

"$root/fergan" --version >/dev/null   # build first
photo="${3:-}"
if [[ -z "$photo" ]]; then
  photo="$work/photo.jpg"
  dotnet run -c Release --project "$root/bench/Fergan.PhotoBench" -- frame --photo "$root/samples/photos/sample5.jpg" --out "$photo" >/dev/null
fi

dotnet "$root/.build/cli/fergan.dll" serve --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 1; done
curl -sf -H 'Content-Type: image/jpeg' --data-binary @"$photo" "http://127.0.0.1:$port/api/predict" >/dev/null  # warm-up

peak=0
( while kill -0 "$server" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || echo 0)
    echo "$rss"; sleep 1
  done ) >"$work/rss.log" &
sampler=$!

echo "machine: $(nproc) cores; $concurrency concurrent uploaders for ${seconds}s; photo $(stat -c %s "$photo") bytes"
hey -z "${seconds}s" -c "$concurrency" -m POST -T image/jpeg -D "$photo" "http://127.0.0.1:$port/api/predict" | tee "$work/hey.txt"
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss.log" | tail -1)
final=$(tail -1 "$work/rss.log")
echo "server RSS: peak $((peak / 1024)) MB, at the end $((final / 1024)) MB"
