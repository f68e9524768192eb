#!/usr/bin/env python3
"""Kill-and-recover driver: runs a real `spanlake serve` with a tiny seal size (16 KiB)
and background compaction on (fanout 4, a 2 s delete grace), ingests over HTTP
from several threads, SIGKILLs the server at random moments (mid-request,
mid-seal, mid-manifest-publish, mid-compaction: a seal runs every few requests
and a merge every few seals), restarts it, and checks after every restart that

  - every acknowledged request is fully visible, each row exactly once;
  - an unacknowledged request is all or nothing (its new rows and its merges
    into older rows appear together or not at all), and once seen absent it
    stays absent;
  - `spanlake verify` finds every stored object sound at the end;
  - the segment count stays logarithmic (reported; without compaction a
    20-kill run ended with ~1,600 segments).

Standard library only. Bounded: --kills restarts, each wait has a deadline.
usage: kill_recover.py [--bin build/spanlake] [--kills 20] [--seed N]
Exit status 0 on success; prints "crash: PASS ..." or "crash: FAIL ...".
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ADMIN_KEY = "sk-crash-driver-key-0123456789abcdef"


class Server:
    def __init__(self, binary, data_dir):
        self.binary, self.data_dir, self.proc, self.url = binary, data_dir, None, None

    def start(self):
        args = [self.binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir,
                "--seal-bytes", "16384", "--seal-seconds", "1", "--compaction", "on",
                "--compaction-fanout", "4", "--delete-grace-seconds", "2"]
        env = dict(os.environ, SPANLAKE_ADMIN_KEY=ADMIN_KEY)
        log = open(os.path.join(self.data_dir, "..", "server.log"), "ab")
        self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise RuntimeError("server exited during startup (see server.log)")
            log.write(line)
            m = re.search(rb"listening on (http://127\.0\.0\.1:\d+)", line)
            if m:
                self.url = m.group(1).decode()
                threading.Thread(target=self._drain, args=(self.proc, log), daemon=True).start()
                return
        raise RuntimeError("server did not report its address within 60 s")

    @staticmethod
    def _drain(proc, log):
        for line in proc.stderr:
            log.write(line)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def call(url, method, path, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method, headers={
        "Authorization": "Bearer " + ADMIN_KEY, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as res:
        return json.loads(res.read() or b"null")


def read_all(url, project_id):
    rows, cursor = {}, None
    for _ in range(10000):
        query = {"select": [{"op": "star"}], "limit": 1000,
                 "from": {"op": "function", "name": {"op": "ident", "name": ["project_logs"]},
                          "args": [{"op": "literal", "value": project_id}]}}
        if cursor:
            query["cursor"] = cursor
        res = call(url, "POST", "/btql", {"query": query}, timeout=60)
        for row in res["data"]:
            if row["id"] in rows:
                raise AssertionError("row %s read twice" % row["id"])
            rows[row["id"]] = row
        cursor = res.get("cursor")
        if not cursor:
            return rows
    raise AssertionError("paging did not end")


class Ledger:
    """What was sent, what was acknowledged, and what each unacknowledged batch turned out to be."""

    def __init__(self):
        self.lock = threading.Lock()
        self.batches = {}   # batch -> (new ids, updated ids)
        self.acked = set()
        self.gone = set()   # unacknowledged batches seen absent: must stay absent
        self.next = 0

    def make_batch(self, rng, project_id):
        with self.lock:
            b = self.next
            self.next += 1
            olds = rng.sample(sorted(self.acked), min(len(self.acked), rng.randint(0, 3)))
        new_ids = ["b%d-r%d" % (b, i) for i in range(rng.randint(1, 12))]
        updated = [nid for ob in olds for nid in self.batches[ob][0][:1]]
        rows = [{"id": i, "project_id": project_id, "log_id": "g", "batch": b,
                 "input": "row %s %s" % (i, "x" * rng.randint(0, 600))} for i in new_ids]
        rows += [{"id": i, "project_id": project_id, "log_id": "g", "_is_merge": True,
                  "metadata": {"upd_%d" % b: True}} for i in updated]
        with self.lock:
            self.batches[b] = (new_ids, updated)
        return b, rows

    def visible(self, rows, b):
        """'all', 'none' or 'partial' for batch b in a full read."""
        new_ids, updated = self.batches[b]
        seen = [i in rows for i in new_ids]
        seen += [rows.get(i, {}).get("metadata", {}).get("upd_%d" % b) is True for i in updated]
        return "all" if all(seen) else "none" if not any(seen) else "partial"

    def check(self, rows):
        problems = []
        for b in sorted(self.batches):
            v = self.visible(rows, b)
            if b in self.acked and v != "all":
                problems.append("acknowledged batch %d is %s" % (b, v))
            elif b not in self.acked and v == "partial":
                problems.append("unacknowledged batch %d is half-visible" % b)
            elif b in self.gone and v != "none":
                problems.append("batch %d came back after it was absent" % b)
            elif b not in self.acked and v == "all":
                self.acked.add(b)  # it landed; from now on it must stay
            elif b not in self.acked:
                self.gone.add(b)
        known = {i for (new_ids, _) in self.batches.values() for i in new_ids}
        problems += ["unknown row %s" % i for i in rows if i not in known]
        return problems


def ingest(url, project_id, ledger, seed, stop):
    rng = random.Random(seed)
    while not stop.is_set():
        b, rows = ledger.make_batch(rng, project_id)
        try:
            call(url, "POST", "/logs3", {"rows": rows}, timeout=10)
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            return  # the server died: the outcome of b is unknown
        with ledger.lock:
            ledger.acked.add(b)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.environ.get("SPANLAKE_BIN", "build/spanlake"))
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--seed", type=int, default=int(time.time()))
    p.add_argument("--threads", type=int, default=3)
    p.add_argument("--keep", action="store_true", help="keep the data directory")
    a = p.parse_args()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="spanlake-crash-")
    data_dir = os.path.join(work, "data")
    os.makedirs(data_dir)
    server = Server(os.path.abspath(a.bin), data_dir)
    ledger = Ledger()
    started = time.time()
    try:
        server.start()
        project_id = call(server.url, "POST", "/api/project/register", {"project_name": "crash"})["project"]["id"]
        for kill in range(a.kills + 1):
            stop = threading.Event()
            threads = [threading.Thread(target=ingest, args=(server.url, project_id, ledger, rng.random(), stop))
                       for _ in range(a.threads)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.2, 1.5))
            if kill < a.kills:
                server.kill()
            stop.set()
            for t in threads:
                t.join(timeout=60)
            if kill < a.kills:
                server.start()
            problems = ledger.check(read_all(server.url, project_id))
            if problems:
                print("crash: FAIL after kill %d (seed %d, data in %s):\n  %s" %
                      (kill, a.seed, work, "\n  ".join(problems[:20])))
                a.keep = True
                return 1
        server.stop()
        verify = subprocess.run([os.path.abspath(a.bin), "verify", data_dir], capture_output=True, text=True)
        if verify.returncode != 0:
            print("crash: FAIL spanlake verify (seed %d):\n%s" % (a.seed, verify.stdout[-3000:]))
            a.keep = True
            return 1
        segments = len(os.listdir(os.path.join(data_dir, "store", "segments")))
        live = len(re.findall(r"^ok +segments/", verify.stdout, re.M))
        print("crash: PASS %d kills, %d requests (%d acknowledged), %d live segments (%d objects), %.0f s (seed %d)" %
              (a.kills, ledger.next, len(ledger.acked), live, segments, time.time() - started, a.seed))
        return 0
    finally:
        server.stop()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
