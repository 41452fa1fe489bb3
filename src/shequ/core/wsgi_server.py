"""Gunicorn run from `shequ serve` (production): the app loaded once in the master and forked into
the workers (copy-on-write: the import cost and memory of Django and the apps paid once), gthread
workers, no access log (the audit log says who saw what; a proxy in front logs requests)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class ShequGunicorn(BaseApplication):
    def __init__(self, *, bind: str, workers: int, threads: int) -> None:
        self.options = {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "preload_app": True,
            # Database connections are made per worker after the fork (Django opens them lazily).
            "timeout": 60,
            "graceful_timeout": 20,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "shequ",
            # X-Forwarded-* only from the local proxy (SHEQU_BEHIND_PROXY decides whether Django reads them).
            "forwarded_allow_ips": "127.0.0.1,::1",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from shequ.wsgi import application

        return application
