"""Scenario 4: dataset CRUD, iteration, summarize, version pinning, snapshots."""

from conftest import XACT_RE, by_id


def test_dataset_crud_versions_and_summary(server):
    res = server.run_scenario("dataset", {"project": "py-e2e-dataset"})
    id1, id2, id3 = res["ids"]
    assert id2 == "custom-row-id"
    assert res["same_dataset"] is True

    # After the inserts: three rows, all written in one flush.
    v1 = res["v1"]
    assert XACT_RE.match(v1), v1
    first = {r["id"]: r for r in res["rows_v1"]}
    assert set(first) == {id1, id2, id3}
    assert first[id1]["input"] == {"q": 1} and first[id1]["expected"] == "a1"
    assert first[id1]["metadata"] == {"k": "v1"} and first[id1]["tags"] == ["x"]
    assert first[id2]["input"] == {"q": 2} and first[id2]["expected"] == "a2"
    assert first[id3]["input"] == {"q": 3} and first[id3]["expected"] == "a3"
    assert max(r["_xact_id"] for r in res["rows_v1"]) == v1

    # After update + delete: the update merged, the delete removed the row.
    current = {r["id"]: r for r in res["current"]}
    assert set(current) == {id1, id2}
    assert current[id1]["input"] == {"q": 1}
    assert current[id1]["expected"] == "a1-updated"
    assert current[id1]["metadata"] == {"k": "v1", "k2": "v2"}
    assert current[id1]["tags"] == ["x"]
    assert current[id2] == first[id2]
    assert XACT_RE.match(res["v2"]) and res["v2"] > v1
    assert res["total_records"] == 2

    # Pinned to the first version, the SDK sees the old content.
    assert res["old"] == res["rows_v1"]

    # The same through /btql, current and as of v1.
    rows = by_id(server.btql("dataset", res["dataset_id"]))
    assert set(rows) == {id1, id2}
    for row in rows.values():
        assert row["dataset_id"] == res["dataset_id"]
        assert row["project_id"] == res["project_id"]
        assert row["is_root"] is True
        assert isinstance(row["span_id"], str) and isinstance(row["root_span_id"], str)
    assert rows[id1]["expected"] == "a1-updated"
    old_rows = by_id(server.btql("dataset", res["dataset_id"], version=v1))
    assert set(old_rows) == {id1, id2, id3}
    assert old_rows[id1]["expected"] == "a1"
    assert old_rows[id1]["metadata"] == {"k": "v1"}


def test_dataset_snapshot_pins_old_content(server):
    res = server.run_scenario("dataset_snapshot", {"project": "py-e2e-snapshot"})
    snap = res["snapshot"]
    assert snap["dataset_id"] == res["dataset_id"]
    assert snap["name"] == "before-change"
    assert snap["xact_id"] == res["v1"]
    assert [s["id"] for s in res["listed"]] == [snap["id"]]
    assert res["old"] == [{"id": "r1", "expected": 1}]
