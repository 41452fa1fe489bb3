"""`shequ pitr setup|base|status|restore|verify`: continuous archiving and point-in-time recovery of a
PostgreSQL Shequ (see shequ.core.pitr and docs/operations.md)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequ.core import pitr
from shequ.core.errors import DomainError


class Command(BaseCommand):
    help = "Continuous WAL archiving, base backups and point-in-time recovery (PostgreSQL)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--archive", default="", help="the archive folder (default $SHEQU_PITR_ARCHIVE or DATA/pitr)"
        )
        sub = parser.add_subparsers(dest="what", required=True)
        setup = sub.add_parser("setup", help="the postgresql.conf lines; then check that archiving works")
        setup.add_argument("--no-check", action="store_true", help="only print the lines")
        setup.add_argument(
            "--write", metavar="FILE", help="also write them to FILE (e.g. conf.d/shequ-archive.conf)"
        )
        sub.add_parser("base", help="take a base backup (run daily)")
        sub.add_parser("files", help="copy new uploaded files into the archive (run every few minutes)")
        sub.add_parser("status", help="the base backups, the WAL and how far it reaches")
        restore = sub.add_parser("restore", help="a new cluster recovered to a time")
        restore.add_argument(
            "--to", required=True, help='"YYYY-MM-DD HH:MM[:SS]" (Asia/Shanghai unless an offset)'
        )
        restore.add_argument("--target", required=True, help="a new, empty data directory")
        restore.add_argument("--media", help="an empty folder for the uploaded files")
        restore.add_argument("--check", action="store_true", help="check the archive only; write nothing")
        restore.add_argument(
            "--start", type=int, metavar="PORT", help="start it on PORT and wait until recovered"
        )
        verify = sub.add_parser(
            "verify", help="check the recovered database (DATABASE_URL) against the manifest"
        )
        verify.add_argument("--to", required=True, help="the time it was recovered to")
        verify.add_argument("--base", help="the base backup it came from (default: the last before --to)")
        verify.add_argument("--media", help="the recovered uploaded files (default: MEDIA_ROOT)")

    def handle(self, *args: Any, **o: Any) -> None:
        archive = Path(o["archive"]) if o["archive"] else pitr.default_archive()
        try:
            getattr(self, o["what"])(archive, o)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def setup(self, archive: Path, o: dict[str, Any]) -> None:
        if o["write"]:
            pitr.write_conf(Path(o["write"]), archive=archive)
            self.stdout.write(f"已写入 / written: {o['write']}")
        report = pitr.setup(archive=archive, check=not o["no_check"])
        self.stdout.write("# postgresql.conf (archive_mode needs a restart)\n" + "\n".join(report.lines))
        if report.problems:
            raise CommandError("\n".join(report.problems))
        if report.archived:
            self.stdout.write(f"归档正常 / archiving works: {archive / 'wal'}")

    def base(self, archive: Path, o: dict[str, Any]) -> None:
        m = pitr.base_create(archive=archive)
        rows = sum(m["tables"].values())
        self.stdout.write(
            f"基础备份 {m['name']}：{m['size'] / 1e6:.1f} MB，{rows} 行，{len(m['media'])} 个上传文件"
            f" / base backup {m['name']}: {m['size'] / 1e6:.1f} MB, {rows} rows, {len(m['media'])} files\n"
            "加密密钥不在归档中，请另行保管 / the encryption keys are not in the archive: keep them apart"
        )

    def files(self, archive: Path, o: dict[str, Any]) -> None:
        listing = pitr.media_sync(archive=archive)
        self.stdout.write(
            f"归档中有 {len(listing)} 个上传文件 / {len(listing)} uploaded files in the archive"
        )

    def status(self, archive: Path, o: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(pitr.status(archive=archive), ensure_ascii=False, indent=1))

    def restore(self, archive: Path, o: dict[str, Any]) -> None:
        to = pitr.parse_time(o["to"])
        if o["check"]:
            plan = pitr.restore_plan(archive=archive, to=to)
            self.stdout.write(self._plan(plan))
            return
        plan = pitr.restore(
            archive=archive, target=Path(o["target"]), to=to, media=Path(o["media"]) if o["media"] else None
        )
        self.stdout.write(self._plan(plan) + f"\n已准备 / prepared: {o['target']}")
        if plan.base.get("restored_files") is not None:
            files = plan.base["restored_files"]
            self.stdout.write(
                f"已恢复 {files} 个上传文件到 / restored {files} uploaded files to {o['media']}"
            )
        if o["start"]:
            seconds = pitr.start(Path(o["target"]), port=o["start"])
            self.stdout.write(
                f"已恢复并提升为主库，用时 {seconds:.1f} 秒 / recovered and promoted in {seconds:.1f} s"
            )
        else:
            self.stdout.write(f"启动 / start it: pg_ctl -D {o['target']} -o '-p PORT' start")
        self.stdout.write(
            f"然后检查 / then check: DATABASE_URL=... shequ pitr verify --archive {archive} --to '{o['to']}' "
            f"--base {plan.base['name']}"
        )

    def _plan(self, plan: pitr.RestorePlan) -> str:
        reach = plan.coverage.last_change.isoformat() if plan.coverage.last_change else "-"
        where = "归档末尾 / the end of the archive" if plan.to_end else plan.to.isoformat()
        return (
            f"基础备份 / base backup: {plan.base['name']}\n"
            f"WAL: {len(plan.coverage.segments)} 段 / segments, 最后的变更 / last change {reach}\n"
            f"恢复到 / recovering to: {where}"
        )

    def verify(self, archive: Path, o: dict[str, Any]) -> None:
        report = pitr.verify(
            archive=archive,
            to=pitr.parse_time(o["to"]),
            base_name=o["base"],
            media=Path(o["media"]) if o["media"] else None,
        )
        changed = [(m, b, n) for m, b, n in report.tables if b != n]
        lines = [
            f"基础备份 / base backup {report.base}; 恢复到 / recovered to {report.to.isoformat()}",
            f"表 / tables: {len(report.tables)}, 与基础备份不同 / differing from the base: {len(changed)}",
            *(f"  {m}: {b} → {n if n is not None else '-'}" for m, b, n in changed),
            f"审计日志 / audit chain: {report.audit_checked} 条 / entries, "
            + (
                "完整 / holds"
                if report.audit_broken_at is None
                else f"断开于 / broken at {report.audit_broken_at}"
            )
            + (f", 最后一条 / last {report.audit_last.isoformat()}" if report.audit_last else ""),
            f"上传文件 / uploaded files: {report.files_checked} 个校验通过 / checked",
        ]
        self.stdout.write("\n".join(lines))
        if report.problems:
            raise CommandError("恢复检查未通过 / the recovery check failed:\n" + "\n".join(report.problems))
        self.stdout.write("恢复检查通过 / the recovery check passed")
