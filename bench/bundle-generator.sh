#!/usr/bin/env bash
# Bundles a generator trained elsewhere (a GPU session's run folder) as models/gan: float16 weights, the card's metrics
# taken from that run's `gan evaluate --json` report (the last checkpoint's, as measured on the device), and the ONNX
# export the web app samples from, checked against TorchSharp before it is written. models/gan/README.md is kept.
# Usage: bench/bundle-generator.sh <run folder (generator.json + generator.bin)> <gan-evaluate.json> [out, default models/gan]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:?run folder}
REPORT=${2:?gan evaluate report}
DEST=${3:-models/gan}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
./fergan export half --model "$RUN" --out "$WORK/half"
python3 - "$WORK/half/generator.json" "$REPORT" <<'PY'
import json, sys
card_path, report_path = sys.argv[1], sys.argv[2]
card = json.load(open(card_path))
report = json.load(open(report_path))["report"]
if report.get("step") != card["step"]:
    sys.exit(f"{report_path} measured step {report.get('step')}, the generator is step {card['step']}")
cas = report.get("classification_accuracy_score") or {}
metrics = {
    "fid": report["fid"],
    "kid": report["kid"]["mean"],
    "inception_score": report["inception_score"]["mean"],
    "label_fidelity": report["label_fidelity"],
    "precision": report["precision"],
    "recall": report["recall"],
    "samples_per_class": report["samples_per_class"],
}
if cas:
    metrics.update(classification_accuracy_score=cas["accuracy"], cas_macro_f1=cas["macro_f1"],
                   cas_real_data_accuracy=cas["real_data_accuracy"], cas_synthetic_faces=cas["synthetic_faces"])
if "copies" in report:
    metrics.update(near_copies=report["copies"]["near_copies"], near_copy_faces=report["copies"]["faces"])
for name, scores in report["per_class"].items():
    metrics[f"label_fidelity_{name}"] = scores["label_fidelity"]
    metrics[f"fid_{name}"] = scores["fid"]
card["metrics"] = metrics
# The card names the data file, not where it lay on the machine that exported it ("../shared/data/...").
data = card.get("data") or ""
if data.startswith(("/", "../", "./")):
    path, _, rest = data.partition(" ")
    card["data"] = (path.rstrip("/").split("/")[-1] + (" " + rest if rest else "")).strip()
json.dump(card, open(card_path, "w"), indent=2)
PY
./fergan export gan-onnx --model "$WORK/half" --half --out "$WORK/half/generator.onnx"
mkdir -p "$DEST"
cp "$WORK/half/generator.json" "$WORK/half/generator.bin" "$WORK/half/generator.onnx" "$DEST/"
ls -la "$DEST"
