"""Scenario 5b: an Attachment in a dataset row; iterating the dataset in the same
process hydrates a ReadonlyAttachment whose bytes must match."""

import braintrust

from _common import args, emit

a = args()
TEXT = "héllo attachment\n".encode("utf-8") * 10

ds = braintrust.init_dataset(project=a["project"], name="ds-att")
att = braintrust.Attachment(data=TEXT, filename="hello.txt", content_type="text/plain")
row_id = ds.insert(input={"doc": att}, expected="fine")
ds.flush()

fresh = braintrust.init_dataset(project=a["project"], name="ds-att")
records = list(fresh)
doc = records[0]["input"]["doc"]
emit(
    {
        "records": len(records),
        "row_id": records[0]["id"],
        "expected_row_id": row_id,
        "doc_type": type(doc).__name__,
        "doc_ref": dict(doc.reference),
        "bytes_equal": doc.data == TEXT,
        "status": dict(doc.status()),
    }
)
