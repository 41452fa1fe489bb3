"""Continuous archiving and point-in-time recovery of a PostgreSQL Shequ, with PostgreSQL's own tools.

The archive is one folder (on the backup storage):

    wal/                 WAL segments, copied there by the server's archive_command as each fills
                         (or after archive_timeout): the recovery point is at most that far behind
    base/<time>/         base backups by pg_basebackup: base.tar.gz, its backup_manifest (checksums of
                         every file, checked by pg_verifybackup) and shequ.json (when, the WAL range,
                         the row count of every table, the key fingerprints: never the keys)
    media/, media.json   the uploaded files, copied as they come (never deleted) with their SHA-256

A restore picks the last base backup before the wanted time, checks it (pg_verifybackup, with the WAL
it needs) and that the archive holds every WAL segment from it up to that time, and only then writes:
into a staging folder beside the target, renamed to the target at the end, so a refused or failed
restore leaves the target as it was. The server then replays the WAL up to the time and promotes.
`verify` compares the recovered database with the base's manifest, walks the audit chain and checks the
files' checksums, in one report.

Why not pgBackRest or WAL-G: these tools come with the server (no extra daemon or package to keep),
and at a district's size (tens of GB) a base backup a day plus the WAL meets a 15-minute recovery
point; docs/operations.md says when the others are worth it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from shequ.core.errors import DomainError

MANIFEST = "shequ.json"
SEGMENT = re.compile(r"^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$")
COMMIT = re.compile(r"desc: (?:COMMIT|ABORT) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC")
ARCHIVE_TIMEOUT = 60  # seconds: an idle server still ships its last changes within a minute


class PitrError(DomainError):
    """The archive, the base backup or the target cannot be used; the message says why."""

    code = "pitr_refused"


# --- the archive's layout ---------------------------------------------------------------------------


def default_archive() -> Path:
    return Path(os.environ.get("SHEQU_PITR_ARCHIVE") or Path(settings.DATA_DIR) / "pitr")


def _bin(name: str) -> str:
    """A PostgreSQL program of the server's major version (SHEQU_PG_BIN, Debian's folder, or PATH)."""
    folders = [os.environ.get("SHEQU_PG_BIN", "")]
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    folders += [str(p) for p in versions]
    for folder in folders:
        if folder and (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if not found:
        raise PitrError(
            f"找不到 PostgreSQL 程序 {name}，请设置 SHEQU_PG_BIN / PostgreSQL's {name} not found: "
            "set SHEQU_PG_BIN",
            code="pg_missing",
        )
    return found


def _run(args: list[str], *, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    # pg_waldump prints times in the process's own zone (as an abbreviation): make it UTC.
    env = {**os.environ, "TZ": "UTC"}
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)  # noqa: S603 # nosec B603 # our own argument list


def archive_command(archive: Path) -> str:
    """Copy a finished segment into the archive, never over one already there (a second server pointed
    at the same archive by mistake fails loudly instead of mixing its WAL in); write then rename, so a
    half-copied segment never has a segment's name."""
    wal = (Path(archive) / "wal").resolve()
    if any(c in str(wal) for c in "'\"\\$`"):
        raise PitrError("归档路径不能包含引号等字符 / the archive path may not hold quotes", code="bad_path")
    return f'test ! -f "{wal}/%f" && cp "%p" "{wal}/%f.part" && mv "{wal}/%f.part" "{wal}/%f"'


def setup_lines(archive: Path) -> list[str]:
    return [
        "wal_level = replica",
        "archive_mode = on",
        f"archive_command = '{archive_command(archive)}'",
        f"archive_timeout = {ARCHIVE_TIMEOUT}",
        "max_wal_senders = 3",
    ]


def write_conf(path: Path, *, archive: Path) -> None:
    """The lines as a file of their own for the server's conf.d; an existing file is replaced only
    when it is one Shequ wrote (it starts with our header)."""
    header = "# shequ pitr setup: continuous archiving (docs/operations.md)\n"
    text = header + "\n".join(setup_lines(archive)) + "\n"
    if path.exists() and not path.read_text(errors="replace").startswith(header):
        raise PitrError(
            f"文件已存在且不是 Shequ 写的，不会覆盖：{path} / {path} exists and was not written by Shequ; "
            "it is not overwritten",
            code="conf_exists",
        )
    try:
        path.write_text(text)
    except OSError as exc:
        raise PitrError(
            f"无法写入 {path}（{exc.strerror}）/ cannot write {path}", code="not_writable"
        ) from exc


