#!/usr/bin/env python3
"""bench/run phase: Spanlake. Starts a real `spanlake serve` on a fresh data directory, ingests
the workload over HTTP logs3 (SDK batch shape, several clients, WAL fsync on: every answer is
durable), measures ack-to-visible lag, runs the query set through POST /btql, and measures
storage and the server's peak RSS.

Queries a baseline answers over its one table are fanned out here over the projects (one
/btql request per project, concurrently, merged by the client), because a Spanlake query reads
one container; the time is the client's, end to end, fan-out included.

usage: spanlake_phase.py ARGS.json   (written by bench/run)
"""
import concurrent.futures
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import logs3_ingest  # noqa: E402  (bench/logs3_ingest.py)
from harness import common  # noqa: E402

SYSTEM = "spanlake"
KEY = "sk-bench-" + "0" * 32


class Client:
    """Keep-alive HTTP client, one connection per thread."""

    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def request(self, method, path, body=None):
        """One request; a 503 (ingest ahead of sealing) is retried after its Retry-After."""
        for _ in range(600):
            data, resp = self.request_once(method, path, body)
            if resp.status != 503:
                break
            time.sleep(float(resp.getheader("Retry-After", "1")))
        if resp.status != 200:
            raise RuntimeError("%s %s -> %d: %s" % (method, path, resp.status, data[:300]))
        return data, resp

    def request_once(self, method, path, body):
        headers = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}
        for attempt in (0, 1):  # a kept-alive connection the server closed: reconnect once
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                    timeout=300)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        return data, resp

    def btql(self, query, explain=False, all_pages=False):
        """The rows of a BTQL query (every page with all_pages), or its plan with explain."""
        rows, cursor = [], None
        while True:
            body = {"query": query}
            if cursor:
                body["cursor"] = cursor
            if explain:
                body["explain"] = True
            data, _ = self.request("POST", "/btql", json.dumps(body, ensure_ascii=False).encode())
            out = json.loads(data)
            if explain:
                return out
            rows.extend(out["data"])
            cursor = out.get("cursor")
            if not all_pages or not cursor or not out["data"]:
                return rows


def start_server(args, datadir, log):
    if os.path.exists(datadir):
        shutil.rmtree(datadir)
    os.makedirs(datadir)
    env = dict(os.environ, SPANLAKE_ADMIN_KEY=KEY)
    # Replaced segments are deleted as soon as no read holds them (no other node reads this
    # store), so the storage measured is the data, not compaction's transient garbage.
    proc = subprocess.Popen([args["binary"], "serve", "--listen", "127.0.0.1:%d" % args["port"],
                             "--data-dir", datadir, "--delete-grace-seconds", "0"],
                            env=env, stdout=log, stderr=log)
    client = Client(args["port"])
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("spanlake serve exited with %s (see %s)" % (proc.returncode, log.name))
        try:
            client.request("GET", "/version")
            return proc, client
        except (OSError, http.client.HTTPException, RuntimeError):
            time.sleep(0.1)
    raise RuntimeError("spanlake serve did not answer within 30 s")


def measure_lag(client, project, samples):
    """Writes one row, then asks /btql for it at once until it is there; ms from ack to seen."""
    lags = []
    for _ in range(samples):
        rid = str(uuid.uuid4())
        row = {"id": rid, "span_id": rid, "root_span_id": rid, "span_parents": [],
               "project_id": project, "log_id": "g", "input": "lag probe", "output": "ok"}
        client.request("POST", "/logs3", json.dumps({"rows": [row], "api_version": 2}).encode())
        acked = time.perf_counter()
        q = "select: id | from: project_logs('%s') | filter: id = '%s'" % (project, rid)
        for _ in range(10000):
            if client.btql(q):
                break
        else:
            raise RuntimeError("row %s not visible after 10,000 queries" % rid)
        lags.append((time.perf_counter() - acked) * 1000.0)
    return lags


def fanout(client, pool, projects, tail, limit=None):
    """One /btql per project, concurrently; rows merged newest first (top `limit`)."""
    queries = ["select: * | from: project_logs('%s') | %s" % (p, tail) for p in projects]
    rows = []
    for part in pool.map(client.btql, queries):
        rows.extend(part)
    if limit is not None:
        rows.sort(key=lambda r: r.get("created", ""), reverse=True)
        rows = rows[:limit]
    return rows


