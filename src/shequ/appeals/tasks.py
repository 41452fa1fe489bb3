"""Scheduled work of appeals: every minute, warn handlers of deadlines near and escalate what missed one."""

from __future__ import annotations

from django.db import close_old_connections
from huey import Huey, crontab

LOCK = "appeals.deadlines"


def register(huey: Huey) -> None:
    @huey.periodic_task(crontab(minute="*"), name="appeals.deadlines")
    def appeal_deadlines() -> dict[str, int]:
        from shequ.appeals.jobs import run_deadlines
        from shequ.core.queue import claim_run

        if not claim_run(huey, "appeals.deadlines"):
            return {"skipped": 1}  # another scheduler's run has this minute
        close_old_connections()
        try:
            # One run at a time across processes (serve and worker); the job itself is idempotent too.
            with huey.lock_task(LOCK):
                return run_deadlines()
        finally:
            close_old_connections()

    huey.appeal_deadlines = appeal_deadlines
