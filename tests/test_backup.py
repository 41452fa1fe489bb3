"""Backup and restore: a backup of this database, restored by `shequ restore` into a second, empty
instance (a SQLite file, or a new PostgreSQL database), holds every record, file and audit entry; a
damaged, foreign or mismatched archive, or a target that is not empty, is refused and writes nothing.

The suite runs on SQLite and on PostgreSQL; each run restores into both kinds of instance (when the
PostgreSQL server at 127.0.0.1:5432 is there), so all four directions are crossed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import Tree, make_user
from shequ.core import backup
from shequ.core.context import RequestInfo, current_request
from shequ.core.crypto import decrypt
from shequ.core.idnumber import make_id_number
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.registry import services as registry
from shequ.registry.models import Resident

pytestmark = pytest.mark.django_db(transaction=True)

SHEQU = str(Path(sys.executable).with_name("shequ"))
ADMIN_URL = os.environ.get("SHEQU_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
UPLOAD = "uploads/2026/居住证明.pdf"


def postgres_admin() -> Any:
    import psycopg

    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)


def postgres_reachable() -> bool:
    try:
        with postgres_admin():
            return True
    except Exception:
        return False


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEQU_", "DATABASE_URL", "DJANGO_"))}
    return {**env, **extra}


@dataclass
class Instance:
    """Another Shequ installation with its own database and data folder, run through `shequ`."""

    vendor: str
    data_dir: Path
    database_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    seeded: dict[str, int] = field(default_factory=dict)

    @property
    def media(self) -> Path:
        return Path(self.extra_env.get("SHEQU_MEDIA_DIR", self.data_dir / "media"))

    def env(self, **extra: str) -> dict[str, str]:
        env = {"SHEQU_DATA_DIR": str(self.data_dir), **self.extra_env, **extra}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return clean_env(**env)

    def shequ(self, *words: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SHEQU, *words], env=self.env(**env), capture_output=True, text=True, timeout=300, check=False
        )

    def python(self, code: str) -> Any:
        """Run code in the instance (`shequ shell`); it prints one JSON value, returned here."""
        done = self.shequ("shell", "--no-imports", "-c", code)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def counts(self) -> dict[str, int]:
        return self.python(
            "import json; from shequ.core.backup import copied_models; "
            "print(json.dumps({m._meta.label_lower: m._base_manager.count() for m in copied_models()}))"
        )

    def is_empty(self) -> bool:
        """As `migrate` left it: the rows it seeds, nothing else, and no uploaded file."""
        files = [p for p in self.media.rglob("*") if p.is_file()] if self.media.exists() else []
        return self.counts() == self.seeded and not files


def new_instance(vendor: str, folder: Path, **extra_env: str) -> Iterator[Instance]:
    """A freshly migrated, empty instance; its PostgreSQL database is dropped afterwards."""
    name = ""
    url = ""
    if vendor == "postgresql":
        if not postgres_reachable():
            pytest.skip("no PostgreSQL server at 127.0.0.1:5432 to restore into")
        name = f"shequ_restore_{secrets.token_hex(4)}"
        with postgres_admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    instance = Instance(vendor, folder, url, dict(extra_env))
    try:
        done = instance.shequ("migrate", "-v", "0")
        assert done.returncode == 0, done.stderr
        instance.seeded = instance.counts()
        assert instance.seeded["core.auditentry"] == instance.seeded["core.area"] == 0
        yield instance
    finally:
        if name:
            with postgres_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Instance]:
    yield from new_instance(request.param, tmp_path / "instance")


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """One empty instance of this run's vendor for the refusals, which must all leave it empty."""
    yield from new_instance(connection.vendor, tmp_path_factory.mktemp("empty"))


@dataclass
class Community:
    """What a backup must bring back."""

    id_number: str
    phone: str
    resident: Resident
    upload: bytes


