#!/usr/bin/env python3
"""bench/run phase: ClickHouse (Debian's clickhouse-server 18.16), throwaway server on
loopback, queried over its HTTP interface. Schema and queries follow the shared harness
(/work/shared/bench/clickhouse_baseline.sh): each JSON line is a String column, the columns the
queries need are MATERIALIZED with visitParamExtract*, MergeTree ORDER BY (project_id, ts);
18.16 has no text index, so searches are substring scans (position(); case-insensitive for
the common word). ingest_spans_per_s is the rate of INSERTs of 20,000 lines each (ClickHouse
wants big inserts; OPTIMIZE not counted).

usage: clickhouse_phase.py ARGS.json   (written by bench/run)
"""
import http.client
import itertools
import os
import shutil
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import common  # noqa: E402

SYSTEM = "clickhouse"
SERVER = "/usr/sbin/clickhouse-server"
CONFIG = """<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/log/server.log</log><errorlog>{d}/log/err.log</errorlog><size>100M</size><count>2</count></logger>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path>
  <tmp_path>{d}/tmp/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709120</mark_cache_size>
  <max_concurrent_queries>10</max_concurrent_queries>
</yandex>
"""
USERS = """<?xml version="1.0"?>
<yandex>
 <profiles><default><max_memory_usage>10000000000</max_memory_usage></default></profiles>
 <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
 <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
"""
SCHEMA = """CREATE TABLE spans (
  data String,
  id String MATERIALIZED visitParamExtractString(data, 'id'),
  span_id String MATERIALIZED visitParamExtractString(data, 'span_id'),
  root_span_id String MATERIALIZED visitParamExtractString(data, 'root_span_id'),
  project_id String MATERIALIZED visitParamExtractString(data, 'project_id'),
  created DateTime MATERIALIZED parseDateTimeBestEffort(visitParamExtractString(data, 'created')),
  ts Float64 MATERIALIZED visitParamExtractFloat(data, 'start'),
  end_ts Float64 MATERIALIZED visitParamExtractFloat(data, 'end'),
  model String MATERIALIZED visitParamExtractString(data, 'model'),
  has_accuracy UInt8 MATERIALIZED visitParamHas(data, 'accuracy'),
  accuracy Float64 MATERIALIZED visitParamExtractFloat(data, 'accuracy'),
  tokens Float64 MATERIALIZED visitParamExtractFloat(data, 'tokens')
) ENGINE = MergeTree PARTITION BY toYYYYMM(created) ORDER BY (project_id, ts)"""



class CH:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def query(self, sql, body=None):
        """Runs sql (with body as the INSERT data); returns the answer's lines."""
        path = "/?" + urllib.parse.urlencode({"query": sql})
        self.conn.request("POST", path, body=body if body is not None else b"")
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError("clickhouse %d: %s" % (resp.status, data[:300]))
        return data.decode("utf-8", "replace").splitlines()


def start(workdir, log):
    for sub in ("data", "tmp", "log", "user_files"):
        os.makedirs(os.path.join(workdir, sub))
    http_port, tcp_port = common.free_port(), common.free_port()
    with open(os.path.join(workdir, "config.xml"), "w") as f:
        f.write(CONFIG.format(d=workdir, http=http_port, tcp=tcp_port))
    with open(os.path.join(workdir, "users.xml"), "w") as f:
        f.write(USERS)
    cmd = [SERVER, "--config-file=" + os.path.join(workdir, "config.xml")]
    if os.getuid() == 0 and subprocess.run(["id", "clickhouse"], capture_output=True).returncode == 0:
        subprocess.run(["chown", "-R", "clickhouse", workdir], check=True)
        cmd = ["runuser", "-u", "clickhouse", "--"] + cmd
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    ch = CH(http_port)
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("clickhouse-server exited with %s" % proc.returncode)
        try:
            ch.query("SELECT 1")
            return proc, ch
        except (OSError, http.client.HTTPException, RuntimeError):
            ch = CH(http_port)
            time.sleep(0.2)
    raise RuntimeError("clickhouse-server did not answer within 60 s")


def server_pid(proc):
    """The server's pid (runuser forks it as a child)."""
    try:
        out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout
        return int(out.split()[0]) if out.split() else proc.pid
    except (OSError, ValueError):
        return proc.pid


