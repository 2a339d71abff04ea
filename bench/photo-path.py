#!/usr/bin/env python3
"""Compares per-face probability files (`fergan evaluate --probabilities`) with a baseline on the same faces.

Usage: photo-path.py <folder> <baseline name> <name> [<name> ...]  (files <folder>/<name>.csv)
Faces are joined on source_row; a file may hold fewer faces than the baseline (faces not found are left out).
For each file: faces found, its accuracy and the baseline's on those faces, the paired difference with a 95 %
bootstrap interval (2,000 resamples of the faces, seed 2013) and how often the two predict the same emotion.
Prints a Markdown table. Standard library only.
"""
import random
import sys

from probabilities import read_by_source_row


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    folder, base_name, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    base, _ = read_by_source_row(f"{folder}/{base_name}.csv")
    print(f"| read as | faces found (of {len(base):,}) | accuracy | {base_name}, same faces | difference [95 % CI] | same emotion |")
    print("|---|---|---|---|---|---|")
    for name in names:
        other, _ = read_by_source_row(f"{folder}/{name}.csv")
        missing = [k for k in other if k not in base]
        if missing:
            sys.exit(f"{name}: source row {missing[0]} is not in {base_name}")
        keys = sorted(other)
        hits = [(other[k][1] == other[k][0], base[k][1] == base[k][0]) for k in keys]
        n = len(hits)
        diff = sum(a - b for a, b in hits) / n
        rng = random.Random(2013)
        boots = sorted(sum(a - b for a, b in (hits[rng.randrange(n)] for _ in range(n))) / n for _ in range(2000))
        same = sum(other[k][1] == base[k][1] for k in keys) / n
        print(f"| {name} | {n:,} ({n / len(base):.1%}) | {sum(a for a, _ in hits) / n:.3f} | {sum(b for _, b in hits) / n:.3f} "
              f"| {diff:+.3f} [{boots[49]:+.3f}, {boots[1949]:+.3f}] | {same:.1%} |")


if __name__ == "__main__":
    main()
