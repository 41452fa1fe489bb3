"""Scheduled work of deliberation: every night, escalate follow-up milestones past their due date
(jobs.py)."""

from __future__ import annotations

from django.db import close_old_connections
from huey import Huey, crontab

LOCK = "deliberation.overdue"


def register(huey: Huey) -> None:
    @huey.periodic_task(crontab(hour="6", minute="40"), name="deliberation.overdue")
    def deliberation_overdue() -> dict[str, int]:
        from shequ.deliberation.jobs import run_overdue

        close_old_connections()
        try:
            with huey.lock_task(LOCK):  # one run at a time across processes; the job is idempotent too
                return run_overdue()
        finally:
            close_old_connections()

    huey.deliberation_overdue = deliberation_overdue
