"""The scheduler inside `shequ serve` (small installs): an appeal already past its deadline when the
server starts is escalated by the embedded consumer, with nothing else started; the job's state is in
the database, so a restarted server does not escalate it twice."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

SHEQU = str(Path(sys.executable).with_name("shequ"))

SETUP = """
from datetime import timedelta
from django.utils import timezone
from shequ.core import services
from shequ.appeals.models import Category
from shequ.appeals.services import appeal_report
d = services.area_create(by=None, parent=None, name="南海区", code="440605000000")
s = services.area_create(by=None, parent=d, name="大沥镇", code="440605121000")
c = services.area_create(by=None, parent=s, name="平地社区", code="440605121001")
g = services.area_create(by=None, parent=c, name="第1网格")
b = services.area_create(by=None, parent=g, name="1座")
appeal_report(by=None, area=b, category=Category.objects.get(code="environment"), description="垃圾堆积",
              channel="patrol", now=timezone.now() - timedelta(days=2))
"""


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEQU_", "DATABASE_URL", "DJANGO_"))}
    env.update(SHEQU_DATA_DIR=str(data), PYTHONUNBUFFERED="1")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _levels(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.level, (SELECT COUNT(*) FROM appeals_appealstep s WHERE s.appeal_id = a.id "
            "AND s.action = 'escalate') FROM appeals_appeal a"
        ).fetchall()


def _serve_until(data: Path, predicate: object, seconds: float = 60) -> None:
    proc = subprocess.Popen(
        [SHEQU, "serve", "--port", str(_free_port())],
        env=_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():  # type: ignore[operator]
                return
            time.sleep(0.3)
        raise AssertionError(f"not reached in {seconds}s: {_levels(data / 'shequ.sqlite3')}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.no_database  # `shequ serve` on its own SQLite folder
def test_shequ_serve_runs_the_deadline_job_without_another_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _env(data)
    subprocess.run([SHEQU, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    subprocess.run([SHEQU, "shell", "-c", SETUP], env=env, check=True, timeout=60)
    db = data / "shequ.sqlite3"
    assert _levels(db) == [("estate", 0)]
    # Two days late: the first run escalates it once (to the community, with a new day to act).
    _serve_until(data, lambda: _levels(db) == [("community", 1)])
    assert (data / "queue.sqlite3").exists()
    # Restarted: the job runs again at start, finds the community's new deadline not passed, and
    # leaves the appeal as it is.
    _serve_until(data, lambda: (data / "queue.sqlite3").stat().st_mtime > time.time() - 1, seconds=30)
    time.sleep(2)
    assert _levels(db) == [("community", 1)]
