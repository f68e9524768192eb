"""Scenario 2: log_feedback (scores, expected, tags, comment) and update_span, each
sent after the target span was flushed, so the server has to merge them."""

import braintrust

from _common import args, emit

a = args()
logger = braintrust.init_logger(project=a["project"], project_id=a.get("project_id"))

with logger.start_span(name="fb_root") as root:
    root.log(input="q", output="a", scores={"initial": 1}, tags=["orig"], metadata={"keep": "yes"})
    with root.start_span(name="fb_child") as child:
        child.log(input="child-in", output="child-out")
    exported = root.export()
logger.flush()

logger.log_feedback(
    id=root.id,
    scores={"correctness": 0.25},
    expected={"gold": 1},
    tags=["reviewed"],
    comment="looks wrong",
    metadata={"reviewer": "alice"},
    source="external",
)
logger.flush()

# Update through the exported slug (carries span ids) and through the logger (by id).
braintrust.update_span(exported, output="a2", metadata={"edited": True})
logger.update_span(child.id, output="child-out-2", scores={"child_score": 0.75})
logger.flush()

emit(
    {
        "project_id": logger.project.id,
        "root_id": root.id,
        "root_span_id": root.root_span_id,
        "span_id": root.span_id,
        "child_id": child.id,
        "child_span_id": child.span_id,
    }
)
