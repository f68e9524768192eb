#!/usr/bin/env python3
"""Draws bench/run's JSON as one PNG: median latency per query (log scale), a bar per system.

usage: plot.py RESULT.json OUT.png   (run with the venv's python, which has matplotlib)
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ORDER = ["spanlake", "postgres", "sqlite", "clickhouse", "phoenix", "tantivy"]


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    metrics = [m for m in doc["metrics"] if m.endswith("_ms") and m != "visible_lag_ms"]
    systems = [s for s in ORDER if any(s in doc["metrics"][m] for m in metrics)]
    fig, ax = plt.subplots(figsize=(12, 0.5 * len(metrics) * max(1, len(systems)) / 2 + 2))
    height = 0.8 / max(1, len(systems))
    for k, system in enumerate(systems):
        ys = [i + k * height for i in range(len(metrics))]
        xs = [doc["metrics"][m].get(system, 0) for m in metrics]
        ax.barh(ys, xs, height=height, label=system)
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(metrics))])
    ax.set_yticklabels([m[:-3] for m in metrics])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("median latency, ms (log scale; no bar: the system cannot express it)")
    ax.set_title("bench/run, %d spans — %s" % (doc["spans"], doc["machine"]), fontsize=9)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
