"""Serve Shequ with waitress: a production-grade, pure-Python WSGI server that needs no build step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand


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
    help = "Serve the web app."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not run the task queue here (it runs in `shequ worker` when SHEQU_REDIS_URL is set)",
        )

    def handle(
        self, *args: Any, host: str, port: int, threads: int, no_scheduler: bool = False, **options: Any
    ) -> None:
        from waitress import create_server

        from shequ.wsgi import application

        vendor = settings.STATICFILES_DIRS[0] / "vendor" / "htmx.min.js"
        if not vendor.exists():
            self.stderr.write("前端资源缺失 / front-end assets missing: run `make assets` first.")
        elif static_files_stale():
            # Pages name the static files by their hashed names: collect them before the first page.
            call_command("collectstatic", interactive=False, verbosity=0)
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
