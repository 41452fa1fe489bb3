"""Background work of reports: build one report job (queued by services.report_request)."""

from __future__ import annotations

from django.db import close_old_connections, connection
from huey import Huey


def _tidy() -> None:
    # A task run in immediate mode (tests) runs inside its caller's transaction: keep that connection.
    if not connection.in_atomic_block:
        close_old_connections()


def register(huey: Huey) -> None:
    @huey.task(name="reports.build")
    def report_build(job_id: int) -> None:
        from shequ.reports.services import report_build as build

        _tidy()
        try:
            build(job_id)  # the job's state is in the database; a second run does nothing
        finally:
            _tidy()

    huey.report_build = report_build