@pytest.fixture
def community(tree: Tree, settings: Any, tmp_path: Path) -> Community:
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = make_user(Role.COMMUNITY_STAFF, tree.community, username="backup_staff")
    make_user(Role.GRID_WORKER, tree.grid, username="backup_grid")
    id_number = make_id_number("440605", date(1956, 3, 9), 7, "F")
    phone = "13912345678"
    resident = registry.resident_register(
        by=admin,
        building=tree.building,
        name="黄秀英",
        id_number=id_number,
        phone=phone,
        new_household_room="301",
        living_alone=True,
        skills="剪纸, 粤剧",
    )
    registry.special_group_set(by=admin, resident=resident, group="chronic", conditions="高血压")
    registry.special_group_set(
        by=admin,
        resident=resident,
        group="dibao",
        kind="dibao",
        since=date(2020, 1, 1),
        monthly_amount="850.50",
    )
    neighbour = registry.resident_register(
        by=admin,
        building=tree.building,
        name="陈伟",
        id_number=make_id_number("440605", date(1988, 11, 30), 8, "M"),
        household=resident.household,
        relation="子",
    )
    org = registry.organisation_create(
        by=admin, area=tree.community, name="平地社区粤剧社", kind="social_organisation"
    )
    org.members.add(resident, neighbour)
    # A view_sensitive audit entry, from an address and a browser (an inet column on PostgreSQL).
    token = current_request.set(RequestInfo(ip="2001:db8::7", user_agent="Mozilla/5.0 测试"))
    try:
        registry.resident_reveal(by=admin, resident=resident)
    finally:
        current_request.reset(token)
    upload = secrets.token_bytes(70_000) + "证明".encode()
    path = Path(settings.MEDIA_ROOT) / UPLOAD
    path.parent.mkdir(parents=True)
    path.write_bytes(upload)
    return Community(id_number, phone, resident, upload)


