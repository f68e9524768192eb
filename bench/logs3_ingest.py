#!/usr/bin/env python3
"""Measures ingest through POST /logs3 the way the SDK sends it.

usage: logs3_ingest.py --url http://127.0.0.1:8000 --key KEY --spans FILE.jsonl
                       [--clients 4] [--batch 100] [--max-batch-bytes 2621440]

Rows come from the shared workload generator (bench/gen_spans.py output); every project id in
the file is mapped to a project registered on the server. Batches hold at most --batch rows and
at most --max-batch-bytes of row JSON (the SDK's limit is half the advertised payload size).
Each client keeps one HTTP/1.1 connection alive. A 503 (ingest ahead of sealing) is retried
after its Retry-After, as the SDKs retry. Prints spans/s and MB/s of row JSON.
bench/harness/spanlake.py imports register_projects() and ingest() from here.
"""
import argparse
import http.client
import json
import queue
import threading
import time
import urllib.parse


class Busy(RuntimeError):
    """A 503: the server is busy (ingest ahead of sealing); retry after `retry_after` seconds."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def post(conn, path, key, body):
    conn.request("POST", path, body=body, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status == 503:
        try:
            retry_after = float(resp.getheader("Retry-After", "1"))
        except ValueError:
            retry_after = 1.0
        raise Busy(f"{path} -> 503: {data[:300]!r}", retry_after)
    if resp.status != 200:
        raise RuntimeError(f"{path} -> {resp.status}: {data[:300]!r}")
    return json.loads(data)


MAX_BUSY_SECONDS = 600  # give up when one batch is refused this long


def post_retrying(conn, path, key, body, counters):
    """post(), retried after Retry-After while the server answers 503 (a refused request
    is not applied, so resending it is safe); counts the retries in counters["retries_503"]."""
    waited = 0.0
    while True:
        try:
            return post(conn, path, key, body)
        except Busy as e:
            if waited >= MAX_BUSY_SECONDS:
                raise
            counters["retries_503"] += 1
            time.sleep(e.retry_after)
            waited += e.retry_after


def batches(lines, project_map, max_rows, max_bytes):
    batch, size = [], 0
    for line in lines:
        row = json.loads(line)
        row["project_id"] = project_map[row["project_id"]]
        text = json.dumps(row, separators=(",", ":"))
        if batch and (len(batch) == max_rows or size + len(text) > max_bytes):
            yield batch, size
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch, size


def register_projects(url, key, lines, prefix="bench-"):
    """Registers one server project per project id in the rows; returns {file id: server id}."""
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    project_map = {}
    for line in lines:
        pid = json.loads(line)["project_id"]
        if pid not in project_map:
            body = json.dumps({"project_name": f"{prefix}{pid[:8]}"})
            project_map[pid] = post(conn, "/api/project/register", key, body)["project"]["id"]
    conn.close()
    return project_map


def ingest(url, key, lines, project_map, clients=4, max_rows=100, max_bytes=5 * 1024 * 1024 // 2):
    """Sends the rows as logs3 batches from `clients` keep-alive connections; returns stats.

    Batches are built before the clock starts, so the time is the server's and the network's.
    Raises RuntimeError on the first failed request.
    """
    u = urllib.parse.urlparse(url)
    work = queue.Queue()
    total_bytes = 0
    for batch, size in batches(lines, project_map, max_rows, max_bytes):
        work.put("{\"rows\":[" + ",".join(batch) + "],\"api_version\":2}")
        total_bytes += size
    errors = []
    counters = {"retries_503": 0}  # += under the GIL is enough for a count

    def client():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                return
            try:
                post_retrying(c, "/logs3", key, body, counters)
            except Exception as e:  # report, do not hide
                errors.append(str(e))
                return

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"ingest failed: {errors[0]}")
    return {"spans": len(lines), "seconds": round(secs, 3),
            "spans_per_s": round(len(lines) / secs),
            "mb_per_s": round(total_bytes / secs / 1e6, 1),
            "clients": clients, "batch": max_rows, "max_batch_bytes": max_bytes,
            "retries_503": counters["retries_503"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--spans", required=True)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--max-batch-bytes", type=int, default=5 * 1024 * 1024 // 2)
    args = ap.parse_args()
    with open(args.spans) as f:
        lines = f.readlines()
    project_map = register_projects(args.url, args.key, lines)
    try:
        stats = ingest(args.url, args.key, lines, project_map, args.clients, args.batch,
                       args.max_batch_bytes)
    except RuntimeError as e:
        raise SystemExit(str(e))
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
