"""Restore a backup archive into a new, empty, migrated database (see shequ.core.backup)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shequ.core import backup
from shequ.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Restore a backup into a new, empty database that `shequ migrate` has just created. The archive "
        "is checked completely first; then everything is written in one transaction."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask before writing")
        parser.add_argument("--check", action="store_true", help="check the archive and the target only")
        parser.add_argument(
            "--skip-key-check",
            action="store_true",
            help="restore even if the configured keys differ from the backup's (the data stays unreadable)",
        )

    def handle(
        self,
        *args: Any,
        file: str,
        yes: bool,
        check: bool,
        skip_key_check: bool,
        verbosity: int = 1,
        **o: Any,
    ) -> None:
        def progress(model: str, rows: int) -> None:
            if verbosity > 0:
                sys.stderr.write(f"  {model} {rows:,}\n")

        def confirm(manifest: dict[str, Any]) -> bool:
            if not sys.stdin.isatty():
                raise CommandError("恢复前需确认：请加 --yes / add --yes to restore without a terminal")
            where = connection.settings_dict["NAME"]
            when = manifest["created_at"]
            answer = input(
                f"将 {when} 的备份恢复到 {where}（上传文件到 {settings.MEDIA_ROOT}）？[y/N] "
                f"/ restore the backup of {when} into {where}? "
            )
            return answer.strip().lower() in {"y", "yes", "是"}

        try:
            manifest = backup.restore(
                path=Path(file),
                progress=progress,
                check_keys=not skip_key_check,
                check_only=check,
                confirm=None if yes else confirm,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        rows = sum(t["rows"] for t in manifest["tables"])
        files = len(manifest["media"])
        if check:
            self.stdout.write(
                f"备份完好，可恢复到此数据库：{rows} 行、{files} 个文件 / the archive is sound and fits this "
                f"database: {rows} rows, {files} files"
            )
        else:
            self.stdout.write(
                f"已恢复 {rows} 行数据、{files} 个上传文件 / restored {rows} rows and {files} files"
            )
            if not manifest.get("logged"):
                self.stdout.write(
                    "数据库尚需升级：请运行 `shequ migrate`。本次恢复未写入审计日志 / now run "
                    "`shequ migrate`; this restore is not in the audit log (the log is older than this Shequ)"
                )
