"""Per-checkpoint FID tables, rises marked (↑), from perclass.cs's JSON lines (one table per run) or from a
`fergan gan evaluate --checkpoints --json` report. Usage: python3 table.py <file>"""
import json, sys
from collections import defaultdict

EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]

text = open(sys.argv[1]).read()
try:
    runs = {sys.argv[1]: json.loads(text)["checkpoints"]}
except json.JSONDecodeError:
    runs = defaultdict(list)
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            runs[row["run"]].append(row)

for run, rows in runs.items():
    rows = sorted(rows, key=lambda r: r["step"])
    print(f"\n{run}\n")
    print("| step | label fidelity | " + " | ".join(f"FID {e}" for e in EMOTIONS) + " | rises |")
    print("|---" * (3 + len(EMOTIONS)) + "|")
    previous, rises, intervals = None, {e: 0 for e in EMOTIONS}, 0
    for row in rows:
        fid = row["per_class_fid"]
        # Only consecutive checkpoints form an interval (a partial run may miss some).
        consecutive = previous is not None and row["step"] - previous["step"] == rows[1]["step"] - rows[0]["step"]
        up = {e: consecutive and fid[e] > previous["per_class_fid"][e] for e in EMOTIONS}
        intervals += consecutive
        for e in EMOTIONS:
            rises[e] += up[e]
        cells = [f"{fid[e]:.2f}{' ↑' if up[e] else ''}" for e in EMOTIONS]
        print(f"| {row['step']:,} | {row['label_fidelity']:.3f} | " + " | ".join(cells) + f" | {sum(up.values()) if consecutive else ''} |")
        previous = row
    print(f"\nrises: {sum(rises.values())} of {7 * intervals} emotion-intervals; per emotion {rises}")
