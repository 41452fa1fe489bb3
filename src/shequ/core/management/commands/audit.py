"""`shequ audit verify` walks the audit log's hash chain; `shequ audit export` ships it as JSON lines."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shequ.core.audit import export_lines, verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or export the log as JSON lines to ship off-host."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("verify", help="recompute every link; name the first broken one")
        export = sub.add_parser("export", help="JSON lines, oldest first, with the hashes")
        export.add_argument("--since", help="YYYY-MM-DD (Asia/Shanghai): entries from that day on")
        export.add_argument("--output", help="a file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "verify":
            self.verify()
        else:
            self.export(options.get("since"), options.get("output"))

    def verify(self) -> None:
        report = verify_chain()
        if report.broken_at is not None:
            raise CommandError(
                f"审计日志链在第 {report.broken_at} 条处断开（{report.reason}）："
                "该条或其之前的记录被改动或删除 / "
                f"the audit chain breaks at entry {report.broken_at} ({report.reason}): it or an entry "
                f"before it was changed or removed. {report.checked} entries checked before it."
            )
        self.stdout.write(
            f"审计日志链完整 / the audit chain holds: {report.checked} entries checked"
            + (f", {report.unchained} older entries from before the chain began" if report.unchained else "")
        )

    def export(self, since: str | None, output: str | None) -> None:
        start = None
        if since:
            try:
                day = datetime.strptime(since, "%Y-%m-%d")
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD / --since must be YYYY-MM-DD: {since}") from exc
            start = timezone.make_aware(day)
        try:
            out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"无法写入 {output} / cannot write {output}: {exc.strerror}") from exc
        try:
            for line in export_lines(start):
                out.write(line + "\n")
        finally:
            if output:
                out.close()
