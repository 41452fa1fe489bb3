"""Run the task queue's consumer: the scheduled jobs (appeal deadlines…) in production, on Redis."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the task-queue worker (scheduler and workers). Set SHEQU_REDIS_URL in production."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="only run queued tasks: leave the schedule to another worker (several on one Redis)",
        )
        # Started by `shequ serve` (gunicorn, no Redis): the SQLite queue is then the intended one.
        parser.add_argument("--beside-serve", action="store_true", help=argparse.SUPPRESS)

    def handle(
        self, *args: Any, workers: int, no_periodic: bool = False, beside_serve: bool = False, **options: Any
    ) -> None:
        from shequ.core.queue import get_huey

        huey = get_huey()
        if not settings.REDIS_URL and not beside_serve:
            self.stderr.write(
                "SHEQU_REDIS_URL 未设置：使用数据目录中的 SQLite 队列 / no SHEQU_REDIS_URL: using the SQLite "
                "queue in the data folder (then start `shequ serve --no-scheduler`, or run only one of them)."
            )
        logging.getLogger("huey").setLevel(logging.INFO)
        self.stdout.write(
            f"任务队列已启动 / worker running on {type(huey).__name__} with {workers} thread(s)"
        )
        self.stdout.flush()
        # The consumer handles SIGINT/SIGTERM itself: it finishes running tasks, then exits.
        huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic).run()
