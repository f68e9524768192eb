#!/usr/bin/env python3
"""bench/run phase: PostgreSQL 15, throwaway cluster on 127.0.0.1, queried with psycopg 3 (from
the venv) over loopback TCP. Schema, settings and queries follow the shared harness
(/work/shared/bench/pg_baseline.sh, base schema, not TUNED):

  spans(id, root_span_id, created timestamptz, data jsonb, fts tsvector GENERATED from every
  string of data but the ids, config 'simple'); primary key id, index root_span_id, created,
  GIN(fts), GIN(data jsonb_path_ops).

Load: the head of the file by COPY (indexes built after), then the tail (10%, at most 50,000)
in transactions of 1,000 spans with every index present: that rate is ingest_spans_per_s.
Searches use the GIN tsvector index (phraseto_tsquery for the phrase and the CJK word; the
default parser keeps a run of CJK characters as one word, so a word inside Chinese text is not
found). peak_rss_mb is the query backend's peak RSS (shared buffers it touched included).

usage: postgres_phase.py ARGS.json   (run with the venv's python by bench/run)
"""
import itertools
import os
import shutil
import subprocess
import sys
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import common  # noqa: E402

SYSTEM = "postgres"
PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
CONF = """listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{dir}'
shared_buffers = 6GB
effective_cache_size = 16GB
maintenance_work_mem = 2GB
work_mem = 64MB
max_wal_size = 32GB
checkpoint_timeout = 30min
max_parallel_maintenance_workers = 2
max_parallel_workers_per_gather = 2
random_page_cost = 1.1
"""
SCHEMA = """CREATE UNLOGGED TABLE raw_spans(doc jsonb);
CREATE TABLE spans(
  id text NOT NULL, root_span_id text NOT NULL, created timestamptz NOT NULL, data jsonb NOT NULL,
  fts tsvector GENERATED ALWAYS AS (jsonb_to_tsvector('simple'::regconfig,
    data - '{id,span_id,root_span_id,span_parents,created,project_id,log_id}'::text[],
    '["string"]')) STORED)"""
COPY = "COPY %s FROM STDIN WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"
MOVE = ("INSERT INTO spans(id, root_span_id, created, data) SELECT doc->>'id', "
        "doc->>'root_span_id', (doc->>'created')::timestamptz, doc FROM %s")


def as_pg(cmd):
    if os.getuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd



def start(workdir):
    os.makedirs(workdir)
    if os.getuid() == 0:
        subprocess.run(["chown", "postgres", workdir], check=True)
        os.chmod(workdir, 0o700)
    data, port = os.path.join(workdir, "data"), common.free_port()
    subprocess.run(as_pg([PGBIN + "/initdb", "-D", data, "-U", "bench", "--auth=trust",
                          "--encoding=UTF8", "--locale=C", "-N"]), check=True, capture_output=True)
    subprocess.run(as_pg(["sh", "-c", "cat >> %s/postgresql.conf" % data]), check=True,
                   input=CONF.format(port=port, dir=workdir).encode())
    subprocess.run(as_pg([PGBIN + "/pg_ctl", "-D", data, "-l", workdir + "/server.log", "-w",
                          "start"]), check=True, capture_output=True)
    return data, psycopg.connect(host="127.0.0.1", port=port, user="bench", dbname="postgres",
                                 autocommit=True)


def copy_lines(cur, table, lines):
    with cur.copy(COPY % table) as cp:
        for line in lines:
            cp.write(line)


