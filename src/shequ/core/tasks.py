"""Scheduled work of the core: every night at 03:17, anonymise what has outlived its retention."""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from huey import Huey, crontab

LOCK = "core.retention"


def register(huey: Huey) -> None:
    @huey.periodic_task(crontab(hour="3", minute="17"), name="core.retention")
    def retention() -> dict[str, Any]:
        from shequ.core.retention import run_retention, summary

        close_old_connections()
        try:
            with huey.lock_task(LOCK):  # one run at a time across processes; the run itself is idempotent
                return summary(run_retention())
        finally:
            close_old_connections()

    huey.retention = retention
