"""Scenario 3: two Evals, summary scores per trace, diff against the base."""

import urllib.parse

import pytest

from conftest import XACT_RE

# Per input (1..4): exact A = [1,1,0,0], B = [0,1,1,1]
#                   closeness A = [1,1,.7,.6], B = [.8,1,1,1]
EXPECTED_A = {"exact": 0.5, "closeness": 0.825}
EXPECTED_B = {"exact": 0.75, "closeness": 0.95}


def check_b_against_a(scores):
    assert set(scores) == {"exact", "closeness"}, scores
    for name in ("exact", "closeness"):
        item = scores[name]
        assert item["name"] == name
        assert item["score"] == pytest.approx(EXPECTED_B[name])
        assert item["diff"] == pytest.approx(EXPECTED_B[name] - EXPECTED_A[name])
        assert item["improvements"] == 2  # inputs 3 and 4
        assert item["regressions"] == 1  # input 1


def test_two_evals_summary_and_diff(server):
    res = server.run_scenario("evals", {"project": "py-e2e-eval"})
    a, b = res["a"], res["b"]
    assert a["project_id"] == b["project_id"]
    assert a["experiment_id"] != b["experiment_id"]
    assert a["experiment_name"] == "exp-a" and b["experiment_name"] == "exp-b"

    # First experiment: nothing to compare with.
    assert set(a["scores"]) == {"exact", "closeness"}
    for name, value in EXPECTED_A.items():
        assert a["scores"][name]["score"] == pytest.approx(value)
        assert a["scores"][name]["diff"] is None

    # Second experiment: compared with its base, as the SDK reports it.
    assert b["comparison_experiment_name"] == "exp-a"
    check_b_against_a(b["scores"])

    # The same numbers from the data-plane comparison endpoint the JS SDK uses.
    query = urllib.parse.urlencode(
        {"experiment_id": b["experiment_id"], "base_experiment_id": a["experiment_id"]})
    status, body, _ = server.http("GET", f"/experiment-comparison2?{query}")
    assert status == 200, body
    check_b_against_a(body["scores"])


def test_eval_rows_in_experiment(server):
    res = server.run_scenario("evals", {"project": "py-e2e-eval-rows"})
    exp_a = res["a"]["experiment_id"]
    rows = server.btql("experiment", exp_a)
    for row in rows:
        assert row["experiment_id"] == exp_a
        assert row["project_id"] == res["a"]["project_id"]
        assert XACT_RE.match(row["_xact_id"])
    roots = [r for r in rows if r["is_root"]]
    assert sorted(r["input"] for r in roots) == [1, 2, 3, 4]
    for root in roots:
        assert root["expected"] == 2 * root["input"]
        assert root["output"] == (2 * root["input"] if root["input"] <= 2 else 3 * root["input"])
        assert root["span_attributes"]["type"] == "eval"
    score_spans = [r for r in rows if r["span_attributes"].get("type") == "score"]
    assert len(score_spans) == 8
    by_trace = {}
    for span in score_spans:
        assert span["is_root"] is False
        by_trace.setdefault(span["root_span_id"], {}).update(span["scores"])
    root_inputs = {r["root_span_id"]: r["input"] for r in roots}
    exact = {root_inputs[t]: s["exact"] for t, s in by_trace.items()}
    assert exact == {1: 1, 2: 1, 3: 0, 4: 0}