def take_backup(folder: Path, name: str = "shequ.tar.gz") -> Path:
    out = folder / name
    call_command("backup", output=str(out), verbosity=0, stdout=io.StringIO())
    return out


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def rewrite(
    archive: Path,
    out: Path,
    *,
    member: Callable[[str, bytes], bytes] = lambda name, data: data,
    manifest: Callable[[dict[str, Any]], None] = lambda m: None,
    fix_checksums: bool = False,
) -> Path:
    """A copy of the archive with members or the manifest changed (checksums left stale unless fixed)."""
    contents = members(archive)
    meta = json.loads(contents.pop(backup.MANIFEST))
    contents = {name: member(name, data) for name, data in contents.items()}
    if fix_checksums:
        for t in meta["tables"]:
            data = contents[t["member"]]
            t["sha256"], t["rows"] = hashlib.sha256(data).hexdigest(), data.count(b"\n")
    manifest(meta)
    with tarfile.open(out, "w:gz") as tar:
        for name, data in [(backup.MANIFEST, json.dumps(meta).encode()), *contents.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def test_a_backup_restores_into_an_empty_instance_with_every_record_file_and_audit_entry(
    community: Community, fresh: Instance, tmp_path: Path
) -> None:
    archive = take_backup(tmp_path)
    manifest = json.loads(members(archive)[backup.MANIFEST])
    assert manifest["database_vendor"] == connection.vendor
    here = {m._meta.label_lower: m._base_manager.count() for m in backup.copied_models()}
    # The backup's own audit entry is written once it is complete, so it is not inside it.
    here["core.auditentry"] -= 1
    assert {t["model"]: t["rows"] for t in manifest["tables"]} == here
    assert here["registry.resident"] == 2
    assert here["registry.organisation_members"] == 2
    assert here["core.auditentry"] >= 8

    checked = fresh.shequ("restore", str(archive), "--check")
    assert checked.returncode == 0, checked.stderr
    assert "备份完好" in checked.stdout
    assert fresh.is_empty()
    done = fresh.shequ("restore", str(archive), "--yes")
    assert done.returncode == 0, done.stderr
    assert "已恢复" in done.stdout

    # Every table, row for row and value for value: a backup of the restored instance holds the same
    # lines, and the audit log holds every old entry plus the restore's own.
    again = fresh.shequ("backup", "--output", str(tmp_path / "again.tar.gz"))
    assert again.returncode == 0, again.stderr
    before, after = members(archive), members(tmp_path / "again.tar.gz")
    assert set(before) == set(after)
    for name in before:
        if name in {backup.MANIFEST, "data/core.audithead.jsonl"}:  # the chain's head moved on: below
            continue
        if name == "data/core.auditentry.jsonl":
            old, new = before[name].splitlines(), after[name].splitlines()
            assert new[: len(old)] == old
            assert len(new) == len(old) + 1
            assert '"import"' in new[-1].decode()
            assert "restore shequ.tar.gz" in new[-1].decode()
        else:
            assert after[name] == before[name], name
    assert (fresh.media / UPLOAD).read_bytes() == community.upload
    # The restored log still proves itself: every link recomputes, the restore's entry included.
    chain = fresh.python(
        "import json; from shequ.core import audit; "
        "r = audit.verify_chain() if hasattr(audit, 'verify_chain') else None; "
        "print(json.dumps(r and [r.broken_at, r.reason, r.checked]))"
    )
    assert chain is None or chain[:2] == [None, ""], chain

    # The ciphertext came back as it was: the resident's ID number decrypts, and ID search finds her.
    found = fresh.python(
        "import json; from shequ.core.crypto import blind_index as b, decrypt; "
        "from shequ.registry.models import Resident; from shequ.registry.services import ID_CONTEXT as C; "
        f"r = Resident.objects.get(id_number_index=b({community.id_number!r}, context=C)); "
        "print(json.dumps([r.pk, r.name, r.id_number_encrypted, decrypt(r.id_number_encrypted, context=C)]))"
    )
    resident = community.resident
    resident.refresh_from_db()
    assert found == [resident.pk, "黄秀英", resident.id_number_encrypted, community.id_number]

    # New records continue after the restored ids (PostgreSQL's sequences were moved on).
    new_area = fresh.python(
        "import json; from shequ.core.models import Area; from shequ.core.services import area_create; "
        "print(area_create(by=None, parent=Area.objects.get(code='440605121001'), name='第9网格').pk)"
    )
    assert new_area > max(manifest_ids(before, "data/core.area.jsonl"))


def manifest_ids(contents: dict[str, bytes], member: str) -> list[int]:
    return [json.loads(line)[0] for line in contents[member].splitlines()]


def test_the_archive_holds_ciphertext_and_never_the_keys_or_a_plain_number(
    community: Community, tmp_path: Path, settings: Any
) -> None:
    archive = take_backup(tmp_path)
    assert archive.stat().st_mode & 0o777 == 0o600
    everything = b"".join(members(archive).values())
    resident = Resident.objects.get(pk=community.resident.pk)
    assert resident.id_number_encrypted.encode() in everything
    assert decrypt(resident.id_number_encrypted, context=registry.ID_CONTEXT) == community.id_number
    for secret in (community.id_number, community.phone, "高血压"):
        assert secret.encode() not in everything
    for spec in settings.ENCRYPTION_KEYS.split(","):
        assert spec.split(":", 1)[1].encode() not in everything
    assert settings.BLIND_INDEX_KEY.encode() not in everything
    entry = AuditEntry.objects.filter(action="export", object_repr="backup shequ.tar.gz").get()
    assert entry.changes["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()


def flip_a_byte(archive: Path, out: Path) -> Path:
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    return out


def edited_resident_row(archive: Path, out: Path) -> Path:
    return rewrite(
        archive,
        out,
        member=lambda name, data: (
            data.replace("黄秀英".encode(), "黄秀莲".encode())
            if name == "data/registry.resident.jsonl"
            else data
        ),
    )


def truncated(archive: Path, out: Path) -> Path:
    out.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return out


def extra_member(archive: Path, out: Path) -> Path:
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for m in src:
            dst.addfile(m, src.extractfile(m))
        info = tarfile.TarInfo("media/../../etc/cron.d/evil")
        info.size = 1
        dst.addfile(info, io.BytesIO(b"x"))
    return out


@pytest.mark.parametrize(
    "damage, complaint",
    [
        (edited_resident_row, "校验和不符"),
        (flip_a_byte, "已损坏"),
        (truncated, "已损坏"),
        (extra_member, "已损坏"),
    ],
)
def test_a_damaged_archive_is_refused_and_writes_nothing(
    community: Community, empty: Instance, tmp_path: Path, damage: Any, complaint: str
) -> None:
    bad = damage(take_backup(tmp_path), tmp_path / "bad.tar.gz")
    done = empty.shequ("restore", str(bad), "--yes")
    assert done.returncode != 0
    assert complaint in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert empty.is_empty()


def test_restore_into_a_database_that_holds_data_is_refused(community: Community, tmp_path: Path) -> None:
    archive = take_backup(tmp_path)
    entries = AuditEntry.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), yes=True, verbosity=0)
    assert "目标数据库不是空的" in str(refused.value)
    assert "not empty" in str(refused.value)
    assert "上传文件夹不是空的" in str(refused.value)
    assert AuditEntry.objects.count() == entries
    assert Resident.objects.count() == 2