def q5_merge(parts):
    """Merges per-project group rows of q5 (count, latency sum/count, tokens) per model."""
    acc = {}
    for part in parts:
        for r in part:
            a = acc.setdefault(r.get("model"), [0, 0.0, 0, 0])
            a[0] += r.get("spans") or 0
            a[1] += (r.get("avg_latency_s") or 0.0) * (r.get("n_latency") or 0)
            a[2] += r.get("n_latency") or 0
            a[3] += r.get("tokens") or 0
    return [{"model": m, "spans": a[0], "avg_latency_s": a[1] / a[2] if a[2] else None,
             "tokens": a[3]} for m, a in sorted(acc.items(), key=lambda kv: -kv[1][0])]


def queries(args, client, pmap, extras_id):
    """name -> (callable returning rows, expected row count or None, a query for EXPLAIN)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
    everyone = list(pmap.values()) + [extras_id]
    big, small = pmap[args["project_big"]], pmap[args["project_small"]]
    roots = [(pmap[p], r) for r, p in args["q1_roots"]]
    turn = [0]

    def q1():
        p, r = roots[turn[0] % len(roots)]
        turn[0] += 1
        return client.btql("select: * | from: project_logs('%s') | filter: root_span_id = '%s' "
                           "| sort: created | limit: 10000" % (p, r), all_pages=True)

    def q2(p):
        return lambda: client.btql("select: * | from: project_logs('%s') | filter: is_root "
                                   "| sort: created desc | limit: 50" % p)

    def search(text):
        lit = text.replace("'", "''")
        return lambda: fanout(client, pool, everyone,
                              "filter: search('%s') | sort: created desc | limit: 50" % lit, 50)

    def q5():
        tail = ("dimensions: metadata.model as model | measures: count(1) as spans, "
                "avg(metrics.end - metrics.start) as avg_latency_s, "
                "count(metrics.end - metrics.start) as n_latency, sum(metrics.tokens) as tokens")
        qs = ["from: project_logs('%s') | %s" % (p, tail) for p in everyone]
        return q5_merge(pool.map(client.btql, qs))

    def chart():
        return client.btql("from: project_logs('%s') | dimensions: metadata.model as model, "
                           "hour(created) as hour | measures: percentile(metrics.end - "
                           "metrics.start, 0.95) as p95 | limit: 100000" % big)

    exp = lambda m: common.expected_rows(args, m)  # noqa: E731
    q = {"q1_ms": (q1, None), "q2_big_ms": (q2(big), exp("q2_big_ms")),
         "q2_small_ms": (q2(small), exp("q2_small_ms"))}
    for t in common.Q3_TERMS:
        q["q3_%s_ms" % t] = (search(t), exp("q3_%s_ms" % t))
    q["q4_ms"] = (lambda: fanout(client, pool, everyone, "filter: metadata.model = '%s' and "
                                 "scores.accuracy < 0.5 | sort: created desc | limit: 50"
                                 % common.MODEL, 50), None)
    q["q5_ms"] = (q5, None)
    q["big_trace_ms"] = (lambda: client.btql(
        "select: * | from: project_logs('%s') | filter: root_span_id = '%s' | limit: 10000"
        % (extras_id, args["big_trace_root"]), all_pages=True), args["expected"]["big_trace_ms"])
    q["phrase_ms"] = (search(args["phrase"]), exp("phrase_ms"))
    q["cjk_ms"] = (search(args["cjk_needle"]), exp("cjk_ms"))
    q["chart_ms"] = (chart, None)
    return q


def explain_paths(client, args, pmap, result):
    """The access path the planner chose for each kind of query (for the report)."""
    big = pmap[args["project_big"]]
    probes = {"q2": "filter: is_root | sort: created desc | limit: 50",
              "q3": "filter: search('zqx1') | sort: created desc | limit: 50",
              "q1": "filter: root_span_id = 'x' | limit: 10000",
              "q4": "filter: metadata.model = 'gpt-4o' and scores.accuracy < 0.5 | limit: 50"}
    out = {}
    for name, tail in probes.items():
        try:
            plan = client.btql("select: * | from: project_logs('%s') | %s" % (big, tail), True)
            out[name] = json.dumps(plan.get("plan", plan))[:600]
        except Exception as e:
            out[name] = "explain failed: %s" % e
    result.details["plans"] = out


def wait_sealed(datadir, seconds):
    """Waits (at most `seconds`) until the WAL holds no more than one small file: the tail of
    the ingest has been sealed into segments, so the storage measured is the steady state."""
    deadline = time.time() + seconds
    wal = os.path.join(datadir, "wal")
    while time.time() < deadline:
        if os.path.isdir(wal) and common.dir_bytes(wal) < 1 << 20:
            return True
        time.sleep(1)
    return False


SEAL_SAMPLE = 50000  # spans of the workload's head sealed by the segment-build measurement


def measure_seal(args, result):
    """Segment building alone, one thread, in-process (engine_seal_bench beside the binary):
    the rate to set beside Tantivy's single-threaded indexing, and the postings bytes per span
    beside its index size. CPU time of the sealing thread, on the workload's first spans."""
    tool = os.path.join(os.path.dirname(args["binary"]), "src", "engine", "engine_seal_bench")
    if not os.path.exists(tool):
        result.details["seal"] = "not measured: %s is missing" % tool
        return
    sample = os.path.join(args["workdir"], "spanlake", "seal_sample.jsonl")
    with open(args["spans_file"], "rb") as src, open(sample, "wb") as dst:
        for i, line in enumerate(src):
            if i == SEAL_SAMPLE:
                break
            dst.write(line)
    out = subprocess.run([tool, sample, "100", "1"], capture_output=True, text=True, check=True).stdout
    seal = {"spans": min(SEAL_SAMPLE, args["spans"]), "threads": 1}
    for line in out.splitlines():
        if line.startswith("seal CPU:"):  # seal CPU: 0.43 s, 13.2 MB/s, 4634 rows/s
            parts = line.split(",")
            seal["mb_per_s"] = float(parts[1].split()[0])
            seal["spans_per_s"] = float(parts[2].split()[0])
        elif line.startswith("bytes per row:"):
            for part in line.split(":", 1)[1].split(","):
                name, value = part.strip().rsplit(" ", 1)
                seal["bytes_per_span_" + name.replace(" ", "_")] = float(value)
    os.remove(sample)
    result.details["seal"] = seal
    common.log(SYSTEM, "seal (one thread): %s" % json.dumps(seal))


