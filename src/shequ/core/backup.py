"""Backup and restore: the whole database and the uploaded files in one .tar.gz, database-neutral.

An archive holds `manifest.json` first (format, Shequ version, the migrations applied per app, the
vendor it came from, the key fingerprints, and per member its row count and SHA-256), then one JSON
lines file per table (`data/<app>.<model>.jsonl`, one array of column values per row, in primary key
order), then the files under MEDIA_ROOT (`media/<path>`). Rows are read and written through each
field's own conversion, never through model save(), so encrypted columns travel as the ciphertext
they are (nothing is decrypted or sealed again), primary keys are kept, and a backup taken on SQLite
restores into PostgreSQL and back. Tables are streamed, never held in memory.

A restore writes only into an empty database migrated to the same migrations, and only after the
whole archive has been read and every checksum matched; then everything goes in one transaction, so
a failure leaves the target as empty as it was. The encryption keys are never in an archive.
"""

from __future__ import annotations

import base64
import errno
import gzip
import hashlib
import hmac
import json
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.duration import duration_string

from shequ.core.audit import audit_log
from shequ.core.errors import DomainError
from shequ.core.models import AuditAction

FORMAT = "shequ-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Logins in progress are not worth keeping: a restore signs everyone out.
SKIPPED = {"sessions.session"}
# A database where these are empty has never been used: every change in Shequ writes an audit entry,
# and nothing exists without an area or an account. What such a database holds was put there by
# `migrate` (content types, permissions, reference data a migration seeds); a restore replaces it
# with the backup's rows, so content type ids and edited reference data are what they were.
IN_USE = ["core.auditentry", "core.area", "core.user"]
BATCH_ROWS = 1000
CHUNK = 1024 * 1024
KEY_CHECK = b"shequ backup key check"
# Values a JSON array holds as they are, so they need no conversion either way.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BooleanField",
    "CharField",
    "TextField",
    "EmailField",
    "SlugField",
    "URLField",
}

Progress = Callable[[str, int], None]


class BackupError(DomainError):
    """The archive cannot be written, read or restored here; the message says why and what to do."""

    code = "backup_refused"


# --- what is copied -------------------------------------------------------------------------------


