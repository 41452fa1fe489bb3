"""Back up the database and the uploaded files into one .tar.gz (see shequ.core.backup)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shequ.core import backup
from shequ.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Write the whole database and the uploaded files into one .tar.gz archive. "
        "The encryption keys are not in it: keep them apart."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output", "-o", default="", help="the archive to write (default shequ-backup-TIME.tar.gz here)"
        )

    def handle(self, *args: Any, output: str, verbosity: int = 1, **o: Any) -> None:
        target = Path(output or f"shequ-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")

        def progress(model: str, rows: int) -> None:
            if verbosity > 0:
                sys.stderr.write(f"  {model} {rows:,}\n")

        try:
            manifest = backup.backup_create(output=target, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        rows = sum(t["rows"] for t in manifest["tables"])
        files = len(manifest["media"])
        self.stdout.write(
            f"已备份 {rows} 行数据、{files} 个上传文件到 {target} / backed up {rows} rows and {files} files "
            f"to {target}\n"
            "加密密钥不在备份中，请另行保管 / the encryption keys are not in the backup: keep them apart"
        )
