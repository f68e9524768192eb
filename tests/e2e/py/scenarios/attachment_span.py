"""Scenario 5a: an Attachment logged on a span is uploaded by flush()."""

import hashlib

import braintrust

from _common import args, emit

a = args()
DATA = bytes(range(256)) * 41 + b"\x00\xffend"

logger = braintrust.init_logger(project=a["project"], project_id=a.get("project_id"))
att = braintrust.Attachment(data=DATA, filename="blob.bin", content_type="application/octet-stream")
with logger.start_span(name="with_attachment") as span:
    span.log(input={"file": att, "note": "bytes"}, output="ok")
logger.flush()
emit(
    {
        "project_id": logger.project.id,
        "org_id": logger.org_id,
        "span_id": span.id,
        "ref": dict(att.reference),
        "sha256": hashlib.sha256(DATA).hexdigest(),
        "size": len(DATA),
    }
)
