"""Writes a small known trace into a project and reports its ids."""

import braintrust

from _common import args, emit

a = args()
logger = braintrust.init_logger(project=a["project"], project_id=a.get("project_id"))
with logger.start_span(name="base_root") as root:
    root.log(input="base", output="line", scores={"ok": 1})
    with root.start_span(name="base_child") as child:
        child.log(output="child")
logger.flush()
emit({"project_id": logger.project.id, "org_id": logger.org_id, "root_id": root.id, "child_id": child.id})
