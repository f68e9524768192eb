"""Scenario 7: bad input to /logs3 over raw HTTP is rejected whole with a 4xx JSON
error naming the problem, and the project's data stays exactly as it was."""

import uuid

import pytest


@pytest.fixture
def base(server):
    res = server.run_scenario("baseline", server.project_args("py-e2e-bad-input", "known_id"))
    res["rows"] = snapshot(server, res["project_id"])
    assert set(res["rows"]) == {res["root_id"], res["child_id"]}
    return res


def snapshot(server, project_id):
    return {r["id"]: r for r in server.btql("project_logs", project_id)}


def row(project_id, row_id, **fields):
    return {"id": row_id, "project_id": project_id, "log_id": "g", "span_id": row_id,
            "root_span_id": row_id, **fields}


def assert_rejected(status, body, statuses, *needles):
    assert status in statuses, f"expected {statuses}, got {status}: {body}"
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], body
    text = body["error"].lower()
    assert any(n.lower() in text for n in needles), f"error {body['error']!r} names none of {needles}"


def assert_unchanged(server, base):
    assert snapshot(server, base["project_id"]) == base["rows"]


def test_malformed_json(server, base):
    status, body, _ = server.http("POST", "/logs3", raw='{"rows": [{"id": "x", "project_id": ')
    assert_rejected(status, body, (400,), "json", "parse", "malformed")
    assert_unchanged(server, base)


def test_rows_not_an_array(server, base):
    status, body, _ = server.http("POST", "/logs3", {"rows": {"id": "x"}, "api_version": 2})
    assert_rejected(status, body, (400,), "rows")
    assert_unchanged(server, base)


@pytest.mark.parametrize("value", [1.5, -0.1, "high", True, {"nested": 1}])
def test_bad_score_value(server, base, value):
    pid = base["project_id"]
    status, body, _ = server.logs3([row(pid, "bad-score", scores={"quality": value})])
    assert_rejected(status, body, (400,), "score")
    assert_unchanged(server, base)


@pytest.mark.parametrize("value", ["abc", [1, 2], {"a": "b"}, ["ok", 3]])
def test_span_parents_not_array_of_strings(server, base, value):
    pid = base["project_id"]
    status, body, _ = server.logs3([row(pid, "bad-parents", span_parents=value)])
    assert_rejected(status, body, (400,), "span_parents")
    assert_unchanged(server, base)


def test_unknown_project_id(server, base):
    unknown = str(uuid.uuid4())
    status, body, _ = server.logs3([row(unknown, "orphan", input="x")])
    assert_rejected(status, body, (400, 403, 404), "project", unknown)
    assert_unchanged(server, base)
    # And nothing was created under the unknown id either.
    status, body, _ = server.http("POST", "/btql", {"query": {
        "select": [{"op": "star"}],
        "from": {"op": "function", "name": {"op": "ident", "name": ["project_logs"]},
                 "args": [{"op": "literal", "value": unknown}]}}})
    assert status != 200 or body["data"] == [], body


@pytest.mark.parametrize("key", [None, "sk-wrong-key-0123456789"])
def test_missing_or_wrong_key(server, base, key):
    pid = base["project_id"]
    status, body, _ = server.logs3([row(pid, "unauth", input="x")], key=key)
    assert_rejected(status, body, (401, 403), "key", "auth", "unauthorized", "token")
    assert_unchanged(server, base)


def test_good_and_bad_row_in_one_request(server, base):
    pid = base["project_id"]
    rows = [
        row(pid, "mix-good", input="fine", output="fine"),
        row(pid, base["root_id"], output="overwritten", _is_merge=True),
        row(pid, "mix-bad", scores={"quality": 7}),
    ]
    status, body, _ = server.logs3(rows)
    assert_rejected(status, body, (400,), "score")
    assert_unchanged(server, base)


def test_server_still_accepts_good_rows_after_bad_ones(server, base):
    pid = base["project_id"]
    status, body, _ = server.logs3([row(pid, "bad", scores={"q": 3})])
    assert status == 400, body
    status, body, _ = server.logs3([row(pid, "good-after", input="in", scores={"q": 0.5})])
    assert status == 200, body
    rows = snapshot(server, pid)
    assert set(rows) == set(base["rows"]) | {"good-after"}
    assert rows["good-after"]["scores"] == {"q": 0.5}
    assert rows["good-after"]["is_root"] is True
    for row_id, before in base["rows"].items():
        assert rows[row_id] == before
