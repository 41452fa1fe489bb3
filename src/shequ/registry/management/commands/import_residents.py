"""Import a large residents file from the command line, streaming, with progress."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequ.core.errors import DomainError
from shequ.core.models import Area
from shequ.registry import importing


class Command(BaseCommand):
    help = "Check and import residents from an .xlsx or .csv file into an area (by code or path)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--area", required=True, help="12-digit code or path of the community or grid")
        parser.add_argument(
            "--good-rows-only", action="store_true", help="write the good rows even if others are bad"
        )
        parser.add_argument("--bad-rows", default="", help="write the rows with errors to this .xlsx")
        parser.add_argument("--check-only", action="store_true", help="check the file, write nothing")

    def handle(
        self,
        *args: Any,
        file: str,
        area: str,
        good_rows_only: bool,
        bad_rows: str,
        check_only: bool,
        **o: Any,
    ) -> None:
        target = Area.objects.filter(code=area).first() or Area.objects.filter(path=area).first()
        if target is None:
            raise CommandError(f"找不到区域 / no area with code or path {area}")
        path = Path(file)

        def progress(label: str) -> Any:
            def report(n: int) -> None:
                if n % 10_000 == 0:
                    sys.stderr.write(f"\r{label} {n:,}")
                    sys.stderr.flush()

            return report

        try:
            with path.open("rb") as data:
                job = importing.validate(
                    user=None, area=target, data=data, filename=path.name, progress=progress("校验 / checked")
                )
        except (DomainError, OSError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
        sys.stderr.write("\n")
        total, bad = job.total_rows, job.error_rows
        self.stdout.write(f"共 {total} 行，错误 {bad} 行 / {total} rows, {bad} with errors")
        for number, column, header, message in importing.problems_of(job, limit=50):
            self.stdout.write(f"  第{number}行 {column}列（{header}）：{message}")
        if bad_rows and job.error_rows:
            Path(bad_rows).write_bytes(importing.bad_rows_export(user=None, job=job))
            self.stdout.write(f"错误行已写入 / rows with errors written to {bad_rows}")
        if check_only:
            return
        try:
            created = importing.commit(
                user=None, job=job, good_rows_only=good_rows_only, progress=progress("写入 / written")
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        sys.stderr.write("\n")
        self.stdout.write(f"已登记 {created} 名居民 / {created} residents registered")
