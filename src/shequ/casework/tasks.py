"""Scheduled work of casework: every night, escalate plan tasks past their due date (jobs.py)."""

from __future__ import annotations

from django.db import close_old_connections
from huey import Huey, crontab

LOCK = "casework.overdue"


def register(huey: Huey) -> None:
    @huey.periodic_task(crontab(hour="6", minute="30"), name="casework.overdue")
    def casework_overdue() -> dict[str, int]:
        from shequ.casework.jobs import run_overdue

        close_old_connections()
        try:
            with huey.lock_task(LOCK):  # one run at a time across processes; the job is idempotent too
                return run_overdue()
        finally:
            close_old_connections()

    huey.casework_overdue = casework_overdue