def body(args, result):
    workdir = os.path.join(args["workdir"], "spanlake")
    os.makedirs(workdir, exist_ok=True)
    datadir = os.path.join(workdir, "data")
    log = open(os.path.join(workdir, "server.log"), "w")
    proc, client = start_server(args, datadir, log)
    try:
        run_all(args, result, proc, client, datadir)
    finally:
        common.stop(proc)
        log.close()


def run_all(args, result, proc, client, datadir):
    url = "http://127.0.0.1:%d" % args["port"]
    limit = json.loads(client.request("GET", "/version")[0]).get("logs3_payload_max_bytes", 5 << 20)
    lines = common.read_lines(args["spans_file"])
    extras = common.read_lines(args["extras_file"])
    pmap = logs3_ingest.register_projects(url, KEY, lines)
    emap = logs3_ingest.register_projects(url, KEY, extras, prefix="bench-extras-")
    common.log(SYSTEM, "ingesting %d spans, %d clients, batches <= 100 rows / %d bytes"
               % (len(lines), args["clients"], limit // 2))
    stats = logs3_ingest.ingest(url, KEY, lines, pmap, args["clients"], 100, limit // 2)
    result.details["ingest"] = stats
    result.put("ingest_spans_per_s", stats["spans_per_s"])
    result.details["ingest_mb_per_s"] = stats["mb_per_s"]
    result.details["peak_rss_mb_ingest"] = common.peak_rss_mb(proc.pid)
    common.log(SYSTEM, "ingest: %s" % json.dumps(stats))
    lags = measure_lag(client, pmap[args["project_big"]], args["lag_samples"])
    import statistics
    result.put("visible_lag_ms", statistics.median(lags), common.percentile(lags, 99))
    common.log(SYSTEM, "lag p50 %.2f ms p99 %.2f ms" % (statistics.median(lags),
                                                        common.percentile(lags, 99)))
    a = time.perf_counter()
    logs3_ingest.ingest(url, KEY, extras, emap, args["clients"], 100, limit // 2)
    result.details["extras_load_s"] = round(time.perf_counter() - a, 3)
    extras_id = list(emap.values())[0]
    explain_paths(client, args, pmap, result)
    timer = common.Timer(SYSTEM, result, args["runs"])
    for metric, (fn, expect) in queries(args, client, pmap, extras_id).items():
        timer.measure(metric, fn, expect)
    result.put("peak_rss_mb", common.peak_rss_mb(proc.pid) or 0)
    sealed = wait_sealed(datadir, args["seal_wait"])
    # The WAL file a seal covered may stay until the WAL rolls, so segments and WAL are also
    # reported apart: store_bytes alone is what sealed data costs.
    result.details["storage"] = {"sealed": sealed,
                                 "wal_bytes": common.dir_bytes(os.path.join(datadir, "wal")),
                                 "store_bytes": common.dir_bytes(os.path.join(datadir, "store"))}
    common.put_storage(args, result, common.dir_bytes(datadir))
    measure_seal(args, result)

if __name__ == "__main__":
    common.run_phase(SYSTEM, body)
