#!/usr/bin/env python3
"""Chooses an ensemble on PublicTest from per-model probability files (`fergan evaluate --probabilities`).

Every non-empty subset of the models is scored by averaging its members' probabilities per face (what
`fergan evaluate --model A --model B` does), once without and once with ten-crop TTA, when files for both exist:
`<prefix><name>.csv` and `<prefix><name>-tta.csv`. The best PublicTest accuracy wins; ties go to fewer members, then
to no TTA, then to the order the names were given in. Prints the winner's member names on the first line and "tta"
or "plain" on the second; the ranking goes to stderr. Standard library only (the machines here have no numpy).

Usage: bench/ensemble-select.py <path prefix of the CSVs, e.g. results/x/public-> <name> [<name> ...]
"""
import csv
import itertools
import pathlib
import sys


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    if header[0] != "index" or "label" not in header:
        sys.exit(f"{path}: not a `fergan evaluate --probabilities` file (header {header[:3]})")
    # Files before 2026-11-27 have no source_row column; the emotions follow the label either way.
    first = header.index("label") + 1
    names = header[first:]
    return {int(r[0]): (r[first - 1], [float(v) for v in r[first:]]) for r in body}, names


def accuracy(tables, names):
    faces = tables[0].keys()
    right = 0
    for index in faces:
        label = tables[0][index][0]
        total = [sum(t[index][1][c] for t in tables) for c in range(len(names))]
        right += names[total.index(max(total))] == label
    return right / len(faces)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    prefix, models = sys.argv[1], sys.argv[2:]
    candidates = []
    for mode, suffix in (("plain", ""), ("tta", "-tta")):
        files = {m: pathlib.Path(f"{prefix}{m}{suffix}.csv") for m in models}
        if not all(f.exists() for f in files.values()):
            continue
        loaded = {m: read(f) for m, f in files.items()}
        names = next(iter(loaded.values()))[1]
        faces = set(next(iter(loaded.values()))[0])
        for m, (table, n) in loaded.items():
            if n != names or set(table) != faces:
                sys.exit(f"{files[m]}: other faces or emotions than {next(iter(files.values()))}")
        for size in range(1, len(models) + 1):
            for subset in itertools.combinations(models, size):
                score = accuracy([loaded[m][0] for m in subset], names)
                candidates.append((score, size, mode, subset))
    if not candidates:
        sys.exit(f"no complete set of probability files {prefix}<name>[-tta].csv for {models}")
    # Best accuracy; then fewer members; then plain before TTA; then the given order (combinations keep it).
    order = {m: i for i, m in enumerate(models)}
    candidates.sort(key=lambda c: (-c[0], c[1], c[2] != "plain", [order[m] for m in c[3]]))
    for score, size, mode, subset in candidates[:12]:
        print(f"PublicTest {score:.4f}  {mode:5}  {' + '.join(subset)}", file=sys.stderr)
    print(f"({len(candidates)} ensembles scored)", file=sys.stderr)
    best = candidates[0]
    print(" ".join(best[3]))
    print(best[2])


if __name__ == "__main__":
    main()
