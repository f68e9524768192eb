"""Shared pieces of the bench/run phases: timing, the query set, result files.

Every phase is a separate process (`python3 bench/harness/<system>_phase.py ARGS.json`) that reads
the workload description written by bench/run and writes one result file:

    {"system": "...", "metrics": {"q1_ms": 0.4, "q1_ms_p99": 0.9, ...},
     "details": {...}, "errors": {"<metric or phase>": "what went wrong"}}

A metric a system cannot express is simply absent. A search whose row count differs from the
count the workload guarantees is recorded under errors and left out of metrics, so a fast
wrong answer never counts as a result.
"""
import json
import math
import os
import signal
import subprocess
import statistics
import sys
import time

# The metric names of the issue, in table order. Latencies are medians; `<name>_p99` beside.
METRICS = ["ingest_spans_per_s", "visible_lag_ms", "q1_ms", "q2_big_ms", "q2_small_ms",
           "q3_zqx1_ms", "q3_zqx2_ms", "q3_zqx9_ms", "q3_refund_ms", "q4_ms", "q5_ms",
           "big_trace_ms", "phrase_ms", "cjk_ms", "chart_ms", "bytes_per_span", "peak_rss_mb"]

# Search terms of q3 (needles of the generator plus a common word), then the extras.
Q3_TERMS = ["zqx1", "zqx2", "zqx9", "refund"]
MODEL = "gpt-4o"
# Timed runs of one query stop early (after at least 3) once they have taken this long.
BUDGET_MS = 30000
LIMIT = 50


def log(system, msg):
    sys.stderr.write("[%s %s] %s\n" % (time.strftime("%H:%M:%S"), system, msg))
    sys.stderr.flush()


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(math.ceil(p / 100.0 * len(s))) - 1))
    return s[k]


class Timer:
    """Runs a query callable `runs` times after one warm-up and records median and p99 (ms);
    a query whose runs pass BUDGET_MS stops after 3 or more (the count goes to details.runs).

    The callable returns the rows it got; the row count of the last run is kept so that
    results can be checked against what the workload guarantees.
    """

    def __init__(self, system, result, runs):
        self.system, self.result, self.runs = system, result, runs

    def measure(self, metric, fn, expect_rows=None, runs=None):
        try:
            fn()  # warm-up, untimed
            times, rows = [], None
            for _ in range(runs or self.runs):
                a = time.perf_counter()
                rows = fn()
                times.append((time.perf_counter() - a) * 1000.0)
                if len(times) >= 3 and sum(times) > BUDGET_MS:
                    break  # a slow query: fewer runs (recorded), so the whole run stays bounded
        except Exception as e:  # one failing query must not end the phase
            self.result.error(metric, "%s: %s" % (type(e).__name__, str(e)[:400]))
            return
        n = len(rows) if rows is not None else None
        self.result.details.setdefault("rows", {})[metric] = n
        self.result.details.setdefault("runs", {})[metric] = len(times)
        if expect_rows is not None and n != expect_rows:
            self.result.error(metric, "wrong answer: %s rows, expected %d" % (n, expect_rows))
            return
        self.result.put(metric, statistics.median(times), percentile(times, 99))
        log(self.system, "%-14s median %9.2f ms  p99 %9.2f ms  rows %s"
            % (metric, statistics.median(times), percentile(times, 99), n))


class Result:
    def __init__(self, system):
        self.data = {"system": system, "metrics": {}, "details": {}, "errors": {}}
        self.details = self.data["details"]

    def put(self, metric, value, p99=None):
        self.data["metrics"][metric] = round(value, 3)
        if p99 is not None:
            self.data["metrics"][metric + "_p99"] = round(p99, 3)

    def error(self, where, msg):
        self.data["errors"][where] = msg
        log(self.data["system"], "ERROR %s: %s" % (where, msg))

    def write(self, path):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1)
        os.replace(tmp, path)


def load_args():
    """The phase's arguments: the JSON file bench/run wrote (see run's phase_args)."""
    with open(sys.argv[1]) as f:
        return json.load(f)


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.readlines()


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def peak_rss_mb(pid):
    """VmHWM (the peak resident set) of a live process, in MiB; None when unreadable."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def expected_rows(args, metric):
    """Rows a search must return (capped at LIMIT), from the workload's known counts."""
    n = args["expected"].get(metric)
    return None if n is None else min(n, LIMIT)


def run_phase(system, body):
    """Runs body(args, result) and always writes the result file, even after a crash."""
    args = load_args()
    result = Result(system)
    try:
        body(args, result)
    except Exception as e:
        import traceback
        traceback.print_exc()
        result.error("phase", "%s: %s" % (type(e).__name__, str(e)[:400]))
    result.write(args["out"])


def put_storage(args, result, total_bytes, main_bytes=None, spans=None):
    """Records on-disk bytes per span of the main file, the same way for every system.

    Every store holds the main file plus the extras (one 50 MB trace and a few hundred small
    spans), so its size is prorated by JSONL bytes: bytes_per_span = total_bytes *
    main_jsonl / (main_jsonl + extras_jsonl) / spans. ratio_to_jsonl is total / all input.
    """
    main = main_bytes if main_bytes is not None else os.path.getsize(args["spans_file"])
    spans = spans or args["spans"]
    extra = os.path.getsize(args["extras_file"])
    result.details.setdefault("storage", {}).update(
        {"total_bytes": total_bytes, "ratio_to_jsonl": round(total_bytes / (main + extra), 3)})
    result.put("bytes_per_span", total_bytes * main / (main + extra) / spans)


def free_port():
    """A TCP port free on loopback now (for a server the phase starts)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc, sig=signal.SIGTERM, timeout=30):
    """Stops a server the phase started: `sig`, then SIGKILL after `timeout` seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def fresh_dir(args, name):
    """WORKDIR/<name>, emptied: every phase starts on a fresh data directory."""
    import shutil
    path = os.path.join(args["workdir"], name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path