def archive_prepare(archive: Path) -> None:
    for sub in ("wal", "base", "media"):
        (Path(archive) / sub).mkdir(parents=True, exist_ok=True, mode=0o700)


def _conninfo() -> dict[str, str]:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        raise PitrError(
            "时间点恢复只用于 PostgreSQL；SQLite 请用 `shequ backup` / point-in-time recovery is for "
            "PostgreSQL; on SQLite use `shequ backup`",
            code="not_postgresql",
        )
    info = {"host": db.get("HOST") or "", "port": str(db.get("PORT") or ""), "user": db.get("USER") or ""}
    return {k: v for k, v in info.items() if v}


def _pg_env() -> dict[str, str]:
    env = dict(os.environ)
    password = settings.DATABASES["default"].get("PASSWORD")
    if password:
        env["PGPASSWORD"] = password
    return env


# --- setup ------------------------------------------------------------------------------------------


@dataclass
class SetupReport:
    lines: list[str]
    settings: dict[str, str]
    archived: bool
    problems: list[str] = field(default_factory=list)


def setup(*, archive: Path, check: bool = True, wait: float = 30) -> SetupReport:
    """Create the archive, and (with `check`) see that the server archives into it: ask it to switch
    to a new segment and wait until the finished one is there."""
    archive = Path(archive)
    archive_prepare(archive)
    lines = setup_lines(archive)
    report = SetupReport(lines=lines, settings={}, archived=False)
    if not check:
        return report
    _conninfo()
    with connection.cursor() as cursor:
        for name in ("wal_level", "archive_mode", "archive_command", "archive_timeout"):
            cursor.execute(f"SHOW {name}")
            report.settings[name] = cursor.fetchone()[0]
    if report.settings["wal_level"] not in {"replica", "logical"}:
        report.problems.append("wal_level 应为 replica / wal_level must be replica")
    if report.settings["archive_mode"] not in {"on", "always"}:
        report.problems.append("archive_mode 应为 on（改后需重启服务器）/ archive_mode must be on (restart)")
    if report.settings["archive_command"] != archive_command(archive):
        report.problems.append(
            "archive_command 不是上面这一行（改后 SELECT pg_reload_conf()）/ archive_command is not the line "
            "above (then SELECT pg_reload_conf())"
        )
    if report.problems:
        return report
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_walfile_name(pg_switch_wal())")
        segment = cursor.fetchone()[0]
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if (archive / "wal" / segment).is_file():
            report.archived = True
            return report
        time.sleep(0.2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT failed_count, last_failed_wal FROM pg_stat_archiver")
        failed, last = cursor.fetchone()
    report.problems.append(
        f"{wait:.0f} 秒内段 {segment} 未出现在归档中（失败 {failed} 次，最后失败 {last}），请查看服务器日志"
        " / "
        f"segment {segment} did not reach the archive in {wait:.0f} s ({failed} failures, last {last}): see "
        "the server's log"
    )
    return report


# --- base backup ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def media_sync(*, archive: Path) -> dict[str, dict[str, Any]]:
    """Copy uploaded files not yet in the archive (uploads are never changed in place, only added);
    returns the archive's whole list, path → size and SHA-256, also kept in media.json."""
    archive = Path(archive)
    listing_file = archive / "media.json"
    listing: dict[str, dict[str, Any]] = json.loads(listing_file.read_text()) if listing_file.exists() else {}
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            rel = path.relative_to(root).as_posix()
            size = path.stat().st_size
            if rel in listing and listing[rel]["size"] == size:
                continue
            target = archive / "media" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_name(target.name + ".part")
            shutil.copyfile(path, part)
            os.replace(part, target)
            listing[rel] = {"size": size, "sha256": _sha256(target)}
    part = listing_file.with_name("media.json.part")
    part.write_text(json.dumps(listing, ensure_ascii=False, indent=0, sort_keys=True))
    os.replace(part, listing_file)
    return listing


def table_counts() -> dict[str, int]:
    from shequ.core.backup import copied_models

    return {m._meta.label_lower: m._base_manager.count() for m in copied_models()}


def counted() -> tuple[dict[str, int], int]:
    """Every table's rows and the last audit entry's id, as of one moment (one snapshot)."""
    from shequ.core.models import AuditEntry

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        counts = table_counts()
        last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return counts, last


def segment_name(timeline: int, lsn: str, segment_size: int) -> str:
    high, low = (int(part, 16) for part in lsn.split("/"))
    number = ((high << 32) | low) // segment_size
    per_log = 0x100000000 // segment_size
    return f"{timeline:08X}{number // per_log:08X}{number % per_log:08X}"


def _next_segment(name: str, segment_size: int) -> str:
    timeline, log, seg = (int(x, 16) for x in SEGMENT.match(name).groups())  # type: ignore[union-attr]
    seg += 1
    if seg >= 0x100000000 // segment_size:
        log, seg = log + 1, 0
    return f"{timeline:08X}{log:08X}{seg:08X}"


def base_create(*, archive: Path) -> dict[str, Any]:
    """pg_basebackup (tar, compressed, its manifest of checksums; the WAL comes from the archive), then
    Shequ's manifest: when, the WAL range, each table's row count, the uploaded files."""
    archive = Path(archive)
    info = _conninfo()
    archive_prepare(archive)
    if not any((archive / "wal").iterdir()):
        raise PitrError(
            "归档中还没有 WAL：请先运行 `shequ pitr setup` / the archive holds no WAL yet: run "
            "`shequ pitr setup` first",
            code="not_archiving",
        )
    started = datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix=".base-", dir=archive / "base"))
    args = [_bin("pg_basebackup"), "-D", str(work), "-Ft", "-z", "-X", "none", "--checkpoint=fast"]
    args += [f"--{k}={v}" for k, v in info.items()]
    done = subprocess.run(args, capture_output=True, text=True, env=_pg_env(), timeout=6 * 3600, check=False)  # noqa: S603 # nosec B603
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        raise PitrError(
            f"pg_basebackup 失败 / pg_basebackup failed: {done.stderr.strip()}", code="base_failed"
        )
    finished = datetime.now(UTC)
    pg_manifest = json.loads((work / "backup_manifest").read_text())
    ranges = pg_manifest["WAL-Ranges"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::bigint * 1 FROM pg_settings WHERE name = 'wal_segment_size'")
        segment_size = int(cursor.fetchone()[0])
    from shequ.core.backup import key_fingerprints

    media = media_sync(archive=archive)
    counts, audit_last_id = counted()
    manifest = {
        "format": "shequ-pitr-base",
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "timeline": ranges[0]["Timeline"],
        "start_lsn": ranges[0]["Start-LSN"],
        "end_lsn": ranges[-1]["End-LSN"],
        "wal_segment_size": segment_size,
        "start_segment": segment_name(ranges[0]["Timeline"], ranges[0]["Start-LSN"], segment_size),
        "end_segment": segment_name(ranges[-1]["Timeline"], ranges[-1]["End-LSN"], segment_size),
        # Counted just after the backup ended. Every change in Shequ writes an audit entry, so a
        # database recovered to a moment whose last audit entry is this one must match them exactly.
        "counted_at": datetime.now(UTC).isoformat(),
        "tables": counts,
        "audit_last_id": audit_last_id,
        "keys": key_fingerprints(),
        "media": media,
        "size": sum(p.stat().st_size for p in work.iterdir()),
    }
    (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    name = finished.strftime("%Y%m%dT%H%M%SZ")
    final = archive / "base" / name
    os.rename(work, final)
    final.chmod(0o700)
    manifest["name"] = name
    return manifest


def bases(archive: Path) -> list[dict[str, Any]]:
    """The base backups of the archive, oldest first (those with a manifest: a finished backup)."""
    found = []
    folder = Path(archive) / "base"
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_dir() and not path.name.startswith(".") and (path / MANIFEST).is_file():
                found.append({**json.loads((path / MANIFEST).read_text()), "name": path.name, "path": path})
    return found


# --- the WAL in the archive -------------------------------------------------------------------------


@dataclass
class WalCoverage:
    """What the archive's WAL reaches from a base backup on."""

    segments: list[str]  # contiguous from the base's first segment
    missing: str | None  # the first missing segment when later ones exist (a gap), else None
    last_change: datetime | None  # the last commit in the contiguous run: the latest reachable time


def _segments(archive: Path) -> list[str]:
    folder = Path(archive) / "wal"
    return sorted(p.name for p in folder.iterdir() if SEGMENT.match(p.name)) if folder.is_dir() else []


def _last_change(archive: Path, segments: list[str]) -> datetime | None:
    """The time of the last commit in these segments (pg_waldump, newest segment first)."""
    wal = str(Path(archive) / "wal")
    for i in range(len(segments) - 1, -1, -1):
        start = segments[max(i - 1, 0)]  # a record may begin in the previous segment
        done = _run([_bin("pg_waldump"), "-p", wal, "-r", "Transaction", start, segments[i]], timeout=300)
        stamps = COMMIT.findall(done.stdout)
        if stamps:
            return datetime.fromisoformat(stamps[-1]).replace(tzinfo=UTC)
    return None


def wal_coverage(archive: Path, base: dict[str, Any]) -> WalCoverage:
    present = [s for s in _segments(archive) if s[:8] == base["start_segment"][:8]]
    have = set(present)
    run: list[str] = []
    name = base["start_segment"]
    while name in have:
        run.append(name)
        name = _next_segment(name, base["wal_segment_size"])
    later = [s for s in present if s > name]
    missing = name if (later or not run) else None
    return WalCoverage(segments=run, missing=missing, last_change=_last_change(archive, run) if run else None)


# --- restore ----------------------------------------------------------------------------------------


def parse_time(text: str) -> datetime:
    """ "2026-12-02 14:05" (or with seconds, or ISO with an offset); without an offset it is the
    installation's time zone (Asia/Shanghai)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise PitrError(
            f"时间格式应为 YYYY-MM-DD HH:MM / the time must read YYYY-MM-DD HH:MM: {text}", code="bad_time"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment


def pick_base(archive: Path, to: datetime) -> dict[str, Any]:
    usable = [b for b in bases(archive) if datetime.fromisoformat(b["finished_at"]) <= to]
    if not usable:
        raise PitrError(
            f"归档中没有早于 {to:%Y-%m-%d %H:%M} 的基础备份 / the archive has no base backup finished "
            f"before {to:%Y-%m-%d %H:%M}",
            code="no_base",
        )
    return usable[-1]


@dataclass
class RestorePlan:
    base: dict[str, Any]
    to: datetime
    coverage: WalCoverage
    to_end: bool  # nothing changed between the last archived change and the wanted time: replay it all


def restore_plan(*, archive: Path, to: datetime) -> RestorePlan:
    """Everything checked that can be checked without writing: a base before the time, the WAL from it
    up to the time with no segment missing."""
    archive = Path(archive)
    base = pick_base(archive, to)
    coverage = wal_coverage(archive, base)
    if not coverage.segments:
        raise PitrError(
            f"归档缺少 WAL 段 {coverage.missing}（基础备份 {base['name']} 的起点），无法恢复 / WAL segment "
            f"{coverage.missing} is missing from the archive (where base backup {base['name']} starts)",
            code="wal_missing",
        )
    if base["end_segment"] not in coverage.segments:
        raise PitrError(
            f"归档缺少 WAL 段 {coverage.missing}，基础备份 {base['name']} 无法完成 / WAL segment "
            f"{coverage.missing} is missing: base backup {base['name']} cannot be made consistent",
            code="wal_missing",
        )
    last = coverage.last_change
    to_end = last is None or last < to
    if to_end and coverage.missing:
        reach = f"{last.astimezone(to.tzinfo):%Y-%m-%d %H:%M:%S}" if last else base["finished_at"]
        raise PitrError(
            f"归档缺少 WAL 段 {coverage.missing}，只能恢复到 {reach}，无法恢复到 {to:%Y-%m-%d %H:%M:%S}"
            " / WAL "
            f"segment {coverage.missing} is missing from the archive: it reaches {reach}, not "
            f"{to:%Y-%m-%d %H:%M:%S}",
            code="wal_missing",
        )
    return RestorePlan(base=base, to=to, coverage=coverage, to_end=to_end)


def _refuse_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PitrError(
            f"目标文件夹不是空的，恢复不会覆盖已有数据：{target} / the target is not empty; a restore never "
            f"writes over an existing cluster: {target}",
            code="target_not_empty",
        )


def _extract(tarball: Path, into: Path, name: str) -> None:
    try:
        with tarfile.open(tarball) as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, FileNotFoundError) as exc:
        raise PitrError(
            f"基础备份 {name} 无法解包（{exc}），未写入目标 / base backup {name} does not unpack ({exc}), "
            "the target is untouched",
            code="base_damaged",
        ) from exc


def recovery_settings(archive: Path, plan: RestorePlan) -> list[str]:
    wal = (Path(archive) / "wal").resolve()
    lines = [
        f'restore_command = \'cp "{wal}/%f" "%p"\'',
        # The recovered cluster must not archive into the archive it came from.
        "archive_mode = off",
    ]
    if not plan.to_end:
        lines += [
            f"recovery_target_time = '{plan.to.isoformat(sep=' ')}'",
            "recovery_target_action = 'promote'",
        ]
    return lines


def restore(*, archive: Path, target: Path, to: datetime, media: Path | None = None) -> RestorePlan:
    """Prepare `target` (absent or empty) as a cluster that recovers to `to` and promotes when started.
    Refuses a damaged archive before writing anything into the target."""
    archive, target = Path(archive), Path(target).absolute()
    _refuse_target(target)
    if media is not None:
        media = Path(media).absolute()
        if media.exists() and any(media.iterdir()):
            raise PitrError(
                f"上传文件夹不是空的：{media} / the media folder is not empty: {media}",
                code="target_not_empty",
            )
    plan = restore_plan(archive=archive, to=to)
    base_dir: Path = plan.base["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.restoring-", dir=target.parent))
    try:
        _extract(base_dir / "base.tar.gz", staging, plan.base["name"])
        shutil.copyfile(base_dir / "backup_manifest", staging / "backup_manifest")
        done = _run([_bin("pg_verifybackup"), "-w", str(archive / "wal"), str(staging)])
        if done.returncode != 0:
            raise PitrError(
                f"基础备份 {plan.base['name']} 校验失败，未写入目标 / base backup {plan.base['name']} failed "
                f"pg_verifybackup, the target is untouched: {(done.stderr or done.stdout).strip()[:800]}",
                code="base_damaged",
            )
        (staging / "backup_manifest").unlink()
        with (staging / "postgresql.auto.conf").open("a") as conf:
            conf.write("\n# shequ pitr restore\n" + "\n".join(recovery_settings(archive, plan)) + "\n")
        for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):  # Debian keeps them in /etc
            if not (staging / name).exists():
                (staging / name).write_text(_DEFAULT_CONF.get(name, ""))
        (staging / "recovery.signal").touch()
        staging.chmod(0o700)
        files = _media_restore(archive, media) if media is not None else None
        if target.exists():
            target.rmdir()
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if media is not None and media.is_dir():  # it was empty or absent: what is in it now is ours
            for path in list(media.iterdir()):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        raise
    plan.base["restored_files"] = files
    return plan


_DEFAULT_CONF = {
    "postgresql.conf": "listen_addresses = 'localhost'\n",
    "pg_hba.conf": (
        "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n"
    ),
}


def _media_restore(archive: Path, media: Path) -> int:
    listing = (
        json.loads((Path(archive) / "media.json").read_text())
        if (Path(archive) / "media.json").exists()
        else {}
    )
    for rel, meta in listing.items():
        source = Path(archive) / "media" / rel
        if not source.is_file() or _sha256(source) != meta["sha256"]:
            raise PitrError(
                f"归档中的上传文件已损坏或缺失：{rel} / an uploaded file is damaged or missing: {rel}",
                code="media_damaged",
            )
        out = media / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out)
    return len(listing)


def start(target: Path, *, port: int, wait: float = 600) -> float:
    """Start the recovered cluster on `port` and wait until it has replayed to the target and promoted
    (recovery.signal gone); returns the seconds it took."""
    if os.name == "posix" and os.geteuid() == 0:
        raise PitrError(
            "PostgreSQL 不以 root 运行：请以数据库的系统用户运行（如 sudo -u postgres shequ pitr restore）/ "
            "PostgreSQL does not run as root: run this as the database's system user "
            "(e.g. sudo -u postgres shequ pitr restore)",
            code="as_root",
        )
    began = time.monotonic()
    log = Path(target) / "restore.log"
    done = _run(
        [
            _bin("pg_ctl"),
            "-D",
            str(target),
            "-l",
            str(log),
            "-o",
            f"-p {int(port)}",
            "-w",
            "-t",
            str(int(wait)),
            "start",
        ],
        timeout=wait + 30,
    )
    if done.returncode != 0:
        raise PitrError(
            f"恢复的集群未能启动 / the recovered cluster did not start: {_tail(log)}", code="start_failed"
        )
    deadline = time.monotonic() + wait
    while (Path(target) / "recovery.signal").exists():
        if time.monotonic() > deadline:
            raise PitrError(
                f"恢复未在 {wait:.0f} 秒内完成 / recovery did not finish: {_tail(log)}", code="start_failed"
            )
        if _run([_bin("pg_ctl"), "-D", str(target), "status"]).returncode != 0:
            raise PitrError(f"恢复失败 / recovery failed: {_tail(log)}", code="recovery_failed")
        time.sleep(0.2)
    return time.monotonic() - began


def _tail(log: Path) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-8:])
    except OSError:
        return ""


# --- status -----------------------------------------------------------------------------------------


def status(*, archive: Path) -> dict[str, Any]:
    archive = Path(archive)
    found = bases(archive)
    segments = _segments(archive)
    report: dict[str, Any] = {
        "archive": str(archive),
        "bases": [{"name": b["name"], "finished_at": b["finished_at"], "size": b["size"]} for b in found],
        "wal_segments": len(segments),
        "wal_first": segments[0] if segments else None,
        "wal_last": segments[-1] if segments else None,
        "wal_bytes": sum((archive / "wal" / s).stat().st_size for s in segments),
    }
    if found:
        coverage = wal_coverage(archive, found[-1])
        report["missing"] = coverage.missing
        report["reaches"] = coverage.last_change.isoformat() if coverage.last_change else None
    if connection.vendor == "postgresql":  # the server's side: a failing archive_command shows here first
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal,"
                " last_failed_time FROM pg_stat_archiver"
            )
            names = [c.name for c in cursor.description]
            row = cursor.fetchone()
        report["archiver"] = {
            k: v.isoformat() if isinstance(v, datetime) else v for k, v in zip(names, row, strict=True)
        }
    return report


# --- verify -----------------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    base: str
    to: datetime
    tables: list[tuple[str, int, int | None]]  # model, at the base, now (None: table missing)
    audit_checked: int
    audit_broken_at: int | None
    audit_last: datetime | None
    files_checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    *, archive: Path, to: datetime, base_name: str | None = None, media: Path | None = None
) -> VerifyReport:
    """Check the database this Shequ is connected to (the recovered one) against the base backup's
    manifest: every table there; at the base's own moment the same counts, after it the audit log no
    shorter; the audit chain whole and its last entry not after `to`; every uploaded file present with
    its checksum."""
    from shequ.core.audit import verify_chain
    from shequ.core.models import AuditEntry

    archive = Path(archive)
    base = (
        next((b for b in bases(archive) if b["name"] == base_name), None)
        if base_name
        else pick_base(archive, to)
    )
    if base is None:
        raise PitrError(f"没有基础备份 {base_name} / no base backup {base_name}", code="no_base")
    problems: list[str] = []
    now = table_counts()
    rows: list[tuple[str, int, int | None]] = []
    from shequ.core.models import AuditEntry as Entry

    last_id = Entry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    at_base = last_id == base.get("audit_last_id", -1)  # nothing changed since the base: the same rows
    for model, count in sorted(base["tables"].items()):
        current = now.get(model)
        rows.append((model, count, current))
        if current is None:
            problems.append(f"缺少表 {model} / table {model} is missing")
        elif at_base and current != count:
            problems.append(
                f"{model}: {current} 行，基础备份时 {count} 行 / {current} rows, {count} at the base"
            )
    audit_base = base["tables"].get("core.auditentry", 0)
    if now.get("core.auditentry", 0) < audit_base:
        problems.append(
            f"审计日志少于基础备份时（{now.get('core.auditentry', 0)} < {audit_base}）/ the audit log is "
            "shorter "
            "than at the base backup"
        )
    chain = verify_chain()
    if chain.broken_at is not None:
        problems.append(
            f"审计日志链在第 {chain.broken_at} 条处断开 / the audit chain breaks at {chain.broken_at}"
        )
    last = AuditEntry.objects.order_by("-id").values_list("at", flat=True).first()
    if last is not None and last > to:
        problems.append(
            f"有晚于恢复时间的审计记录（{last.isoformat()}）/ an audit entry is later than the target"
        )
    root = Path(media) if media is not None else Path(settings.MEDIA_ROOT)
    checked = 0
    for rel, meta in sorted(base.get("media", {}).items()):
        path = root / rel
        if not path.is_file():
            problems.append(f"缺少上传文件 {rel} / uploaded file missing: {rel}")
        elif _sha256(path) != meta["sha256"]:
            problems.append(f"上传文件校验和不符 {rel} / uploaded file checksum mismatch: {rel}")
        else:
            checked += 1
    return VerifyReport(
        base=base["name"],
        to=to,
        tables=rows,
        audit_checked=chain.checked,
        audit_broken_at=chain.broken_at,
        audit_last=last,
        files_checked=checked,
        problems=problems,
    )
