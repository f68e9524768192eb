"""Merges per-system phase results into bench/run's JSON, prints it as markdown, validates it."""
import numbers

from harness import common

# Higher is better for these; lower for every other metric.
HIGHER_BETTER = {"ingest_spans_per_s"}
SYSTEM_ORDER = ["spanlake", "postgres", "sqlite", "clickhouse", "phoenix", "tantivy"]


def merge(doc, results):
    """Fills doc["metrics"][metric][system], doc["errors"][system], doc["details"][system]."""
    for system, res in results.items():
        for metric, value in res.get("metrics", {}).items():
            if isinstance(value, numbers.Number):
                doc["metrics"].setdefault(metric, {})[system] = value
        if res.get("errors"):
            doc["errors"][system] = res["errors"]
        if res.get("details"):
            doc["details"][system] = res["details"]


def ordered_metrics(doc):
    known = [m for base in common.METRICS for m in (base, base + "_p99") if m in doc["metrics"]]
    return known + sorted(m for m in doc["metrics"] if m not in known)


def fmt(v):
    if v is None:
        return "–"
    if abs(v) >= 100:
        return "{:,.0f}".format(v)
    if abs(v) >= 1:
        return "%.2f" % v
    return "%.3f" % v


def ratio(metric, row):
    """How many times better Spanlake is than the best reference (<1: worse); None if n/a."""
    mine = row.get("spanlake")
    refs = [v for s, v in row.items() if s != "spanlake" and v is not None]
    if mine is None or not refs:
        return None
    base = metric[:-4] if metric.endswith("_p99") else metric
    if base in HIGHER_BETTER:
        return mine / max(refs) if max(refs) else None
    return min(refs) / mine if mine else None


def markdown(doc):
    systems = [s for s in SYSTEM_ORDER if any(s in r for r in doc["metrics"].values())]
    lines = ["%d spans; %s" % (doc["spans"], doc["machine"]), "",
             "| metric | " + " | ".join(systems) + " | Spanlake vs best reference |",
             "|---|" + "---:|" * (len(systems) + 1)]
    for metric in ordered_metrics(doc):
        row = doc["metrics"][metric]
        r = ratio(metric, row)
        cells = [fmt(row.get(s)) for s in systems]
        lines.append("| %s | %s | %s |" % (metric, " | ".join(cells),
                                           "–" if r is None else "%.3g×" % r))
    lines.extend(notes(doc))
    for system, errs in doc["errors"].items():
        for where, msg in errs.items():
            lines.append("\n%s %s: %s" % (system, where, msg))
    return "\n".join(lines)


def notes(doc):
    """Details worth a line under the table: ingest MB/s, Tantivy's index size, sealed bytes."""
    out = []
    d = doc.get("details", {})
    mbs = d.get("spanlake", {}).get("ingest", {}).get("mb_per_s")
    if mbs is not None:
        out.append("\nspanlake ingest: %s MB/s of row JSON" % mbs)
    store = d.get("spanlake", {}).get("storage", {})
    if "store_bytes" in store:
        out.append("spanlake storage: %s bytes of segments + manifests, %s bytes of WAL (sealed: %s)"
                   % ("{:,}".format(store["store_bytes"]), "{:,}".format(store.get("wal_bytes", 0)),
                      store.get("sealed")))
    seal = d.get("spanlake", {}).get("seal")
    if isinstance(seal, dict) and "spans_per_s" in seal:
        out.append("spanlake segment building: %s spans/s (one thread, first %s spans), "
                   "postings %s B/span" % (seal["spans_per_s"], "{:,}".format(seal["spans"]),
                                           seal.get("bytes_per_span_postings")))
    t = d.get("tantivy", {})
    if "index_bytes_per_span" in t:
        out.append("tantivy: index %s B/span, indexing %s spans/s (one thread)"
                   % (t["index_bytes_per_span"], t.get("index_spans_per_s")))
    return out


def validate(doc, require):
    """Problems with the document; with `require`, Spanlake must have every metric."""
    problems = []
    if not isinstance(doc.get("spans"), int) or doc["spans"] <= 0:
        problems.append("spans must be a positive integer")
    if not isinstance(doc.get("machine"), str) or not doc["machine"]:
        problems.append("machine must be a string")
    allowed = set(common.METRICS) | {m + "_p99" for m in common.METRICS}
    for metric, row in doc.get("metrics", {}).items():
        if metric not in allowed:
            problems.append("unknown metric %s" % metric)
        for system, v in row.items():
            if system not in SYSTEM_ORDER or not isinstance(v, numbers.Number) or v < 0:
                problems.append("bad value %s.%s = %r" % (metric, system, v))
    if require:
        for metric in common.METRICS:
            if "spanlake" not in doc["metrics"].get(metric, {}):
                why = doc["errors"].get("spanlake", {}).get(metric, "absent")
                problems.append("spanlake has no %s (%s)" % (metric, why))
    return problems
