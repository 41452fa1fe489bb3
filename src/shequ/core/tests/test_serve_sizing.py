"""`shequ serve` in production: workers sized from the cores, and the schedule claimed once per
minute across every process on one queue."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shequ.core import queue
from shequ.core.management.commands.serve import DEFAULT_THREADS, sized_threads, sized_workers, usable_cores

pytestmark = pytest.mark.no_database


def test_one_worker_process_per_usable_core_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHEQU_WEB_WORKERS", raising=False)
    assert sized_workers() == usable_cores()


@pytest.mark.parametrize(("given", "expected"), [("3", 3), ("0", None), ("many", None), (5, 5)])
def test_workers_as_given_and_the_cores_for_nonsense(
    given: str | int, expected: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEQU_WEB_WORKERS", str(given))
    assert sized_workers() == (expected or usable_cores())


def test_threads_default_and_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHEQU_WEB_THREADS", raising=False)
    assert sized_threads() == DEFAULT_THREADS
    monkeypatch.setenv("SHEQU_WEB_THREADS", "6")
    assert sized_threads() == 6


def test_two_schedulers_on_one_queue_claim_each_minute_once(tmp_path: Path) -> None:
    one = queue.build(data_dir=tmp_path, name="claims")
    other = queue.build(data_dir=tmp_path, name="claims")  # another process on the same queue
    minute = datetime(2026, 11, 2, 9, 17, 5, tzinfo=UTC)
    assert queue.claim_run(one, "appeals.deadlines", minute) is True
    assert queue.claim_run(other, "appeals.deadlines", minute.replace(second=40)) is False
    assert queue.claim_run(other, "appeals.deadlines", minute.replace(minute=18)) is True
    assert queue.claim_run(one, "casework.reviews", minute) is True  # each task claims its own