def copied_models() -> list[type[models.Model]]:
    """Every table of every installed app (including many-to-many tables), in app order."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in SKIPPED
    ]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _kind(field: models.Field) -> str:
    while field.is_relation:  # a foreign key holds what its target field holds
        field = field.target_field  # type: ignore[attr-defined]
    return field.get_internal_type()


def _encoder(field: models.Field) -> Callable[[Any], Any] | None:
    kind = _kind(field)
    if kind in PLAIN_TYPES or kind == "JSONField":
        return None
    if kind in {"DateTimeField", "DateField", "TimeField"}:
        return lambda v: v.isoformat()  # microseconds and offset kept
    if kind == "DurationField":
        return duration_string
    if kind == "BinaryField":
        return lambda v: base64.b64encode(bytes(v)).decode()
    return str  # DecimalField, UUIDField, GenericIPAddressField, …: their text form


def _decoder(field: models.Field) -> Callable[[Any], Any] | None:
    """From the JSON value to what the database driver takes, through the field's own conversion.
    Dates, times and JSON, the common kinds, take a shorter path to the same adapters."""
    kind = _kind(field)
    if kind in PLAIN_TYPES:
        return None
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: this runs for every value
    ops = db.ops
    if kind == "DateTimeField":
        return lambda v: ops.adapt_datetimefield_value(datetime.fromisoformat(v))
    if kind == "DateField":
        return lambda v: ops.adapt_datefield_value(date.fromisoformat(v))
    if kind == "JSONField":
        encoder = field.encoder  # type: ignore[attr-defined]
        return lambda v: ops.adapt_json_value(v, encoder)
    target = field
    while target.is_relation:
        target = target.target_field  # type: ignore[attr-defined]

    def decode(value: Any) -> Any:
        return field.get_db_prep_save(target.to_python(value), db)

    return decode


def _plain_decoder(value: Any) -> Any:
    """A column this Shequ has no field for: text and numbers as they are (the database casts them)."""
    return json.dumps(value) if isinstance(value, dict | list) else value


def _member(model: type[models.Model]) -> str:
    return f"data/{model._meta.label_lower}.jsonl"


# --- keys: fingerprints only, never the keys --------------------------------------------------------


def _fingerprint(secret: bytes) -> str:
    return hmac.new(secret, KEY_CHECK, hashlib.sha256).hexdigest()[:16]


def key_fingerprints() -> dict[str, Any]:
    """Which keys this installation uses, as ids and HMAC fingerprints that reveal nothing of them."""
    encryption = {}
    for part in (p.strip() for p in settings.ENCRYPTION_KEYS.split(",")):
        if part:
            kid, _, b64 = part.partition(":")
            encryption[kid] = _fingerprint(base64.b64decode(b64))
    return {"encryption": encryption, "blind_index": _fingerprint(settings.BLIND_INDEX_KEY.encode())}


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _unapplied_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def _shequ_version() -> str:
    try:
        return metadata.version("shequ")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- errors on files --------------------------------------------------------------------------------


def _write_error(exc: OSError, where: Path) -> BackupError:
    if exc.errno in {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}:
        return BackupError(
            f"磁盘空间不足，无法写入 {where}（{exc.strerror}）/ not enough disk space to write {where}",
            code="disk_full",
        )
    if exc.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
        return BackupError(
            f"没有写入 {where} 的权限（{exc.strerror}）/ no permission to write {where}",
            code="not_writable",
        )
    if exc.errno in {errno.ENOENT, errno.ENOTDIR}:
        return BackupError(f"文件夹不存在：{where} / no such folder: {where}", code="not_writable")
    return BackupError(f"无法写入 {where}（{exc.strerror}）/ cannot write {where}", code="not_writable")


def _damaged(path: Path, why: str) -> BackupError:
    return BackupError(
        f"备份文件已损坏或不是 Shequ 备份：{path}（{why}）/ the archive is damaged or not a Shequ backup",
        code="backup_damaged",
    )


# --- backup -----------------------------------------------------------------------------------------


@contextmanager
def _snapshot() -> Iterator[None]:
    """Every table read as of one moment, without stopping writers."""
    if connection.in_atomic_block:  # already in a transaction (a test): that is the snapshot
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        # transaction.atomic() would BEGIN IMMEDIATE and hold the write lock for the whole backup;
        # a deferred read transaction sees one snapshot of the WAL and lets writers go on.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("COMMIT")


def _dump_table(model: type[models.Model], out: IO[bytes]) -> tuple[int, str]:
    fields = _columns(model)
    encoders = [_encoder(f) for f in fields]
    needs = any(encoders)
    rows = (
        model._base_manager.order_by(model._meta.pk.attname)
        .values_list(*[f.attname for f in fields])
        .iterator(chunk_size=2000)
    )
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        values: Any = row
        if needs:
            values = [v if e is None or v is None else e(v) for e, v in zip(encoders, row, strict=True)]
        # Keys sorted: PostgreSQL's jsonb keeps no order, so archives from either vendor compare equal.
        line = (json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode()
        out.write(line)
        digest.update(line)
        count += 1
    return count, digest.hexdigest()


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info


def backup_create(*, output: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Write the archive to `output` (refused if it exists); returns the manifest. The file is readable
    by its owner only: it holds names and addresses in clear and the sensitive fields as ciphertext."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"不支持的数据库 / unsupported database: {connection.vendor}")
    output = Path(output)
    pending = _unapplied_migrations()
    if pending:
        raise BackupError(
            f"数据库有未执行的迁移（{', '.join(pending[:3])}），请先运行 `shequ migrate` / the database "
            f"lacks migrations ({', '.join(pending[:3])}): run `shequ migrate` first",
            code="not_migrated",
        )
    if output.exists():
        raise BackupError(f"文件已存在，不会覆盖：{output} / {output} exists; it is not overwritten")
    try:
        work = Path(tempfile.mkdtemp(prefix=".shequ-backup-", dir=output.parent))
    except OSError as exc:
        raise _write_error(exc, output.parent) from exc
    partial = output.with_name(output.name + ".partial")
    try:
        manifest = _write_archive(output=output, partial=partial, work=work, progress=progress)
    except OSError as exc:
        raise _write_error(exc, output) from exc
    except DatabaseError as exc:
        raise BackupError(
            f"备份失败，数据库出错：{exc} / the backup failed on a database error: {exc}",
            code="backup_failed",
        ) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with suppress(FileNotFoundError):
            partial.unlink()
    total = sum(t["rows"] for t in manifest["tables"])
    audit_log(
        action=AuditAction.EXPORT,
        object_repr=f"backup {output.name}"[:200],
        changes={"rows": total, "files": len(manifest["media"]), "sha256": _sha256_file(output)},
    )
    return manifest


def _write_archive(*, output: Path, partial: Path, work: Path, progress: Progress | None) -> dict[str, Any]:
    tables: list[dict[str, Any]] = []
    with _snapshot():
        applied = _applied_migrations()
        for i, model in enumerate(copied_models()):
            file = work / f"{i:04d}.jsonl"
            with file.open("wb") as out:
                rows, sha = _dump_table(model, out)
            tables.append(
                {
                    "model": model._meta.label_lower,
                    "table": model._meta.db_table,
                    "member": _member(model),
                    "file": file.name,
                    "columns": [f.column for f in _columns(model)],
                    "rows": rows,
                    "sha256": sha,
                }
            )
            if progress:
                progress(model._meta.label_lower, rows)
    # Files are copied after the database snapshot: one uploaded meanwhile is in, never one missing
    # (uploads are written before the row that names them).
    media: list[dict[str, Any]] = [
        {"path": rel, "size": path.stat().st_size, "sha256": _sha256_file(path), "source": str(path)}
        for rel, path in _media_files()
    ]
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "shequ_version": _shequ_version(),
        "created_at": datetime.now(UTC).isoformat(),
        "database_vendor": connection.vendor,
        "migrations": applied,
        "keys": key_fingerprints(),
        "tables": [{k: v for k, v in t.items() if k != "file"} for t in tables],
        "media": [{k: v for k, v in m.items() if k != "source"} for m in media],
    }
    encoded = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(_tarinfo(MANIFEST, len(encoded)), _BytesReader(encoded))
            for t in tables:
                file = work / t["file"]
                with file.open("rb") as f:
                    tar.addfile(_tarinfo(t["member"], file.stat().st_size), f)
                file.unlink()  # the disk holds one copy of each table at a time, not two
            for m in media:
                with open(m["source"], "rb") as f:
                    tar.addfile(_tarinfo(f"media/{m['path']}", m["size"]), f)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, output)
    return manifest


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


# --- reading an archive -----------------------------------------------------------------------------


@contextmanager
def _open_archive(path: Path) -> Iterator[Iterator[tuple[tarfile.TarInfo, IO[bytes]]]]:
    """The members in order, streamed; any damage of the gzip or tar layers becomes a BackupError."""
    try:
        tar = tarfile.open(path, mode="r|gz")  # noqa: SIM115 (closed below, after the caller's body)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件 / no such file: {path}", code="not_found") from exc
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise _damaged(path, str(exc)) from exc

    def members() -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
        for info in tar:
            if not info.isfile():
                raise _damaged(path, f"unexpected member {info.name}")
            f = tar.extractfile(info)
            assert f is not None
            yield info, f

    try:
        # Reading a member happens in the caller's body: its errors come back through this yield.
        yield members()
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise _damaged(path, str(exc)) from exc
    finally:
        tar.close()


def _media_path(rel: str) -> str:
    p = PurePosixPath(rel)
    if not rel or p.is_absolute() or any(part in {"", ".", ".."} for part in rel.split("/")):
        raise BackupError(f"备份中的文件路径不安全 / unsafe file path in the archive: {rel!r}")
    return str(p)


def _read_manifest(path: Path, info: tarfile.TarInfo, f: IO[bytes]) -> dict[str, Any]:
    if info.name != MANIFEST or info.size > 64 * 1024 * 1024:
        raise _damaged(path, "manifest.json is not the first member")
    try:
        manifest = json.loads(f.read())
    except ValueError as exc:
        raise _damaged(path, "manifest.json is not JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, "no Shequ manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {manifest.get('format_version')} 不受支持，请升级 Shequ / backup format version "
            f"{manifest.get('format_version')} is not supported by this Shequ (it reads {FORMAT_VERSION})",
            code="backup_too_new",
        )
    for key in ("migrations", "tables", "media", "keys", "created_at"):
        if key not in manifest:
            raise _damaged(path, f"manifest.json has no {key}")
    for m in manifest["media"]:
        _media_path(m["path"])
    return manifest


def _expected(manifest: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    """Member name → (sha256, rows or None for a file)."""
    expected: dict[str, tuple[str, int | None]] = {
        t["member"]: (t["sha256"], t["rows"]) for t in manifest["tables"]
    }
    expected.update({f"media/{m['path']}": (m["sha256"], None) for m in manifest["media"]})
    return expected


def archive_verify(path: Path) -> dict[str, Any]:
    """Read the whole archive once: the manifest is sound, every member is there once, nothing else
    is, and every checksum and row count matches. Writes nothing. Returns the manifest."""
    path = Path(path)
    with _open_archive(path) as members:
        first = next(members, None)
        if first is None:
            raise _damaged(path, "empty archive")
        manifest = _read_manifest(path, *first)
        expected = _expected(manifest)
        seen: set[str] = set()
        for info, f in members:
            if info.name not in expected or info.name in seen:
                raise _damaged(path, f"unexpected member {info.name}")
            seen.add(info.name)
            sha, rows = expected[info.name]
            digest, lines = hashlib.sha256(), 0
            while chunk := f.read(CHUNK):
                digest.update(chunk)
                lines += chunk.count(b"\n")
            if digest.hexdigest() != sha:
                raise BackupError(
                    f"校验和不符，备份已损坏：{info.name} / checksum mismatch, the archive is damaged: "
                    f"{info.name}",
                    code="backup_damaged",
                )
            if rows is not None and lines != rows:
                raise _damaged(path, f"{info.name} holds {lines} rows, the manifest says {rows}")
        missing = sorted(set(expected) - seen)
        if missing:
            raise _damaged(path, f"missing {', '.join(missing[:5])}")
    return manifest


# --- restore ----------------------------------------------------------------------------------------


def target_problems(manifest: dict[str, Any], *, check_keys: bool = True) -> list[str]:
    """Why this database (and media folder) cannot take this backup; empty when it can."""
    problems: list[str] = []
    if connection.vendor not in {"sqlite", "postgresql"}:
        return [f"不支持的数据库 / unsupported database: {connection.vendor}"]
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    backup_state = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(backup_state - set(known))
    if unknown:
        names = ", ".join(f"{a}.{n}" for a, n in unknown[:5])
        return [
            f"备份来自更新的 Shequ 版本（本版本不认识迁移 {names}），请先升级 Shequ 再恢复 / the backup "
            f"was made by a newer Shequ (migrations unknown here: {names}): upgrade Shequ, then restore"
        ]
    here = _applied_migrations()
    for app in sorted(set(here) | set(manifest["migrations"])):
        mine, theirs = here.get(app, []), manifest["migrations"].get(app, [])
        if set(mine) != set(theirs):
            last = theirs[-1] if theirs else "zero"
            problems.append(
                f"数据库结构与备份不一致（{app}），请运行 `shequ migrate {app} {last}` 后再恢复，"
                f"恢复后再运行 `shequ migrate` / the database schema differs from the backup's ({app}): run "
                f"`shequ migrate {app} {last}`, restore, then `shequ migrate`"
            )
    if problems:
        return problems
    # Compared with the tables as the database has them, not with the models: a database migrated back
    # to the backup's state (see above) has the backup's columns even when this Shequ is newer.
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for t in manifest["tables"]:
            if t["table"] not in tables:
                problems.append(f"本数据库没有表 {t['table']} / this database has no table {t['table']}")
                continue
            columns = {c.name for c in connection.introspection.get_table_description(cursor, t["table"])}
            if columns != set(t["columns"]):
                problems.append(
                    f"备份中的表 {t['table']} 与本数据库的列不同 / table {t['table']} has other columns here"
                )
    if problems:
        return problems
    used = [label for label in IN_USE if _has_rows(apps.get_model(label)._meta.db_table)]
    if used:
        problems.append(
            "目标数据库不是空的（"
            + "、".join(used)
            + " 已有数据），恢复只写入刚建好并已迁移的空数据库 / the target database is not empty "
            f"({', '.join(used)} hold rows): restore only into a new, empty, migrated database"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        problems.append(f"上传文件夹不是空的：{media_root} / the media folder is not empty: {media_root}")
    if check_keys:
        problems += _key_problems(manifest["keys"])
    return problems


def _key_problems(theirs: dict[str, Any]) -> list[str]:
    mine = key_fingerprints()
    problems = []
    for kid, fingerprint in theirs.get("encryption", {}).items():
        if kid not in mine["encryption"]:
            problems.append(
                f"缺少加密密钥 {kid}，恢复后的证件号码将无法解密：请在 SHEQU_ENCRYPTION_KEYS 中加入它 / "
                f"encryption key {kid!r} is not configured: add it to SHEQU_ENCRYPTION_KEYS"
            )
        elif mine["encryption"][kid] != fingerprint:
            problems.append(
                f"加密密钥 {kid} 与备份时的不同 / encryption key {kid!r} is not the key the backup used"
            )
    if theirs.get("blind_index") != mine["blind_index"]:
        problems.append(
            "SHEQU_BLIND_INDEX_KEY 与备份时的不同，按证件号码和电话将查不到恢复的居民 / "
            "SHEQU_BLIND_INDEX_KEY differs from the backup's: ID number and phone search would find no "
            "restored resident"
        )
    return problems


def restore(
    *,
    path: Path,
    progress: Progress | None = None,
    check_keys: bool = True,
    check_only: bool = False,
    confirm: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[str, Any]:
    """Check the archive and the target, then write everything in one transaction. Returns the manifest.
    `confirm` is asked, with the manifest, after the checks and before anything is written."""
    path = Path(path)
    manifest = archive_verify(path)
    problems = target_problems(manifest, check_keys=check_keys)
    if problems:
        raise BackupError("\n".join(problems), code="restore_refused")
    if check_only:
        return manifest
    if confirm is not None and not confirm(manifest):
        raise BackupError("已取消，未写入任何数据 / cancelled, nothing written", code="restore_cancelled")
    media_root = Path(settings.MEDIA_ROOT)
    written: list[Path] = []
    try:
        with transaction.atomic():
            if connection.vendor == "sqlite":
                # Index pages of a large table stay in memory instead of being read again per batch.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA cache_size = -65536")  # 64 MiB
            _clear_seeded(manifest)
            _load(path, manifest, media_root, written, progress)
            _reset_sequences()
            # In a database migrated back to an older backup's state the audit log may lack what this
            # Shequ writes: the restore is then logged by nobody, and the command says so.
            manifest["logged"] = not _unapplied_migrations()
            if manifest["logged"]:
                audit_log(
                    action=AuditAction.IMPORT,
                    object_repr=f"restore {path.name}"[:200],
                    changes={
                        "backup_created_at": manifest["created_at"],
                        "from": manifest.get("database_vendor", ""),
                        "rows": sum(t["rows"] for t in manifest["tables"]),
                        "files": len(manifest["media"]),
                    },
                )
    except BaseException as exc:
        for file in written:
            with suppress(OSError):
                file.unlink()
        if isinstance(exc, DatabaseError):
            raise BackupError(
                f"恢复失败，没有写入任何数据：{exc} / the restore failed and wrote nothing: {exc}",
                code="restore_failed",
            ) from exc
        raise
    return manifest


def _has_rows(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 # nosec B608 # a quoted table name of the manifest
        return cursor.fetchone() is not None


def _clear_seeded(manifest: dict[str, Any]) -> None:
    """Remove what `migrate` put into the (otherwise unused) target; the backup brings its own rows.
    Foreign keys are checked at commit, so the order does not matter."""
    with connection.cursor() as cursor:
        for t in manifest["tables"]:
            if _has_rows(t["table"]):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(t['table'])}")  # noqa: S608 # nosec B608 # a quoted table name


def _load(
    path: Path,
    manifest: dict[str, Any],
    media_root: Path,
    written: list[Path],
    progress: Progress | None,
) -> None:
    tables = {t["member"]: t for t in manifest["tables"]}
    files = {f"media/{m['path']}": m for m in manifest["media"]}
    with _open_archive(path) as members:
        next(members)  # the manifest, already read
        for info, f in members:
            digest = hashlib.sha256()
            if info.name in tables:
                t = tables[info.name]
                count = _insert_rows(t, f, digest)
                if count != t["rows"]:
                    raise _damaged(path, f"{info.name}: {count} rows, the manifest says {t['rows']}")
                if progress:
                    progress(t["model"], count)
            else:
                target = media_root / _media_path(files[info.name]["path"])
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with target.open("xb") as out:
                        written.append(target)
                        while chunk := f.read(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                except OSError as exc:
                    raise _write_error(exc, target) from exc
            expected = tables[info.name]["sha256"] if info.name in tables else files[info.name]["sha256"]
            if digest.hexdigest() != expected:  # the file changed since it was checked
                raise _damaged(path, f"checksum mismatch: {info.name}")


def _insert_rows(table: dict[str, Any], f: IO[bytes], digest: Any) -> int:
    columns: list[str] = table["columns"]
    try:
        model = apps.get_model(table["model"])
        by_column = {str(field.column): field for field in _columns(model)}
    except LookupError:  # a model this Shequ no longer has, in a database migrated back to the backup's
        by_column = {}
    decoders = [_decoder(by_column[c]) if c in by_column else _plain_decoder for c in columns]
    needs = any(decoders)
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(table['table'])} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608 # nosec B608 # quoted names
    one = f"({', '.join(['%s'] * len(columns))})"
    count = 0
    batch: list[Any] = []
    with connection.cursor() as cursor, ExitStack() as stack:
        if connection.vendor == "postgresql":
            # COPY: the rows stream to the server without an SQL statement each, values dumped by the
            # same adapters Django's own queries use.
            copy = stack.enter_context(
                cursor.cursor.copy(
                    f"COPY {qn(table['table'])} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
                )
            )

            def flush(rows: list[list[Any]]) -> None:
                for row in rows:
                    copy.write_row(row)
        else:  # SQLite: one prepared statement, run for each row of a batch

            def flush(rows: list[list[Any]]) -> None:
                cursor.executemany(head + one, rows)

        for line in f:
            digest.update(line)
            values = json.loads(line)
            if len(values) != len(columns):
                raise BackupError(f"{table['model']}: a row has {len(values)} values")
            if needs:
                values = [
                    v if d is None or v is None else d(v) for d, v in zip(decoders, values, strict=True)
                ]
            batch.append(values)
            count += 1
            if len(batch) >= BATCH_ROWS:
                flush(batch)
                batch = []
        if batch:
            flush(batch)
    return count


def _reset_sequences() -> None:
    """Rows came with their ids: the next id a sequence hands out must come after them (PostgreSQL;
    SQLite's AUTOINCREMENT follows the largest id by itself)."""
    tables = set(connection.introspection.table_names())
    present = [m for m in copied_models() if m._meta.db_table in tables]
    statements = connection.ops.sequence_reset_sql(no_style(), present)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
