"""Scenario 4b: dataset snapshots through the SDK's REST client
(the Python SDK has no Dataset-level snapshot helper in this version)."""

import braintrust
from braintrust.logger import _state

from _common import args, emit

a = args()
ds = braintrust.init_dataset(project=a["project"], name="ds-snap")
ds.insert(input="first", expected=1, id="r1")
ds.flush()
v1 = ds.version

client = _state.api_client()
snap = client.dataset_snapshots.post_dataset_snapshot(
    body={"dataset_id": ds.id, "name": "before-change", "xact_id": v1, "description": "v1"}
)

ds.update("r1", expected=2)
ds.insert(input="second", expected=3, id="r2")
ds.flush()

listed = client.dataset_snapshots.get_dataset_snapshot(dataset_snapshot_name="before-change")
pinned = braintrust.init_dataset(project=a["project"], name="ds-snap", version=snap["xact_id"])
old = sorted(({"id": r["id"], "expected": r["expected"]} for r in pinned), key=lambda r: r["id"])
emit(
    {
        "dataset_id": ds.id,
        "v1": v1,
        "snapshot": dict(snap),
        "listed": [dict(s) for s in listed["objects"]],
        "old": old,
    }
)
