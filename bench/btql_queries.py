#!/usr/bin/env python3
"""Times the shared benchmark queries q1-q5 (../shared/bench/README.md) through POST /btql.

usage: btql_queries.py URL KEY SPANS.jsonl [runs]

The server must already hold SPANS.jsonl, loaded with logs3_ingest.py (which registers the
projects this script looks up by the same names). q3-q5 run on the largest project (a
container per project; the SQL baselines query all spans). Each query runs runs+1 times; the
first is dropped. The *_nop variants write the same filters with a computed left side, so no
column test applies: the unpruned scan, for comparison in the same run.
"""
import collections, http.client, json, statistics, sys, time, urllib.parse

url, key, spans = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port)

def post(path, body):
    conn.request("POST", path, body=json.dumps(body), headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    r = conn.getresponse(); d = r.read()
    if r.status != 200: raise RuntimeError(f"{path} {r.status} {d[:300]!r}")
    return json.loads(d)

counts = collections.Counter(); roots = {}
for line in open(spans):
    r = json.loads(line); counts[r["project_id"]] += 1
    if r["span_id"] == r["root_span_id"] and r["root_span_id"].startswith("a"): roots.setdefault(r["root_span_id"], r["project_id"])
pmap = {p: post("/api/project/register", {"project_name": f"bench-{p[:8]}"})["project"]["id"] for p in counts}
order = [p for p, _ in counts.most_common()]
big, small = pmap[order[0]], pmap[order[-1]]
rl = sorted(roots)[:runs + 1]

def t(name, queries, explain=False):
    times = []; rows = None
    for i, q in enumerate(queries):
        a = time.perf_counter(); out = post("/btql", {"query": q}); b = time.perf_counter()
        if i > 0: times.append((b - a) * 1000)
        rows = len(out["data"])
    print(f"{name:10s} median {statistics.median(times):9.2f} ms  min {min(times):9.2f}  rows {rows}", flush=True)
    if explain:
        pl = post("/btql", {"query": queries[-1], "explain": True})["plan"]["access"]
        print("           access:", json.dumps(pl)[:400])

rep = runs + 1
t("q1", [f"SELECT * FROM project_logs('{pmap[roots[r]]}') WHERE root_span_id = '{r}' ORDER BY created" for r in rl])
for nm, p in (("q2_big", big), ("q2_small", small)):
    t(nm, [f"SELECT * FROM project_logs('{p}') WHERE is_root ORDER BY created DESC LIMIT 50"] * rep)
for tok in ("zqx1", "zqx2", "zqx3", "zqx9", "refund"):
    t("q3_" + tok, [f"SELECT * FROM project_logs('{big}') WHERE output MATCH '{tok}' ORDER BY created DESC LIMIT 50"] * rep)
t("q4", [f"SELECT * FROM project_logs('{big}') WHERE metadata.model = 'gpt-4o' AND scores.accuracy < 0.5 ORDER BY created DESC LIMIT 50"] * rep, explain=True)
t("q4_range", [f"SELECT * FROM project_logs('{big}') WHERE scores.accuracy < 0.05 ORDER BY created DESC LIMIT 50"] * rep, explain=True)
t("q4_created", [f"SELECT id FROM project_logs('{big}') WHERE created >= '2024-06-01T00:20:00Z' AND created < '2024-06-01T00:22:00Z' LIMIT 1000"] * rep, explain=True)
t("q5", [f"SELECT metadata.model AS model, count(*) AS spans, avg(metrics.end - metrics.start) AS avg_latency_s, sum(metrics.tokens) AS tokens FROM project_logs('{big}') GROUP BY 1 ORDER BY 2 DESC"] * rep)
# The same filters written so that no column test applies (a computed left side): the unpruned path.
t("q4_nop", [f"SELECT * FROM project_logs('{big}') WHERE metadata.model = 'gpt-4o' AND scores.accuracy + 0 < 0.5 ORDER BY created DESC LIMIT 50"] * rep, explain=True)
t("q4r_nop", [f"SELECT * FROM project_logs('{big}') WHERE scores.accuracy + 0 < 0.05 ORDER BY created DESC LIMIT 50"] * rep)
t("q4c_nop", [f"SELECT id FROM project_logs('{big}') WHERE created + interval 0 second >= '2024-06-01T00:20:00Z' AND created + interval 0 second < '2024-06-01T00:22:00Z' LIMIT 1000"] * rep)
