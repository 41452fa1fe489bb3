"""The task queue (huey). Small installs keep it in SQLite in the data folder and run its consumer
inside `shequ serve`; production sets SHEQU_REDIS_URL and runs `shequ worker` beside the web process.

Apps add their tasks in a `tasks.py` with `register(huey)`; the queue is built on first use, so a
command that needs no queue opens no queue file or connection.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string, module_has_submodule
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

logger = logging.getLogger("shequ.queue")
QUEUE_NAME = "shequ"


def build(*, redis_url: str = "", data_dir: Path | None = None, name: str = QUEUE_NAME) -> Huey:
    """A queue on Redis when a URL is given, else on SQLite in `data_dir`. Results are not kept:
    every task writes what it did to the database itself."""
    if redis_url:
        return RedisHuey(name, url=redis_url, results=False)
    folder = Path(data_dir or settings.DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(folder / "queue.sqlite3"), results=False)


def register_tasks(huey: Huey) -> Huey:
    """Let every Shequ app with a tasks.py add its tasks to `huey`."""
    for config in apps.get_app_configs():
        if config.name.startswith("shequ.") and module_has_submodule(config.module, "tasks"):
            import_string(f"{config.name}.tasks.register")(huey)
    return huey


@functools.cache
def get_huey() -> Huey:
    return register_tasks(build(redis_url=settings.REDIS_URL, data_dir=settings.DATA_DIR))


def claim_run(huey: Huey, name: str, now: datetime | None = None) -> bool:
    """True for exactly one caller per task and minute, across every process on the same queue
    (Redis HSETNX / SQLite INSERT OR IGNORE): several schedulers on one Redis — two `shequ worker`s
    on two machines — each enqueue a periodic task every minute; the first run of the minute claims
    it and the others return without running. The claim of an hour ago is removed, so the queue's
    key-value store holds at most an hour of claims per task."""
    minute = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    claimed = bool(huey.put_if_empty(f"run:{name}:{minute:%Y%m%d%H%M}", "1"))
    if claimed:
        huey.delete(f"run:{name}:{minute - timedelta(hours=1):%Y%m%d%H%M}")
    return claimed


class EmbeddedConsumer(Consumer):
    """A consumer that runs in threads of another program (`shequ serve`): it leaves the signal
    handlers to that program, which stops it with stop()."""

    def _set_signal_handlers(self) -> None:
        pass


def start_embedded(huey: Huey | None = None, *, workers: int = 1) -> Any:
    """Start the scheduler and a worker thread in this process; returns the consumer (call
    .stop(graceful=True) on shutdown)."""
    consumer = EmbeddedConsumer(huey or get_huey(), workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    logger.info("task queue consumer started inside this process")
    return consumer
