#!/usr/bin/env python3
"""bench/run phase: Tantivy (the `tantivy` Python binding from PyPI), the search reference.

Indexes the same text the SQL references index (every string of a span but the ids), from the
main file and the extras, with one writer thread, the default tokenizer and positions (for
phrases); stores only id and created (a fast field, for newest-first order). Then the searches:
q3 terms, the phrase and the CJK word, newest 50, ids fetched from the stored fields.

Tantivy is an index, not a store of spans: its indexing rate and index bytes go to details
(index_spans_per_s, index_bytes, index_bytes_per_span), not to ingest_spans_per_s /
bytes_per_span. The default tokenizer keeps a run of CJK characters as one token, so a word
inside Chinese text is not found (recorded as a wrong answer).

usage: tantivy_phase.py ARGS.json   (run with the venv's python by bench/run)
"""
import json
import os
import shutil
import sys
import time

import tantivy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import common  # noqa: E402
from harness.sqlite_phase import EXCL, strings  # noqa: E402  (the same text the SQL references index)

SYSTEM = "tantivy"


def docs(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            out = []
            for k, v in d.items():
                if k not in EXCL:
                    strings(v, out)
            micros = int(d["created"][:19].replace("-", "").replace("T", "").replace(":", ""))
            yield d["id"], micros, "\n".join(out)


def build(args, path, result):
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_integer_field("created", stored=False, indexed=True, fast=True)
    sb.add_text_field("body", stored=False, tokenizer_name="default", index_option="position")
    schema = sb.build()
    index = tantivy.Index(schema, path=path)
    rows = list(docs(args["spans_file"])) + list(docs(args["extras_file"]))  # parse untimed
    writer = index.writer(heap_size=512 * 1024 * 1024, num_threads=1)
    a = time.perf_counter()
    for i, c, body in rows:
        writer.add_document(tantivy.Document(id=i, created=c, body=body))
    writer.commit()
    writer.wait_merging_threads()
    secs = time.perf_counter() - a
    index.reload()
    size = common.dir_bytes(path)
    result.details.update({"index_spans_per_s": round(len(rows) / secs), "index_bytes": size,
                           "index_bytes_per_span": round(size / len(rows), 1),
                           "version": getattr(tantivy, "__version__", "?")})
    common.log(SYSTEM, "indexed %d spans in %.1f s, %d bytes" % (len(rows), secs, size))
    return index


def search(index, text):
    def run():
        searcher = index.searcher()
        query = index.parse_query(text, ["body"])
        hits = searcher.search(query, 50, order_by_field="created").hits
        return [searcher.doc(addr)["id"][0] for _, addr in hits]
    return run


def body(args, result):
    path = common.fresh_dir(args, "tantivy")
    try:
        index = build(args, path, result)
        timer = common.Timer(SYSTEM, result, args["runs"])
        for t in common.Q3_TERMS:
            timer.measure("q3_%s_ms" % t, search(index, t), common.expected_rows(args, "q3_%s_ms" % t))
        timer.measure("phrase_ms", search(index, '"%s"' % args["phrase"]),
                      common.expected_rows(args, "phrase_ms"))
        timer.measure("cjk_ms", search(index, '"%s"' % args["cjk_needle"]),
                      common.expected_rows(args, "cjk_ms"))
    finally:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    common.run_phase(SYSTEM, body)
