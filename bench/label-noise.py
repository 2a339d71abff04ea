#!/usr/bin/env python3
"""Splits a classifier's accuracy by whether FER2013's label and the FER+ majority agree.

Usage: label-noise.py <fer2013 probabilities.csv> <ferplus probabilities.csv> [--markdown]
Both files come from `fergan evaluate --probabilities` on the same split, one with FER2013's labels and one with
`--ferplus` (majority); they are joined on `source_row` (the FER+ file leaves faces out, so `index` differs). Prints
JSON, or with --markdown the tables docs/classifiers.md uses. Intervals are Wilson 95 % intervals of a proportion.
"""
import collections
import json
import math
import sys

from probabilities import read_by_source_row


def wilson(right, n, z=1.959964):
    if n == 0:
        return None
    p = right / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)]


def share(right, n):
    return {"faces": n, "right": right, "accuracy": round(right / n, 4) if n else None, "interval": wilson(right, n)}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    fer, names = read_by_source_row(args[0])
    plus, plus_names = read_by_source_row(args[1])
    if names != plus_names:
        sys.exit("the two files name other emotions")
    missing = [r for r in plus if r not in fer]
    if missing:
        sys.exit(f"{len(missing)} FER+ faces are not in the FER2013 file (first source row {missing[0]}): not the same split?")
    joined = sorted(plus)
    agree = [r for r in joined if fer[r][0] == plus[r][0]]
    disagree = [r for r in joined if fer[r][0] != plus[r][0]]
    pred = {r: fer[r][1] for r in fer}

    def right(rows, label_of):
        return sum(pred[r] == label_of(r) for r in rows)

    pairs = collections.Counter((fer[r][0], plus[r][0]) for r in disagree)
    result = {
        "fer2013_faces": len(fer),
        "ferplus_faces": len(plus),
        "accuracy_fer2013_labels": share(right(fer, lambda r: fer[r][0]), len(fer)),
        "accuracy_ferplus_labels": share(right(joined, lambda r: plus[r][0]), len(joined)),
        "labels_agree": share(right(agree, lambda r: fer[r][0]), len(agree)),
        "labels_disagree": {
            "faces": len(disagree),
            "fer2013_label": share(right(disagree, lambda r: fer[r][0]), len(disagree)),
            "ferplus_label": share(right(disagree, lambda r: plus[r][0]), len(disagree)),
            "neither": share(sum(pred[r] not in (fer[r][0], plus[r][0]) for r in disagree), len(disagree)),
        },
        "not_in_ferplus": share(right([r for r in fer if r not in plus], lambda r: fer[r][0]), len(fer) - len(plus)),
        "agree_per_emotion": {
            n: share(right([r for r in agree if fer[r][0] == n], lambda r: n), sum(fer[r][0] == n for r in agree))
            for n in names
        },
        "top_disagreements": [
            {"fer2013": a, "ferplus": b, "faces": c,
             "predicted_fer2013": sum(pred[r] == a for r in disagree if (fer[r][0], plus[r][0]) == (a, b)),
             "predicted_ferplus": sum(pred[r] == b for r in disagree if (fer[r][0], plus[r][0]) == (a, b))}
            for (a, b), c in pairs.most_common(8)
        ],
    }
    if "--markdown" not in sys.argv:
        print(json.dumps(result, indent=2))
        return

    def cell(s):
        return f"{s['accuracy']:.3f} [{s['interval'][0]:.3f}, {s['interval'][1]:.3f}]"

    d = result["labels_disagree"]
    print("| PrivateTest faces | faces | accuracy against FER2013's label | against the FER+ majority |")
    print("|---|---|---|---|")
    print(f"| all (FER2013 labels) | {len(fer):,} | {cell(result['accuracy_fer2013_labels'])} | |")
    print(f"| with a FER+ majority | {len(joined):,} | | {cell(result['accuracy_ferplus_labels'])} |")
    print(f"| the two labels agree | {len(agree):,} | {cell(result['labels_agree'])} | (the same) |")
    print(f"| the two labels differ | {len(disagree):,} | {cell(d['fer2013_label'])} | {cell(d['ferplus_label'])} |")
    print(f"| no FER+ majority | {len(fer) - len(plus):,} | {cell(result['not_in_ferplus'])} | |")
    print()
    print("| FER2013 says | FER+ majority says | faces | the model says FER2013's | FER+'s |")
    print("|---|---|---|---|---|")
    for t in result["top_disagreements"]:
        print(f"| {t['fer2013']} | {t['ferplus']} | {t['faces']} | {t['predicted_fer2013']} | {t['predicted_ferplus']} |")
    print()
    print("| where the labels agree | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    per = result["agree_per_emotion"]
    print("| faces | " + " | ".join(str(per[n]["faces"]) for n in names) + " |")
    print("| accuracy | " + " | ".join(f"{per[n]['accuracy']:.3f}" for n in names) + " |")


if __name__ == "__main__":
    main()
