"""Scenario 4: dataset insert / update / delete, iteration, summarize, and reading
an older version with init_dataset(version=...)."""

import braintrust

from _common import args, emit

a = args()
FIELDS = ("id", "input", "expected", "metadata", "tags")


def plain(records):
    out = []
    for r in records:
        out.append({k: r.get(k) for k in FIELDS} | {"_xact_id": r.get("_xact_id")})
    return sorted(out, key=lambda r: r["id"])


ds = braintrust.init_dataset(project=a["project"], name="ds-main")
id1 = ds.insert(input={"q": 1}, expected="a1", metadata={"k": "v1"}, tags=["x"])
id2 = ds.insert(input={"q": 2}, expected="a2", id="custom-row-id")
id3 = ds.insert(input={"q": 3}, expected="a3")
ds.flush()
v1 = ds.version
rows_v1 = plain(ds.fetch())

ds.update(id1, expected="a1-updated", metadata={"k2": "v2"})
ds.delete(id3)
ds.flush()

fresh = braintrust.init_dataset(project=a["project"], name="ds-main")
current = plain(fresh)
v2 = fresh.version
summary = fresh.summarize()

pinned = braintrust.init_dataset(project=a["project"], name="ds-main", version=v1)
old = plain(pinned)

emit(
    {
        "project_id": fresh.project.id,
        "dataset_id": fresh.id,
        "same_dataset": ds.id == fresh.id == pinned.id,
        "ids": [id1, id2, id3],
        "v1": v1,
        "v2": v2,
        "rows_v1": rows_v1,
        "current": current,
        "old": old,
        "total_records": summary.data_summary.total_records if summary.data_summary else None,
    }
)
