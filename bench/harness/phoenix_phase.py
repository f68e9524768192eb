#!/usr/bin/env python3
"""bench/run phase: Arize Phoenix (`arize-phoenix` from PyPI, its default SQLite storage), fed
the same spans over OTLP/HTTP with the OpenTelemetry SDK's exporter
(opentelemetry-exporter-otlp), queried through Phoenix's own GraphQL API.

Mapping (OpenInference conventions): trace id = the root span's UUID, span id = the first 8
bytes of the span's UUID, one Phoenix project per project (resource attribute
openinference.project.name), input.value = the span's input/expected as JSON, output.value =
its output/error, metadata as JSON, llm.model_name, token counts, start/end from metrics.

Queries: q1 and big_trace = Project.trace(traceId).spans; q2 = Project.spans(filterCondition
"parent_id is None", newest first, 50); searches = filterCondition substring tests on
input.value / output.value (Phoenix's only text search), fanned out over the projects like
Spanlake's. Phoenix's API has
no grouping or percentiles (q5, chart) and spans carry no scores (q4): those are absent.
ingest_spans_per_s counts until every span is visible through the API (Phoenix writes
asynchronously). Phoenix ingests tens to hundreds of spans/s, so it gets only the first
--phoenix-spans spans of the file (default 10,000) plus the extras; its queries then run on
fewer spans than the other systems hold, which favours it.

usage: phoenix_phase.py ARGS.json   (run with the Phoenix venv's python by bench/run)
"""
import concurrent.futures
import itertools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext, SpanKind, TraceFlags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import common  # noqa: E402

SYSTEM = "phoenix"
KINDS = {"llm": "LLM", "tool": "TOOL", "task": "CHAIN", "function": "CHAIN", "score": "EVALUATOR"}



def start(workdir, log):
    port, grpc = common.free_port(), common.free_port()
    env = dict(os.environ, PHOENIX_WORKING_DIR=workdir, PHOENIX_PORT=str(port),
               PHOENIX_GRPC_PORT=str(grpc), PHOENIX_HOST="127.0.0.1",
               PHOENIX_TELEMETRY_ENABLED="false")
    exe = os.path.join(os.path.dirname(sys.executable), "phoenix")
    proc = subprocess.Popen([exe, "serve"], env=env, stdout=log, stderr=log)
    url = "http://127.0.0.1:%d" % port
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError("phoenix serve exited with %s" % proc.returncode)
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).read()
            return proc, url
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("phoenix did not answer within 300 s")


def graphql(url, query, variables=None):
    req = urllib.request.Request(url + "/graphql", json.dumps(
        {"query": query, "variables": variables or {}}).encode(),
        {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        out = json.loads(r.read())
    if out.get("errors"):
        raise RuntimeError("graphql: %s" % json.dumps(out["errors"])[:400])
    return out["data"]


def ns(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1e9)


def to_span(d, resources):
    trace_id = int(d["root_span_id"].replace("-", ""), 16)
    ctx = SpanContext(trace_id, int(d["span_id"].replace("-", "")[:16], 16), False,
                      TraceFlags(1))
    parents = d.get("span_parents") or []
    parent = SpanContext(trace_id, int(parents[0].replace("-", "")[:16], 16), False,
                         TraceFlags(1)) if parents else None
    m = d.get("metrics") or {}
    start = ns(d["created"])
    end = start + int(max(0.0, (m.get("end") or 0) - (m.get("start") or 0)) * 1e9) + 1000
    attrs = {"openinference.span.kind": KINDS.get((d.get("span_attributes") or {}).get("type"),
                                                  "CHAIN"),
             "input.value": json.dumps({"input": d.get("input"), "expected": d.get("expected")},
                                       ensure_ascii=False),
             "output.value": json.dumps({"output": d.get("output"), "error": d.get("error")},
                                        ensure_ascii=False),
             "metadata": json.dumps(d.get("metadata") or {}, ensure_ascii=False)}
    model = (d.get("metadata") or {}).get("model")
    if model:
        attrs["llm.model_name"] = model
    for k, a in (("prompt_tokens", "prompt"), ("completion_tokens", "completion"),
                 ("tokens", "total")):
        if isinstance(m.get(k), (int, float)):
            attrs["llm.token_count." + a] = int(m[k])
    return ReadableSpan(name=(d.get("span_attributes") or {}).get("name", "span"), context=ctx,
                        parent=parent, resource=resources[d["project_id"]], attributes=attrs,
                        kind=SpanKind.INTERNAL, start_time=start, end_time=end)


def export_file(url, path, resources, clients):
    work = queue.Queue()
    with open(path, encoding="utf-8") as f:
        while True:
            part = [to_span(json.loads(x), resources) for x in itertools.islice(f, 100)]
            if not part:
                break
            work.put(part)
    errors = []

    def client():
        exp = OTLPSpanExporter(endpoint=url + "/v1/traces", timeout=300)
        while True:
            try:
                batch = work.get_nowait()
            except queue.Empty:
                return
            if exp.export(batch).name != "SUCCESS":
                errors.append("OTLP export failed")
                return
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])


def projects(url):
    data = graphql(url, "{ projects { edges { node { id name } } } }")
    return {e["node"]["name"]: e["node"]["id"] for e in data["projects"]["edges"]}


def span_count(url):
    data = graphql(url, "{ projects { edges { node { recordCount } } } }")
    return sum(e["node"]["recordCount"] for e in data["projects"]["edges"])


