"""Scenario 1: spans from init_logger read back through /btql project_logs."""

import pytest

from conftest import XACT_RE, by_name, eq

# sdk_lookup: the SDK resolves the project by name (POST /v1/project).
# known_id: the project is registered beforehand and passed as project_id too, so the
# test covers the data plane with the Python SDK's row shapes on its own.
MODES = ["sdk_lookup", "known_id"]


def empty_parents(row):
    return row.get("span_parents") in (None, [])


@pytest.mark.parametrize("mode", MODES)
def test_logger_span_tree_round_trip(server, mode):
    args = server.project_args("py-e2e-logger", mode)
    res = server.run_scenario("logger_tree", args)
    project_id = res["project_id"]
    if mode == "known_id":
        assert project_id == args["project_id"]
    rows = server.btql("project_logs", project_id)
    spans = by_name(rows)
    assert set(spans) == {"root_op", "child_fn", "middle", "leaf", "other_root"}, rows

    for row in rows:
        assert row["project_id"] == project_id
        assert row["log_id"] == "g"
        assert isinstance(row["org_id"], str) and row["org_id"] == res["org_id"]
        assert isinstance(row["_xact_id"], str) and XACT_RE.match(row["_xact_id"]), row["_xact_id"]
        assert isinstance(row["created"], str) and row["created"]
        for ctl in ("_is_merge", "_object_delete", "_merge_paths"):
            assert ctl not in row, f"write-only control field {ctl} leaked into read-back"

    root, child, middle, leaf, other = (
        spans["root_op"], spans["child_fn"], spans["middle"], spans["leaf"], spans["other_root"])

    # Tree structure.
    trace = res["root"]["root_span_id"]
    for row in (root, child, middle, leaf):
        assert row["root_span_id"] == trace
    assert root["id"] == res["root"]["id"] and root["span_id"] == res["root"]["span_id"]
    assert empty_parents(root) and root["is_root"] is True
    assert child["span_parents"] == [res["root"]["span_id"]] and child["is_root"] is False
    assert middle["span_parents"] == [res["root"]["span_id"]] and middle["is_root"] is False
    assert leaf["span_parents"] == [res["middle"]["span_id"]] and leaf["is_root"] is False
    assert other["root_span_id"] == res["other"]["root_span_id"] != trace
    assert empty_parents(other) and other["is_root"] is True
    assert sum(1 for r in rows if r["is_root"]) == 2

    # Merged fields of the root: updates deep-merge metadata, keep earlier fields.
    assert root["input"] == {"question": "hi"}
    assert root["output"] == {"answer": 42}
    assert root["metadata"] == {"model": "m1", "nested": {"a": 1, "b": 2}}
    assert sorted(root["tags"]) == ["t1", "t2"]
    assert root["metrics"]["prompt_tokens"] == 3
    assert root["metrics"]["completion_tokens"] == 4
    assert root["metrics"]["end"] >= root["metrics"]["start"] > 0
    assert root["span_attributes"]["type"] == "task"

    assert child["input"] == {"x": 21}
    assert child["output"] == 42
    assert child["metadata"] == {"step": "child"}
    assert child["metrics"]["tokens"] == 7
    assert child["span_attributes"]["type"] == "function"
    assert middle["input"] == "mid-in"
    assert leaf["output"] == "leaf-out"
    assert leaf["scores"] == {"accuracy": 0.5}
    assert leaf["span_attributes"]["type"] == "tool"
    assert other["input"] == "second" and other["output"] == "trace"


def test_btql_filter_by_root_span_id(server):
    res = server.run_scenario("logger_tree", server.project_args("py-e2e-filter", "known_id"))
    rows = server.btql(
        "project_logs", res["project_id"], filter=eq("root_span_id", res["other"]["root_span_id"]))
    assert [r["id"] for r in rows] == [res["other"]["id"]]
    rows = server.btql(
        "project_logs", res["project_id"], filter=eq("root_span_id", res["root"]["root_span_id"]))
    assert sorted(r["span_attributes"]["name"] for r in rows) == ["child_fn", "leaf", "middle", "root_op"]