def insert_file(ch, path, block):
    n = 0
    with open(path, encoding="utf-8") as f:
        while True:
            part = list(itertools.islice(f, block))
            if not part:
                return n
            # TabSeparated un-escapes backslashes: double them to keep each line byte-exact.
            body = "".join(line.replace("\\", "\\\\") for line in part).encode("utf-8")
            ch.query("INSERT INTO spans (data) FORMAT TabSeparated", body)
            n += len(part)


def queries(args, ch):
    roots = itertools.cycle([r for r, _ in args["q1_roots"]])
    q2 = ("SELECT data FROM spans WHERE project_id = '%s' AND span_id = root_span_id "
          "ORDER BY ts DESC LIMIT 50")
    q3 = "SELECT data FROM spans WHERE %s(data, '%s') > 0 ORDER BY ts DESC LIMIT 50"
    run = lambda sql: lambda: ch.query(sql)  # noqa: E731
    exp = lambda m: common.expected_rows(args, m)  # noqa: E731
    q = {"q1_ms": (lambda: ch.query("SELECT data FROM spans WHERE root_span_id = '%s' ORDER BY ts"
                                    % next(roots)), None),
         "q2_big_ms": (run(q2 % args["project_big"]), exp("q2_big_ms")),
         "q2_small_ms": (run(q2 % args["project_small"]), exp("q2_small_ms"))}
    for t in common.Q3_TERMS:
        fn = "positionCaseInsensitive" if t == "refund" else "position"
        q["q3_%s_ms" % t] = (run(q3 % (fn, t)), exp("q3_%s_ms" % t))
    q["q4_ms"] = (run("SELECT data FROM spans WHERE model = '%s' AND has_accuracy AND accuracy < 0.5 "
                      "ORDER BY ts DESC LIMIT 50" % common.MODEL), None)
    q["q5_ms"] = (run("SELECT model, count() AS spans, avg(end_ts - ts), sum(tokens) FROM spans "
                      "GROUP BY model ORDER BY spans DESC"), None)
    q["big_trace_ms"] = (run("SELECT data FROM spans WHERE root_span_id = '%s' ORDER BY ts"
                             % args["big_trace_root"]), args["expected"]["big_trace_ms"])
    q["phrase_ms"] = (run(q3 % ("position", args["phrase"])), exp("phrase_ms"))
    q["cjk_ms"] = (run(q3 % ("position", args["cjk_needle"])), exp("cjk_ms"))
    q["chart_ms"] = (run("SELECT model, toStartOfHour(created) AS hour, quantile(0.95)(end_ts - ts) "
                         "FROM spans WHERE project_id = '%s' GROUP BY model, hour ORDER BY model, hour"
                         % args["project_big"]), None)
    return q


def body(args, result):
    if not os.access(SERVER, os.X_OK):
        raise RuntimeError("no %s (scripts/install-deps.sh --bench)" % SERVER)
    workdir = common.fresh_dir(args, "clickhouse")
    log = open(os.path.join(args["workdir"], "clickhouse.log"), "w")
    proc, ch = start(workdir, log)
    try:
        result.details["version"] = ch.query("SELECT version()")[0]
        ch.query(SCHEMA)
        a = time.perf_counter()
        n = insert_file(ch, args["spans_file"], 20000)
        secs = time.perf_counter() - a
        result.put("ingest_spans_per_s", n / secs)
        result.details["ingest"] = {"spans": n, "seconds": round(secs, 3), "block": 20000}
        insert_file(ch, args["extras_file"], 20000)
        ch.query("OPTIMIZE TABLE spans FINAL")
        common.put_storage(args, result, int(ch.query(
            "SELECT sum(bytes_on_disk) FROM system.parts WHERE table = 'spans' AND active")[0]))
        timer = common.Timer(SYSTEM, result, args["runs"])
        for metric, (fn, expect) in queries(args, ch).items():
            timer.measure(metric, fn, expect)
        rss = common.peak_rss_mb(server_pid(proc))
        if rss:
            result.put("peak_rss_mb", rss)
    finally:
        common.stop(proc)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    common.run_phase(SYSTEM, body)
