"""Anonymise what has outlived its retention (the same run the task queue makes every night)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from shequ.core.retention import audit_entries_past_retention, run_retention


class Command(BaseCommand):
    help = (
        "shequ retention [--dry-run] — anonymise records kept longer than SHEQU_RETENTION_<KIND>_DAYS "
        "(audited); report audit entries older than SHEQU_AUDIT_RETENTION_DAYS (never deleted here)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        verb = "将匿名化 / would anonymise" if dry_run else "已匿名化 / anonymised"
        for o in run_retention(dry_run=dry_run):
            self.stdout.write(
                f"{o.kind}: {verb} {o.count} (保留 / kept {o.days} 天 days, before {o.cutoff:%Y-%m-%d})"
            )
        old = audit_entries_past_retention()
        self.stdout.write(
            f"audit: {old} 条审计记录超过 {settings.AUDIT_RETENTION_DAYS} 天，可归档后由数据库所有者清理 / "
            f"entries older than {settings.AUDIT_RETENTION_DAYS} days may be archived (shequ audit export) "
            "and pruned by the database owner; Shequ never deletes them"
        )
