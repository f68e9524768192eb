#!/usr/bin/env python3
"""bench/run phase: SQLite 3 + FTS5, with the schema and queries of the shared harness
(/work/shared/bench/sqlite_baseline.py, whose load and query code this follows):

  spans(id, root_span_id, created ISO text, data JSON text), unique(id), index(root_span_id),
  index(created); spans_fts: contentless FTS5 (unicode61) over every string of the span except
  the ids. q2/q4/q5 use json_extract (SQLite has no JSON index).

Load: the head of the file in bulk (FTS maintained, b-tree indexes built after), then the tail
(10%, at most 50,000 spans) in transactions of 1,000 with every index present: that rate is
ingest_spans_per_s (what a live system sees). In-process, so no peak RSS of a server is
reported. No percentile aggregate: chart_ms is absent. FTS5's unicode61 tokenizer keeps a run
of CJK characters as one token, so a word inside running Chinese text is not found: cjk_ms is
recorded as a wrong answer.

usage: sqlite_phase.py ARGS.json   (written by bench/run)
"""
import itertools
import json
import os
import shutil
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import common  # noqa: E402

SYSTEM = "sqlite"
EXCL = {"id", "span_id", "root_span_id", "span_parents", "created", "project_id", "log_id"}


def strings(v, out):
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, dict):
        for x in v.values():
            strings(x, out)
    elif isinstance(v, list):
        for x in v:
            strings(x, out)


def parse(line):
    d = json.loads(line)
    out = []
    for k, v in d.items():
        if k not in EXCL:
            strings(v, out)
    return d["id"], d["root_span_id"], d["created"], line.rstrip("\n"), "\n".join(out)


class Loader:
    def __init__(self, db):
        self.db, self.rowid = db, 0

    def load(self, lines, chunk):
        """Inserts the lines in transactions of `chunk`; returns the number of spans."""
        n = 0
        while True:
            part = list(itertools.islice(lines, chunk))
            if not part:
                return n
            rows, fts = [], []
            for line in part:
                i, r, c, d, body = parse(line)
                self.rowid += 1
                rows.append((self.rowid, i, r, c, d))
                fts.append((self.rowid, body))
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO spans(rowid, id, root_span_id, created, data) "
                                "VALUES (?,?,?,?,?)", rows)
            self.db.executemany("INSERT INTO spans_fts(rowid, body) VALUES (?,?)", fts)
            self.db.execute("COMMIT")
            n += len(part)


def open_db(path):
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=%d" % (-2048 * 1024))
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("CREATE TABLE spans(id TEXT NOT NULL, root_span_id TEXT NOT NULL, "
               "created TEXT NOT NULL, data TEXT NOT NULL)")
    db.execute("CREATE VIRTUAL TABLE spans_fts USING fts5(body, content='')")
    return db


def load(args, db, result):
    total = args["spans"]
    tail = min(total // 10, 50000)
    loader = Loader(db)
    with open(args["spans_file"], encoding="utf-8") as f:
        a = time.perf_counter()
        loader.load(itertools.islice(f, total - tail), 10000)
        db.execute("CREATE UNIQUE INDEX spans_id ON spans(id)")
        db.execute("CREATE INDEX spans_root ON spans(root_span_id)")
        db.execute("CREATE INDEX spans_created ON spans(created)")
        db.execute("INSERT INTO spans_fts(spans_fts) VALUES('optimize')")
        db.execute("ANALYZE")
        result.details["bulk_s"] = round(time.perf_counter() - a, 3)
        a = time.perf_counter()
        n = loader.load(f, 1000)
        secs = time.perf_counter() - a
    result.details["ingest"] = {"spans": n, "seconds": round(secs, 3), "batch": 1000}
    if n:
        result.put("ingest_spans_per_s", n / secs)
    with open(args["extras_file"], encoding="utf-8") as f:
        loader.load(f, 1000)
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def fetch(db, sql, params=()):
    return lambda: db.execute(sql, params).fetchall()


def queries(args, db):
    roots = itertools.cycle([r for r, _ in args["q1_roots"]])
    q1 = "SELECT data FROM spans WHERE root_span_id = ? ORDER BY created"
    q2 = ("SELECT data FROM spans WHERE json_extract(data, '$.project_id') = ? "
          "AND json_extract(data, '$.span_id') = root_span_id ORDER BY created DESC LIMIT 50")
    q3 = ("SELECT data FROM spans WHERE rowid IN (SELECT rowid FROM spans_fts WHERE spans_fts "
          "MATCH ?) ORDER BY created DESC LIMIT 50")
    exp = lambda m: common.expected_rows(args, m)  # noqa: E731
    q = {"q1_ms": (lambda: db.execute(q1, (next(roots),)).fetchall(), None),
         "q2_big_ms": (fetch(db, q2, (args["project_big"],)), exp("q2_big_ms")),
         "q2_small_ms": (fetch(db, q2, (args["project_small"],)), exp("q2_small_ms"))}
    for t in common.Q3_TERMS:
        q["q3_%s_ms" % t] = (fetch(db, q3, (t,)), exp("q3_%s_ms" % t))
    q["q4_ms"] = (fetch(db, "SELECT data FROM spans WHERE json_extract(data, '$.metadata.model') "
                            "= ? AND json_extract(data, '$.scores.accuracy') < 0.5 "
                            "ORDER BY created DESC LIMIT 50", (common.MODEL,)), None)
    q["q5_ms"] = (fetch(db, "SELECT json_extract(data, '$.metadata.model') AS model, count(*), "
                            "avg(json_extract(data, '$.metrics.end') - json_extract(data, "
                            "'$.metrics.start')), sum(json_extract(data, '$.metrics.tokens')) "
                            "FROM spans GROUP BY 1 ORDER BY 2 DESC"), None)
    q["big_trace_ms"] = (fetch(db, q1, (args["big_trace_root"],)), args["expected"]["big_trace_ms"])
    q["phrase_ms"] = (fetch(db, q3, ('"%s"' % args["phrase"],)), exp("phrase_ms"))
    q["cjk_ms"] = (fetch(db, q3, ('"%s"' % args["cjk_needle"],)), exp("cjk_ms"))
    return q


def body(args, result):
    workdir = common.fresh_dir(args, "sqlite")
    db = open_db(os.path.join(workdir, "spans.db"))
    try:
        load(args, db, result)
        common.put_storage(args, result, common.dir_bytes(workdir))
        result.details["version"] = sqlite3.sqlite_version
        timer = common.Timer(SYSTEM, result, args["runs"])
        for metric, (fn, expect) in queries(args, db).items():
            timer.measure(metric, fn, expect)
        result.details["absent"] = {"chart_ms": "no percentile aggregate",
                                    "visible_lag_ms": "in-process: a commit is visible at once",
                                    "peak_rss_mb": "in-process, no server"}
    finally:
        db.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    common.run_phase(SYSTEM, body)