def load(args, db, result):
    total = args["spans"]
    tail = min(total // 10, 50000)
    cur = db.cursor()
    cur.execute(SCHEMA)
    with open(args["spans_file"], encoding="utf-8") as f:
        copy_lines(cur, "raw_spans", itertools.islice(f, total - tail))
        cur.execute(MOVE % "raw_spans")
        cur.execute("DROP TABLE raw_spans")
        for ddl in ("ALTER TABLE spans ADD PRIMARY KEY (id)",
                    "CREATE INDEX spans_root ON spans(root_span_id)",
                    "CREATE INDEX spans_created ON spans(created)",
                    "CREATE INDEX spans_fts ON spans USING gin(fts)",
                    "CREATE INDEX spans_data ON spans USING gin(data jsonb_path_ops)",
                    "VACUUM ANALYZE spans"):
            cur.execute(ddl)
        a = time.perf_counter()
        n = batched(db, f)
        secs = time.perf_counter() - a
    result.details["ingest"] = {"spans": n, "seconds": round(secs, 3), "batch": 1000}
    if n:
        result.put("ingest_spans_per_s", n / secs)
    with open(args["extras_file"], encoding="utf-8") as f:
        batched(db, f)
    cur.execute("VACUUM ANALYZE spans")
    cur.execute("CHECKPOINT")


def batched(db, lines):
    """Transactions of 1,000 spans (COPY to a temp table, then INSERT .. SELECT)."""
    n = 0
    with db.cursor() as cur:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS stage(doc jsonb)")
        while True:
            part = list(itertools.islice(lines, 1000))
            if not part:
                return n
            with db.transaction():
                copy_lines(cur, "stage", part)
                cur.execute(MOVE % "stage")
                cur.execute("TRUNCATE stage")
            n += len(part)


def queries(args, db):
    cur = db.cursor()
    roots = itertools.cycle([r for r, _ in args["q1_roots"]])

    def run(sql, params=()):
        return lambda: cur.execute(sql, params).fetchall()
    q1 = "SELECT data FROM spans WHERE root_span_id = %s ORDER BY created"
    q2 = ("SELECT data FROM spans WHERE data->>'project_id' = %s AND data->>'span_id' = "
          "root_span_id ORDER BY created DESC LIMIT 50")
    q3 = "SELECT data FROM spans WHERE fts @@ %s('simple', %%s) ORDER BY created DESC LIMIT 50"
    exp = lambda m: common.expected_rows(args, m)  # noqa: E731
    q = {"q1_ms": (lambda: cur.execute(q1, (next(roots),)).fetchall(), None),
         "q2_big_ms": (run(q2, (args["project_big"],)), exp("q2_big_ms")),
         "q2_small_ms": (run(q2, (args["project_small"],)), exp("q2_small_ms"))}
    for t in common.Q3_TERMS:
        q["q3_%s_ms" % t] = (run(q3 % "to_tsquery", (t,)), exp("q3_%s_ms" % t))
    q["q4_ms"] = (run("SELECT data FROM spans WHERE data @> %s::jsonb AND (data->'scores'->>"
                      "'accuracy')::float8 < 0.5 ORDER BY created DESC LIMIT 50",
                      ('{"metadata":{"model":"%s"}}' % common.MODEL,)), None)
    q["q5_ms"] = (run("SELECT data->'metadata'->>'model', count(*), avg((data->'metrics'->>'end')"
                      "::float8 - (data->'metrics'->>'start')::float8), sum((data->'metrics'->>"
                      "'tokens')::bigint) FROM spans GROUP BY 1 ORDER BY 2 DESC"), None)
    q["big_trace_ms"] = (run(q1, (args["big_trace_root"],)), args["expected"]["big_trace_ms"])
    q["phrase_ms"] = (run(q3 % "phraseto_tsquery", (args["phrase"],)), exp("phrase_ms"))
    q["cjk_ms"] = (run(q3 % "phraseto_tsquery", (args["cjk_needle"],)), exp("cjk_ms"))
    q["chart_ms"] = (run("SELECT data->'metadata'->>'model', date_trunc('hour', created) AS h, "
                         "percentile_cont(0.95) WITHIN GROUP (ORDER BY (data->'metrics'->>'end')"
                         "::float8 - (data->'metrics'->>'start')::float8) FROM spans WHERE "
                         "data->>'project_id' = %s GROUP BY 1, 2 ORDER BY 1, 2",
                         (args["project_big"],)), None)
    return q


def body(args, result):
    if not os.access(PGBIN + "/postgres", os.X_OK):
        raise RuntimeError("no %s/postgres (scripts/install-deps.sh --bench)" % PGBIN)
    workdir = os.path.join(args["workdir"], "postgres")
    shutil.rmtree(workdir, ignore_errors=True)
    data, db = start(workdir)
    try:
        result.details["version"] = db.execute("SHOW server_version").fetchone()[0]
        load(args, db, result)
        common.put_storage(args, result, db.execute(
            "SELECT pg_total_relation_size('spans')").fetchone()[0])
        timer = common.Timer(SYSTEM, result, args["runs"])
        for metric, (fn, expect) in queries(args, db).items():
            timer.measure(metric, fn, expect)
        rss = common.peak_rss_mb(db.execute("SELECT pg_backend_pid()").fetchone()[0])
        if rss:
            result.put("peak_rss_mb", rss)
    finally:
        db.close()
        subprocess.run(as_pg([PGBIN + "/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    common.run_phase(SYSTEM, body)
