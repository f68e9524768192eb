"""Scenario 6: acknowledged rows survive kill -9 and restarts, exactly once."""

from conftest import XACT_RE, by_id

COUNT = 250


def check_rows(rows, prefix, count):
    rows = by_id(rows)  # asserts no duplicate ids
    assert set(rows) == {f"{prefix}-{i}" for i in range(count)}
    for i in range(count):
        row = rows[f"{prefix}-{i}"]
        assert row["input"] == {"i": i}
        assert row["output"] == i * i
        assert row["metadata"] == {"prefix": prefix}
        expected_scores = {"parity": i % 2}
        if i % 10 == 0:
            expected_scores["reviewed"] = 1
            assert row["tags"] == ["fb"]
        else:
            assert not row.get("tags")
        assert row["scores"] == expected_scores
        assert XACT_RE.match(row["_xact_id"])
    return rows


def test_kill9_and_restart_keeps_every_row_once(server):
    # The project id is registered up front: this test is about the data plane.
    project = server.project_args("py-e2e-durable", "known_id")
    res = server.run_scenario("log_many", {**project, "prefix": "a", "count": COUNT, "per_flush": 60})
    project_id = res["project_id"]
    before = check_rows(server.btql("project_logs", project_id), "a", COUNT)

    server.kill9()
    server.restart()
    after = check_rows(server.btql("project_logs", project_id), "a", COUNT)
    assert {k: v["_xact_id"] for k, v in after.items()} == {
        k: v["_xact_id"] for k, v in before.items()}

    # Replaying twice must not duplicate or reorder anything.
    server.kill9()
    server.restart()
    check_rows(server.btql("project_logs", project_id), "a", COUNT)

    # The restarted server keeps accepting writes with newer transaction ids.
    more = server.run_scenario("log_many", {**project, "prefix": "b", "count": 30, "per_flush": 30})
    assert more["project_id"] == project_id
    rows = server.btql("project_logs", project_id)
    assert len(rows) == COUNT + 30
    old_max = max(r["_xact_id"] for r in rows if r["id"].startswith("a-"))
    new_min = min(r["_xact_id"] for r in rows if r["id"].startswith("b-"))
    assert new_min > old_max

    server.kill9()
    server.restart()
    rows = server.btql("project_logs", project_id)
    check_rows([r for r in rows if r["id"].startswith("a-")], "a", COUNT)
    check_rows([r for r in rows if r["id"].startswith("b-")], "b", 30)
    assert len(rows) == COUNT + 30


def test_sigterm_restart_keeps_rows(server):
    project = server.project_args("py-e2e-term", "known_id")
    res = server.run_scenario("log_many", {**project, "prefix": "t", "count": 40, "per_flush": 40})
    server.stop()
    server.restart()
    check_rows(server.btql("project_logs", res["project_id"]), "t", 40)
