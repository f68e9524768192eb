"""Scenario 3: two Evals in one project; the second names the first as its base.
Scorers are deterministic so summary values are exact."""

import braintrust
from braintrust import EvalCase

from _common import args, emit

a = args()
DATA = [EvalCase(input=i, expected=2 * i) for i in (1, 2, 3, 4)]


def exact(input, output, expected):
    return 1.0 if output == expected else 0.0


def closeness(input, output, expected):
    return 1.0 - min(1.0, abs(output - expected) / 10.0)


def task_a(input):
    return 2 * input if input <= 2 else 3 * input  # inputs 3, 4 wrong


def task_b(input):
    return 0 if input == 1 else 2 * input  # input 1 wrong, 3 and 4 fixed


def summary_dict(result):
    s = result.summary
    scores = {}
    comparison = s.comparison
    assert comparison.status == "success", comparison
    for name, item in comparison.scores.items():
        scores[name] = {
            "name": item.name,
            "score": item.score,
            "diff": item.diff,
            "improvements": item.improvements,
            "regressions": item.regressions,
        }
    return {
        "experiment_id": s.experiment_id,
        "experiment_name": s.experiment_name,
        "project_id": s.project_id,
        "comparison_experiment_name": s.comparison_experiment_name,
        "scores": scores,
    }


res_a = braintrust.Eval(
    a["project"], data=DATA, task=task_a, scores=[exact, closeness], experiment_name="exp-a"
)
res_b = braintrust.Eval(
    a["project"],
    data=DATA,
    task=task_b,
    scores=[exact, closeness],
    experiment_name="exp-b",
    base_experiment_name="exp-a",
)
emit({"a": summary_dict(res_a), "b": summary_dict(res_b)})
