#!/usr/bin/env python3
"""Measures ingest through POST /logs3 the way the SDK sends it.

usage: logs3_ingest.py --url http://127.0.0.1:8000 --key KEY --spans FILE.jsonl
                       [--clients 4] [--batch 100] [--max-batch-bytes 2621440]

Rows come from the shared workload generator (bench/gen_spans.py output); every project id in
the file is mapped to a project registered on the server. Batches hold at most --batch rows and
at most --max-batch-bytes of row JSON (the SDK's limit is half the advertised payload size).
Each client keeps one HTTP/1.1 connection alive. Prints spans/s and MB/s of row JSON.
"""
import argparse
import http.client
import json
import queue
import threading
import time
import urllib.parse


def post(conn, path, key, body):
    conn.request("POST", path, body=body, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"{path} -> {resp.status}: {data[:300]!r}")
    return json.loads(data)


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--spans", required=True)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--max-batch-bytes", type=int, default=5 * 1024 * 1024 // 2)
    args = ap.parse_args()
    u = urllib.parse.urlparse(args.url)

    with open(args.spans) as f:
        lines = f.readlines()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    project_map = {}
    for line in lines:
        pid = json.loads(line)["project_id"]
        if pid not in project_map:
            body = json.dumps({"project_name": f"bench-{pid[:8]}"})
            project_map[pid] = post(conn, "/api/project/register", args.key, body)["project"]["id"]
    work = queue.Queue()
    total_bytes = 0
    for batch, size in batches(lines, project_map, args.batch, args.max_batch_bytes):
        work.put("{\"rows\":[" + ",".join(batch) + "],\"api_version\":2}")
        total_bytes += size
    errors = []

    def client():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                return
            try:
                post(c, "/logs3", args.key, body)
            except Exception as e:  # report, do not hide
                errors.append(str(e))
                return

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.perf_counter() - start
    if errors:
        raise SystemExit(f"ingest failed: {errors[0]}")
    print(json.dumps({"spans": len(lines), "seconds": round(secs, 3),
                      "spans_per_s": round(len(lines) / secs),
                      "mb_per_s": round(total_bytes / secs / 1e6, 1),
                      "clients": args.clients, "batch": args.batch}))


if __name__ == "__main__":
    main()
