"""Reads `fergan evaluate --probabilities` files for the bench scripts that join evaluations (label-noise.py,
photo-path.py). Standard library only."""
import csv
import sys


def read_by_source_row(path):
    """Returns ({source_row: (true label, predicted label)}, emotion names in file order)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "source_row" not in rows[0]:
        sys.exit(f"{path}: not a `fergan evaluate --probabilities` file with a source_row column (Fergan after 2026-11-27)")
    columns = list(rows[0].keys())
    names = columns[columns.index("label") + 1:]
    faces = {}
    for r in rows:
        p = [float(r[n]) for n in names]
        faces[int(r["source_row"])] = (r["label"], names[p.index(max(p))])
    return faces, names
