"""The deadline job: warn at 80% of a stage's time, escalate (or mark overdue) past 100%.

Idempotent: the state lives in each appeal (warn_at is cleared once warned; an escalation starts a
new deadline; overdue_noticed_at is set once), each appeal is handled in its own transaction under a
row lock, so a second run — after a restart, or at the same time in another process — does nothing
twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from shequ.appeals import services

logger = logging.getLogger("shequ.appeals")
BATCH = 500


def run_deadlines(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"warned": 0, "escalated": 0, "overdue": 0}
    for pk in _ids(services.appeals_to_warn(now)):
        if services.appeal_warn(appeal=services.Appeal(pk=pk), now=now):
            counts["warned"] += 1
    for pk in _ids(services.appeals_overdue(now)):
        done = services.appeal_deadline_missed(appeal=services.Appeal(pk=pk), now=now)
        if done:
            counts[done] += 1
    if any(counts.values()):
        logger.info("appeal deadlines: %s", counts)
    return counts


def _ids(qs: object) -> list[int]:
    return list(qs.order_by("deadline_at", "pk").values_list("pk", flat=True)[: BATCH * 20])  # type: ignore[attr-defined]
