"""Serve Shequ. In production (SHEQU_ENV=production, or --server gunicorn, or --workers N): gunicorn,
one worker process per core with threads in each, so a busy page uses every core; the scheduler then
runs in one process of its own beside them, never in each worker. Otherwise (development, the demo):
waitress, one pure-Python process with threads and the scheduler inside it (docs/scaling.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEFAULT_THREADS = 4  # per gunicorn worker: a request waiting on the database leaves the core to another


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def sized_workers(value: str | int | None = None) -> int:
    """Worker processes: as given (--workers, SHEQU_WEB_WORKERS), else one per usable core. Python
    runs one thread at a time per process, so processes, not threads, are what use the cores."""
    text = str(value if value is not None else os.environ.get("SHEQU_WEB_WORKERS", "")).strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    return usable_cores()


def sized_threads(value: str | int | None = None) -> int:
    text = str(value if value is not None else os.environ.get("SHEQU_WEB_THREADS", "")).strip()
    return int(text) if text.isdigit() and int(text) > 0 else DEFAULT_THREADS


def static_files_stale() -> bool:
    """Whether the collected static files (their manifest) are missing or older than a source file."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for _path, storage in finder.list(["CVS", ".*", "*~"]):
            if Path(storage.path(_path)).stat().st_mtime > collected:
                return True
    return False


class Command(BaseCommand):
    help = "Serve the web app (gunicorn in production, waitress otherwise)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--server",
            choices=["auto", "gunicorn", "waitress"],
            default="auto",
            help="auto: gunicorn when SHEQU_ENV=production or --workers is given, else waitress",
        )
        parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: one per core)")
        parser.add_argument(
            "--threads", type=int, help="threads per process (gunicorn default 4, waitress default 8)"
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not run the task queue here (it runs in `shequ worker` when SHEQU_REDIS_URL is set)",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        server: str = "auto",
        workers: int | None = None,
        threads: int | None = None,
        no_scheduler: bool = False,
        **options: Any,
    ) -> None:
        vendor = settings.STATICFILES_DIRS[0] / "vendor" / "htmx.min.js"
        if not vendor.exists():
            self.stderr.write("前端资源缺失 / front-end assets missing: run `make assets` first.")
        elif static_files_stale():
            # Pages name the static files by their hashed names: collect them before the first page.
            call_command("collectstatic", interactive=False, verbosity=0)
        if server == "auto":
            server = "gunicorn" if settings.PRODUCTION or workers else "waitress"
        if server == "gunicorn":
            self._gunicorn(host, port, sized_workers(workers), sized_threads(threads), no_scheduler)
        else:
            self._waitress(host, port, threads or 8, no_scheduler)

    def _gunicorn(self, host: str, port: int, workers: int, threads: int, no_scheduler: bool) -> None:
        from shequ.core.wsgi_server import ShequGunicorn

        # The scheduler: with Redis, `shequ worker` runs it (one per installation); without, one
        # process of its own beside the workers — in each worker it would run once per worker.
        scheduler = None
        if not no_scheduler and not settings.REDIS_URL:
            scheduler = subprocess.Popen(  # nosec B603 # our own interpreter and command
                [sys.executable, "-m", "shequ.cli", "worker", "--workers", "1", "--beside-serve"]
            )
            self.stdout.write("任务调度已在独立进程启动 / scheduler running in a process of its own")
        self.stdout.write(
            f"Shequ 已启动 / serving on http://{host}:{port}/ with gunicorn: {workers} worker "
            f"process(es) × {threads} thread(s)  (Ctrl+C to stop)"
        )
        self.stdout.flush()
        try:
            ShequGunicorn(bind=f"{host}:{port}", workers=workers, threads=threads).run()
        finally:
            if scheduler is not None:
                scheduler.terminate()
                try:
                    scheduler.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    scheduler.kill()

    def _waitress(self, host: str, port: int, threads: int, no_scheduler: bool) -> None:
        from waitress import create_server

        from shequ.wsgi import application

        # Bind first, then say so: whoever waits for this line can connect at once.
        server: Any = create_server(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="shequ",
            clear_untrusted_proxy_headers=True,
        )
        # Small installs: the scheduled jobs (appeal deadlines…) run in threads of this process, on a
        # queue kept in SQLite in the data folder. With Redis, `shequ worker` runs them instead.
        consumer = None
        if not no_scheduler and not settings.REDIS_URL:
            from shequ.core.queue import start_embedded

            consumer = start_embedded()
            self.stdout.write("任务调度已在本进程启动 / scheduler running inside this process")
        self.stdout.write(f"Shequ 已启动 / serving on http://{host}:{port}/  (Ctrl+C to stop)")
        self.stdout.flush()
        try:
            server.run()
        except KeyboardInterrupt:
            self.stdout.write("已停止 / stopped")
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
