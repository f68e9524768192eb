"""Scenario 5: attachments round trip byte for byte."""

import urllib.parse


def test_span_attachment_round_trip(server):
    res = server.run_scenario(
        "attachment_span", server.project_args("py-e2e-attachment", "known_id"))

    # The span stores the reference, not the bytes.
    rows = server.btql("project_logs", res["project_id"])
    assert [r["id"] for r in rows] == [res["span_id"]]
    ref = rows[0]["input"]["file"]
    assert ref == res["ref"]
    assert ref["type"] == "braintrust_attachment"
    assert rows[0]["input"]["note"] == "bytes"

    # Raw metadata call: upload marked done.
    query = urllib.parse.urlencode({
        "filename": ref["filename"], "content_type": ref["content_type"],
        "org_id": res["org_id"], "key": ref["key"]})
    status, body, _ = server.http("GET", f"/attachment?{query}")
    assert status == 200, body
    assert body["status"]["upload_status"] == "done"
    assert isinstance(body["downloadUrl"], str)

    # A fresh process downloads the same bytes by the reference read back from the server.
    got = server.run_scenario("read_attachment", {"reference": ref})
    assert got["size"] == res["size"]
    assert got["sha256"] == res["sha256"]
    assert got["status"]["upload_status"] == "done"


def test_dataset_attachment_round_trip(server):
    res = server.run_scenario("attachment_dataset", {"project": "py-e2e-attachment-ds"})
    assert res["records"] == 1
    assert res["row_id"] == res["expected_row_id"]
    assert res["doc_type"] == "ReadonlyAttachment"
    assert res["doc_ref"]["filename"] == "hello.txt"
    assert res["doc_ref"]["content_type"] == "text/plain"
    assert res["bytes_equal"] is True
    assert res["status"]["upload_status"] == "done"
