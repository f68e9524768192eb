"""Scenario 2: log_feedback and update_span are merged into the target rows."""

import pytest

from conftest import by_id


def comment_texts(row):
    texts = []
    for entry in row.get("comments") or []:
        comment = entry.get("comment") if isinstance(entry, dict) else None
        if isinstance(comment, dict):
            texts.append(comment.get("text"))
    return texts


@pytest.mark.parametrize("mode", ["sdk_lookup", "known_id"])
def test_feedback_and_update_span_merge(server, mode):
    res = server.run_scenario("feedback", server.project_args("py-e2e-feedback", mode))
    rows = by_id(server.btql("project_logs", res["project_id"]))
    # The comment is folded into its target, not returned as a row of its own.
    assert set(rows) == {res["root_id"], res["child_id"]}, list(rows.values())
    root, child = rows[res["root_id"]], rows[res["child_id"]]

    assert root["scores"] == {"initial": 1, "correctness": 0.25}
    assert root["expected"] == {"gold": 1}
    assert sorted(root["tags"]) == ["orig", "reviewed"]
    assert root["input"] == "q"
    assert root["output"] == "a2"
    assert root["metadata"] == {"keep": "yes", "edited": True}
    assert comment_texts(root) == ["looks wrong"], root.get("comments")
    # Merges never move a span in its tree.
    assert root["span_id"] == res["span_id"]
    assert root["root_span_id"] == res["root_span_id"]
    assert root["is_root"] is True
    # Audit inputs are not user fields.
    for key in ("_audit_source", "_audit_metadata", "_is_merge"):
        assert key not in root
    assert "reviewer" not in root["metadata"]

    assert child["input"] == "child-in"
    assert child["output"] == "child-out-2"
    assert child["scores"] == {"child_score": 0.75}
    assert child["span_parents"] == [res["span_id"]]
    assert child["root_span_id"] == res["root_span_id"]
    assert child["is_root"] is False
    assert comment_texts(child) == []