def wait_visible(url, total, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if span_count(url) >= total:
            return
        time.sleep(0.5)
    raise RuntimeError("only %d of %d spans visible after %d s" % (span_count(url), total, timeout))


SPANS = """query($id: ID!, $filter: String) { node(id: $id) { ... on Project {
  spans(first: 50, filterCondition: $filter, sort: {col: startTime, dir: desc}) {
    edges { node { spanId startTime } } } } } }"""
TRACE = """query($id: ID!, $trace: ID!, $after: String) { node(id: $id) { ... on Project {
  trace(traceId: $trace) { spans(first: 1000, after: $after) {
    edges { node { spanId input { value } } } pageInfo { hasNextPage endCursor } } } } } }"""


def trace_hex(uuid_text):
    return uuid_text.replace("-", "")


def queries(args, url, pids):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
    name = lambda p: "bench-" + p[:8]  # noqa: E731
    big, small = pids[name(args["project_big"])], pids[name(args["project_small"])]
    everyone = list(pids.values())
    roots = itertools.cycle(args["q1_roots"])

    def spans(pid, flt):
        return graphql(url, SPANS, {"id": pid, "filter": flt})["node"]["spans"]["edges"]

    def trace(pid, root):
        """Every span of a trace, 1,000 per page (Phoenix's maximum)."""
        rows, after = [], None
        while True:
            page = graphql(url, TRACE, {"id": pid, "trace": trace_hex(root), "after": after})
            spans = page["node"]["trace"]["spans"]
            rows.extend(spans["edges"])
            if not spans["pageInfo"]["hasNextPage"]:
                return rows
            after = spans["pageInfo"]["endCursor"]

    def search(text):
        lit = text.replace("\\", "\\\\").replace("'", "\\'")
        flt = "'%s' in input.value or '%s' in output.value" % (lit, lit)

        def run():
            rows = []
            for part in pool.map(lambda p: spans(p, flt), everyone):
                rows.extend(part)
            rows.sort(key=lambda e: e["node"]["startTime"], reverse=True)
            return rows[:50]
        return run

    def q1():
        root, project = next(roots)
        return trace(pids[name(project)], root)
    exp = lambda m: common.expected_rows(args, m)  # noqa: E731
    q = {"q1_ms": (q1, None),
         "q2_big_ms": (lambda: spans(big, "parent_id is None"), None),
         "q2_small_ms": (lambda: spans(small, "parent_id is None"), None)}
    for t in common.Q3_TERMS:
        q["q3_%s_ms" % t] = (search(t), exp("q3_%s_ms" % t))
    q["big_trace_ms"] = (lambda: trace(pids[args["extras_name"]], args["big_trace_root"]),
                         args["expected"]["big_trace_ms"])
    q["phrase_ms"] = (search(args["phrase"]), exp("phrase_ms"))
    q["cjk_ms"] = (search(args["cjk_needle"]), exp("cjk_ms"))
    return q


def body(args, result):
    workdir = common.fresh_dir(args, "phoenix")
    log = open(os.path.join(args["workdir"], "phoenix.log"), "w")
    proc, url = start(workdir, log)
    try:
        run_all(args, result, proc, url, workdir)
    finally:
        common.stop(proc, signal.SIGINT, 60)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def subset(args, workdir):
    """The first phoenix_max_spans spans (Phoenix ingests tens to hundreds of spans/s: the whole
    file would not fit the run's time budget) as a file, the needle counts in it, and q1's traces
    narrowed to those whose root span is in it."""
    path = os.path.join(workdir, "subset.jsonl")
    counts = {t: 0 for t in ("zqx1", "zqx2")}
    ids, roots = set(), []
    with open(args["spans_file"], encoding="utf-8") as f, open(path, "w", encoding="utf-8") as out:
        for line in itertools.islice(f, args["phoenix_max_spans"]):
            out.write(line)
            span = json.loads(line)
            ids.add(span["project_id"])
            if span["span_id"] == span["root_span_id"]:
                roots.append([span["root_span_id"], span["project_id"]])
            for t in counts:
                counts[t] += t in line
    present = {r for r, _ in roots}
    args["q1_roots"] = [r for r in args["q1_roots"] if r[0] in present] or roots[:8]
    return path, ids, counts


def run_all(args, result, proc, url, workdir):
    path, ids, counts = subset(args, workdir)
    n = min(args["spans"], args["phoenix_max_spans"])
    if n < args["spans"]:
        for t, c in counts.items():
            args["expected"]["q3_%s_ms" % t] = c
        result.details["subset"] = ("first %d of %d spans (queries run on fewer spans than the "
                                    "other systems hold)" % (n, args["spans"]))
    resources = {p: Resource.create({"openinference.project.name": "bench-" + p[:8]}) for p in ids}
    args["extras_name"] = "bench-extras"
    resources[args["extras_project"]] = Resource.create({"openinference.project.name": "bench-extras"})
    a = time.perf_counter()
    export_file(url, path, resources, args["clients"])
    wait_visible(url, n, 3600)
    secs = time.perf_counter() - a
    result.put("ingest_spans_per_s", n / secs)
    result.details["ingest"] = {"spans": n, "seconds": round(secs, 3)}
    common.log(SYSTEM, "ingest %.0f spans/s" % (n / secs))
    extra_count = sum(1 for _ in open(args["extras_file"], encoding="utf-8"))
    export_file(url, args["extras_file"], resources, args["clients"])
    wait_visible(url, n + extra_count, 3600)
    main_bytes = os.path.getsize(path)
    os.remove(path)
    common.put_storage(args, result, common.dir_bytes(workdir), main_bytes, n)
    timer = common.Timer(SYSTEM, result, args["runs"])
    for metric, (fn, expect) in queries(args, url, projects(url)).items():
        timer.measure(metric, fn, expect)
    rss = common.peak_rss_mb(proc.pid)
    if rss:
        result.put("peak_rss_mb", rss)


if __name__ == "__main__":
    common.run_phase(SYSTEM, body)
