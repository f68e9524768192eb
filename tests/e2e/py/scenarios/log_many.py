"""Scenario 6 helper: log `count` rows (with explicit ids) in several flushes, then
feedback on some of them; every flush has been acknowledged when this exits."""

import braintrust

from _common import args, emit

a = args()
logger = braintrust.init_logger(project=a["project"], project_id=a.get("project_id"))
prefix, count, per_flush = a["prefix"], a["count"], a["per_flush"]
ids = []
for i in range(count):
    ids.append(
        logger.log(
            id=f"{prefix}-{i}",
            input={"i": i},
            output=i * i,
            metadata={"prefix": prefix},
            scores={"parity": i % 2},
        )
    )
    if (i + 1) % per_flush == 0:
        logger.flush()
logger.flush()
for i in range(0, count, 10):
    logger.log_feedback(id=f"{prefix}-{i}", scores={"reviewed": 1}, tags=["fb"])
logger.flush()
emit({"project_id": logger.project.id, "ids": ids})