def test_an_archive_from_a_newer_schema_is_refused_with_a_clear_message(
    community: Community, empty: Instance, tmp_path: Path
) -> None:
    newer = rewrite(
        take_backup(tmp_path),
        tmp_path / "newer.tar.gz",
        manifest=lambda m: m["migrations"]["registry"].append("0099_from_the_future"),
    )
    done = empty.shequ("restore", str(newer), "--yes")
    assert done.returncode != 0
    assert "更新的 Shequ" in done.stderr
    assert "registry.0099_from_the_future" in done.stderr
    assert "upgrade Shequ" in done.stderr
    assert empty.is_empty()


def test_an_archive_from_an_older_schema_says_how_to_restore_it(
    community: Community, empty: Instance, tmp_path: Path
) -> None:
    kept: list[str] = []

    def without_the_last_core_migration(m: dict[str, Any]) -> None:
        m["migrations"]["core"].pop()
        kept.append(m["migrations"]["core"][-1])

    older = rewrite(
        take_backup(tmp_path), tmp_path / "older.tar.gz", manifest=without_the_last_core_migration
    )
    done = empty.shequ("restore", str(older), "--yes")
    assert done.returncode != 0
    assert f"shequ migrate core {kept[0]}" in done.stderr, done.stderr
    assert empty.is_empty()


@pytest.mark.parametrize(
    "env, complaint",
    [
        ({"SHEQU_BLIND_INDEX_KEY": "another-blind-index-key"}, "SHEQU_BLIND_INDEX_KEY"),
        (
            {"SHEQU_ENCRYPTION_KEYS": "k9:" + "b3RoZXIta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMhIQ=="},
            "缺少加密密钥 dev1",
        ),
    ],
)
def test_a_restore_where_the_keys_differ_is_refused(
    community: Community, empty: Instance, tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    done = empty.shequ("restore", str(take_backup(tmp_path)), "--yes", **env)
    assert done.returncode != 0
    assert complaint in done.stderr, done.stderr
    assert empty.is_empty()


def test_a_restore_that_fails_at_commit_leaves_the_target_empty(
    community: Community, empty: Instance, tmp_path: Path
) -> None:
    """A resident in a building that is not in the backup: the foreign key is checked at commit, after
    every row and the uploaded file were written, and all of it is undone."""

    def orphan(name: str, data: bytes) -> bytes:
        if name != "data/registry.resident.jsonl":
            return data
        first, rest = data.split(b"\n", 1)
        row = json.loads(first)
        row[1] = 999_999  # area_id
        return json.dumps(row, ensure_ascii=False).encode() + b"\n" + rest

    bad = rewrite(take_backup(tmp_path), tmp_path / "orphan.tar.gz", member=orphan, fix_checksums=True)
    done = empty.shequ("restore", str(bad), "--yes")
    assert done.returncode != 0
    assert "恢复失败，没有写入任何数据" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert empty.is_empty()


def test_restore_without_yes_and_without_a_terminal_asks_for_it(
    community: Community, empty: Instance, tmp_path: Path
) -> None:
    done = empty.shequ("restore", str(take_backup(tmp_path)))
    assert done.returncode != 0
    assert "--yes" in done.stderr
    assert empty.is_empty()
