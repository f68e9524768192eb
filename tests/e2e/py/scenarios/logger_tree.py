"""Scenario 1: init_logger, nested spans (context managers and @traced), span.log
updates with metadata, metrics, tags and scores; explicit flush."""

import braintrust

from _common import args, emit

a = args()
logger = braintrust.init_logger(project=a["project"], project_id=a.get("project_id"))


@braintrust.traced(name="child_fn")
def child_fn(x):
    braintrust.current_span().log(metadata={"step": "child"}, metrics={"tokens": 7})
    return x * 2


with logger.start_span(name="root_op", type="task") as root:
    root.log(
        input={"question": "hi"},
        metadata={"model": "m1", "nested": {"a": 1}},
        tags=["t1", "t2"],
    )
    doubled = child_fn(21)
    # Flush mid-trace so the later updates reach the server as merge rows.
    logger.flush()
    with root.start_span(name="middle") as middle:
        middle.log(input="mid-in")
        with middle.start_span(name="leaf", type="tool") as leaf:
            leaf.log(output="leaf-out", scores={"accuracy": 0.5})
    root.log(
        output={"answer": doubled},
        metadata={"nested": {"b": 2}},
        metrics={"prompt_tokens": 3, "completion_tokens": 4},
    )

# A second, independent trace.
with logger.start_span(name="other_root") as other:
    other.log(input="second", output="trace")

logger.flush()
emit(
    {
        "project_id": logger.project.id,
        "org_id": logger.org_id,
        "root": {"id": root.id, "span_id": root.span_id, "root_span_id": root.root_span_id},
        "middle": {"id": middle.id, "span_id": middle.span_id},
        "leaf": {"id": leaf.id, "span_id": leaf.span_id},
        "other": {"id": other.id, "span_id": other.span_id, "root_span_id": other.root_span_id},
    }
)
