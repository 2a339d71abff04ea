"""Paired differences between two strategies of an experiment grid, seed by seed (the same seed gives both runs the
same initial weights and face order, so the difference removes most of the seed's own effect), with the mean and a
95 % t-interval. Usage: python3 bench/paired-differences.py <runs folder> <baseline> <strategy> [<baseline's runs folder>]
With a fourth argument the baseline's runs come from another grid (the same arm and seeds trained another way, e.g.
the fast step against fp32), paired by seed as well."""
import json
import math
import statistics
import sys
from pathlib import Path

T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def scores(result, part):
    test = result[part]
    return {"accuracy": test["accuracy"], "macro-F1": test["macro_f1"], "disgust F1": test["per_class"]["disgust"]["f1"]}


runs, baseline, strategy = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
baseline_runs = Path(sys.argv[4]) if len(sys.argv) > 4 else runs


def load(folder):
    return {p.parent.name: json.loads(p.read_text()) for p in folder.glob("*/result.json")}


results, baselines = load(runs), load(baseline_runs)
seeds = sorted(r["seed"] for r in baselines.values() if (r.get("arm") or r["balance"]) == baseline
               and f"{strategy}-seed{r['seed']}" in results)
title = f"{strategy} - {baseline}" if baseline_runs == runs else f"{strategy} ({runs}) - {baseline} ({baseline_runs})"
print(f"| {title}, PrivateTest | " + " | ".join(f"seed {s}" for s in seeds) + " | mean [95 % CI] |")
print("|---|" + "---|" * (len(seeds) + 1))
parts = [("test", ""), ("test_without_duplicates", " w/o Training duplicates")]
if all(r.get("test_without_near_duplicates") for r in list(results.values()) + list(baselines.values())):
    parts.append(("test_without_near_duplicates", " w/o exact or near Training duplicates"))
for part, label in parts:
    for metric in ("accuracy", "macro-F1", "disgust F1"):
        d = [scores(results[f"{strategy}-seed{s}"], part)[metric] - scores(baselines[f"{baseline}-seed{s}"], part)[metric] for s in seeds]
        mean = statistics.fmean(d)
        ci = f" [{mean - T95[len(d) - 1] * statistics.stdev(d) / math.sqrt(len(d)):+.3f}, {mean + T95[len(d) - 1] * statistics.stdev(d) / math.sqrt(len(d)):+.3f}]" if len(d) > 1 else ""
        print(f"| {metric}{label} | " + " | ".join(f"{x:+.3f}" for x in d) + f" | {mean:+.3f}{ci} |")
