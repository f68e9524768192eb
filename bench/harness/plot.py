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
    fig, ax = plt.subplots(figsize=(13, 5.5))
    width = 0.8 / max(1, len(systems))
    for k, system in enumerate(systems):
        xs = [i + k * width for i in range(len(metrics))]
        ys = [doc["metrics"][m].get(system, 0) for m in metrics]
        ax.bar(xs, ys, width=width, label=system)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(metrics))])
    ax.set_xticklabels([m[:-3] for m in metrics], rotation=30, ha="right")
    ax.set_yscale("log")
    ax.set_ylabel("median latency, ms (log)")
    ax.set_title("bench/run, %d spans; no bar: not expressible or a wrong answer\n%s"
                 % (doc["spans"], doc["machine"]), fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
