"""The restore drill: a PostgreSQL cluster of its own archives its WAL, takes a base backup, records
appeals and home visits on both sides of a noted moment, and is stopped hard; `shequ pitr restore`
brings a new cluster back to that moment, and `shequ pitr verify` says the database, the audit chain
and the uploaded files are whole. A damaged archive (a WAL segment missing, a base backup that fails
pg_verifybackup or does not unpack) and a target that is not empty are refused, the target untouched.

Runs on the PostgreSQL leg only (its schema is copied from that run's test database), and needs the
server's programs (initdb, pg_ctl, pg_basebackup, pg_verifybackup, pg_waldump) on this machine.
"""

from __future__ import annotations

import io
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from shequ.core import pitr

# The database mark makes pytest-django create the test database, whose schema the drill copies.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db,
    # One worker builds the drill once for all these tests (the suite runs with --dist loadgroup).
    pytest.mark.xdist_group("pitr_drill"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the restore drill runs on the PostgreSQL leg (DATABASE_URL=postgres://…)",
    ),
]

SHEQU = str(Path(sys.executable).with_name("shequ"))
UPLOAD = "uploads/2026/走访照片.jpg"


def _server_user() -> str | None:
    """PostgreSQL will not run as root: under root the drill's cluster runs as `postgres`."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no `postgres` user to run the drill's cluster")
    return "postgres"


def _as_server(args: list[str]) -> list[str]:
    user = _server_user()
    return ["runuser", "-u", user, "--", *args] if user else args


def _own(path: Path) -> None:
    user = _server_user()
    if user:
        entry = pwd.getpwnam(user)
        for p in [path, *path.rglob("*")]:
            os.chown(p, entry.pw_uid, entry.pw_gid)


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder the server user can enter (pytest's own are root's only under root)."""
    folder = Path(tempfile.mkdtemp(prefix="shequ-pitr-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=180, check=False, **kw)


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@dataclass
class Drill:
    folder: Path
    archive: Path
    port: int
    before: dict[str, int]  # ids written before the point
    after: dict[str, int]  # ids written after it
    point: str
    upload: bytes
    before_segment: str = ""  # the WAL segment holding the writes before the point

    def env(self, port: int, media: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEQU_", "DATABASE_URL", "DJANGO_"))}
        env.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/shequ",
            SHEQU_DATA_DIR=str(self.folder / "data"),
            SHEQU_MEDIA_DIR=str(media or self.folder / "media"),
        )
        return env

    def shequ(self, *words: str, port: int, media: Path | None = None) -> subprocess.CompletedProcess[str]:
        return _run([SHEQU, "pitr", "--archive", str(self.archive), *words], env=self.env(port, media))


def _start(data: Path, port: int, log: Path) -> None:
    _ok(
        _run(
            _as_server(
                [pitr._bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", f"-p {port}", "-w", "start"]
            )
        )
    )


# One process for the whole life of the drill's cluster (each `shequ` start costs seconds): the
# operator's commands as they would run them, then the day's work on both sides of the point.
WRITE = """
import io, json, sys, time
from django.core.management import call_command
from datetime import date
from django.db import connection
from django.utils import timezone
from shequ.appeals.models import Category
from shequ.appeals.services import appeal_report
from shequ.core import services
from shequ.core.idnumber import make_id_number
from shequ.core.roles import Role
from shequ.needs.services import visit_log
from shequ.registry.services import resident_register

archive = sys.argv[-1]
out = io.StringIO()
call_command("pitr", "--archive", archive, "setup", stdout=out)
call_command("pitr", "--archive", archive, "base", stdout=out)
assert "archiving works" in out.getvalue() and "base backup" in out.getvalue(), out.getvalue()

d = services.area_create(by=None, parent=None, name="南海区", code="440605000000")
s = services.area_create(by=None, parent=d, name="大沥镇", code="440605121000")
c = services.area_create(by=None, parent=s, name="平地社区", code="440605121001")
g = services.area_create(by=None, parent=c, name="第1网格")
b = services.area_create(by=None, parent=g, name="布匹市场1座")
pw = "drill-Pass-2026-x"
staff = services.user_create(by=None, username="drill_staff", password=pw, role=Role.COMMUNITY_STAFF, area=c)
grid = services.user_create(by=None, username="drill_grid", password=pw, role=Role.GRID_WORKER, area=g)
# Seeded by a migration; the schema copied here comes without rows.
cat, _ = Category.objects.get_or_create(
    code="environment", defaults={"name": "环境卫生", "default_level": "estate"}
)
person = resident_register(
    by=staff, building=b, name="黄秀英", new_household_room="301",
    id_number=make_id_number("440605", date(1956, 3, 9), 7, "F"),
)

def write(label):
    appeal = appeal_report(by=staff, area=b, category=cat, description=f"楼道堆物 {label}", channel="patrol")
    visit = visit_log(by=grid, resident=person, notes=f"入户走访 {label}")
    return {"appeal": appeal.pk, "visit": visit.pk}

def switch():  # the segment being written is closed and archived; the next writes go to a new one
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_walfile_name(pg_switch_wal())")
        return cursor.fetchone()[0]

switch()
before = write("before")
time.sleep(1.2)
point = timezone.now()
before_segment = switch()
time.sleep(1.2)
after = write("after")
segment = switch()
print(json.dumps({"before": before, "after": after, "point": point.isoformat(), "segment": segment,
                  "before_segment": before_segment}))
"""


@pytest.fixture(scope="module")
def drill(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Drill]:
    if connection.vendor != "postgresql":
        pytest.skip("the restore drill runs on the PostgreSQL leg (DATABASE_URL=postgres://…)")
    try:
        for name in ("initdb", "pg_ctl", "pg_basebackup", "pg_verifybackup", "pg_waldump", "pg_dump", "psql"):
            pitr._bin(name)
    except pitr.PitrError:
        pytest.skip("the PostgreSQL server programs are not on this machine (set SHEQU_PG_BIN)")
    folder = Path(tempfile.mkdtemp(prefix="shequ-drill-"))
    try:
        with django_db_blocker.unblock():
            yield _run_drill(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_drill(folder: Path) -> Drill:
    folder.chmod(0o755)
    archive, data, media = folder / "archive", folder / "cluster", folder / "media"
    pitr.archive_prepare(archive)
    upload = os.urandom(50_000)
    (media / UPLOAD).parent.mkdir(parents=True)
    (media / UPLOAD).write_bytes(upload)
    _own(folder)
    port = _free_port()
    # Small WAL segments keep the archive and the drill small; fsync off: the machine does not crash,
    # the server does (an immediate stop), and a durable write is not what is tested here.
    initdb = [pitr._bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--wal-segsize=1"]
    _ok(_run(_as_server([*initdb, "-E", "UTF8", "--locale=C.UTF-8"])))
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\nfsync = off\n"
            + "\n".join(pitr.setup_lines(archive))
            + "\n"
        )
    _start(data, port, folder / "cluster.log")
    try:
        # The schema as this run's migrations made it (copied: migrating anew takes most of a minute).
        test_db = connection.settings_dict
        source = [f"--host={test_db['HOST'] or '127.0.0.1'}", f"--port={test_db['PORT'] or 5432}"]
        source += [f"--username={test_db['USER'] or 'postgres'}", test_db["NAME"]]
        dump = [pitr._bin("pg_dump"), "--no-owner", "--no-privileges", *source]
        schema = _ok(_run([*dump, "--schema-only"]))
        applied = _ok(_run([*dump, "--data-only", "--table=django_migrations"]))
        psql = [
            pitr._bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        _ok(_run([*psql, "-q", "-c", "CREATE DATABASE shequ"]))
        _ok(_run([*psql, "-q", "-d", "shequ"], input=schema + applied))
        state = Drill(folder, archive, port, {}, {}, "", upload)
        script = folder / "drill.py"
        script.write_text(WRITE)
        out = _ok(_run([sys.executable, "-c", RUN, str(script), str(archive)], env=state.env(port)))
        written = json.loads(out.strip().splitlines()[-1])
        state.before, state.after, state.point = written["before"], written["after"], written["point"]
        state.before_segment = written["before_segment"]
        deadline = time.monotonic() + 30
        while not (archive / "wal" / written["segment"]).exists():
            assert time.monotonic() < deadline, "the last segment was never archived"
            time.sleep(0.1)
    finally:
        # Stopped hard, as by a power cut: no shutdown checkpoint, nothing more archived.
        _run(_as_server([pitr._bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]))
    return state


RUN = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
import django
django.setup()
exec(compile(open(sys.argv[1]).read(), sys.argv[1], "exec"))
"""


def test_verify_names_an_uploaded_file_lost_or_changed(drill: Drill, place: Path) -> None:
    """The check is worth something only if it fails: here against this run's own (empty) database."""
    media = place / "media"
    (media / UPLOAD).parent.mkdir(parents=True)
    (media / UPLOAD).write_bytes(drill.upload[:-1] + b"x")
    report = pitr.verify(archive=drill.archive, to=pitr.parse_time(drill.point), media=media)
    assert any("checksum" in p and UPLOAD in p for p in report.problems)
    (media / UPLOAD).unlink()
    report = pitr.verify(archive=drill.archive, to=pitr.parse_time(drill.point), media=media)
    assert any("missing" in p and UPLOAD in p for p in report.problems)
    assert not report.ok


def _query(port: int, sql: str) -> list[str]:
    done = _run(
        [pitr._bin("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "shequ", "-Atc", sql]
    )
    return _ok(done).split()


def test_recovers_everything_up_to_the_point_and_nothing_after(drill: Drill, place: Path) -> None:
    tmp_path = place
    target, media = tmp_path / "recovered", tmp_path / "media"
    plan = pitr.restore(archive=drill.archive, target=target, to=pitr.parse_time(drill.point), media=media)
    assert not plan.to_end  # the archive goes on past the point: replay stops at it
    _own(target)
    port = _free_port()
    try:
        _start(target, port, target / "recovery.log")
        deadline = time.monotonic() + 60
        while (target / "recovery.signal").exists():  # gone once replayed to the point and promoted
            assert time.monotonic() < deadline, (target / "recovery.log").read_text()
            time.sleep(0.2)
        for table, key in (("appeals_appeal", "appeal"), ("needs_visit", "visit")):
            ids = _query(port, f"SELECT id FROM {table} ORDER BY id")  # noqa: S608 # our table names
            assert str(drill.before[key]) in ids, f"{table}: written before the point, lost"
            assert str(drill.after[key]) not in ids, f"{table}: written after the point, restored"
        report = drill.shequ("verify", "--to", drill.point, "--media", str(media), port=port)
        out = _ok(report)
        assert "audit chain" in out
        assert "holds" in out
        assert "1 个校验通过" in out
        assert "the recovery check passed" in out
        assert (media / UPLOAD).read_bytes() == drill.upload
        # The recovered cluster is a new primary that does not archive into the drill's archive.
        assert _query(port, "SELECT pg_is_in_recovery(), current_setting('archive_mode')") == ["f|off"]
    finally:
        _run(_as_server([pitr._bin("pg_ctl"), "-D", str(target), "-m", "fast", "stop"]))


# --- refusals: each leaves the target as it was ----------------------------------------------------


def _copy_archive(drill: Drill, into: Path) -> Path:
    copy = into / "archive"
    shutil.copytree(drill.archive, copy)
    return copy


def _drop_the_segment_before_the_point(archive: Path, drill: Drill) -> str:
    """A gap: the writes before the point are lost from the archive, later segments are there."""
    (archive / "wal" / drill.before_segment).unlink()
    return drill.before_segment


def _drop_the_base_backups_last_segment(archive: Path, drill: Drill) -> str:
    """Without it the base backup can never be made consistent."""
    victim = pitr.bases(archive)[-1]["end_segment"]
    (archive / "wal" / victim).unlink()
    return victim


def _change_a_file_inside(archive: Path, drill: Drill) -> str:
    """A base backup whose tar still unpacks but one file differs from its manifest."""
    tarball = pitr.bases(archive)[-1]["path"] / "base.tar.gz"
    out = io.BytesIO()
    with tarfile.open(tarball) as src, tarfile.open(fileobj=out, mode="w:gz", compresslevel=1) as dst:
        for info in src.getmembers():
            content = src.extractfile(info).read() if info.isfile() else None  # type: ignore[union-attr]
            if info.name == "PG_VERSION" and content is not None:
                content = b"14\n"
                info.size = len(content)
            dst.addfile(info, io.BytesIO(content) if content is not None else None)
    tarball.write_bytes(out.getvalue())
    return "PG_VERSION"


def _truncate_tarball(archive: Path, drill: Drill) -> str:
    tarball = pitr.bases(archive)[-1]["path"] / "base.tar.gz"
    data = tarball.read_bytes()
    tarball.write_bytes(data[: len(data) // 2])
    return "base.tar.gz"


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (_drop_the_segment_before_the_point, "wal_missing"),
        (_drop_the_base_backups_last_segment, "wal_missing"),
        (_change_a_file_inside, "base_damaged"),
        (_truncate_tarball, "base_damaged"),
    ],
    ids=["wal-gap-before-the-point", "wal-of-the-base-missing", "file-changed-in-base", "base-truncated"],
)
def test_a_damaged_archive_is_refused_and_the_target_left_untouched(
    drill: Drill, tmp_path: Path, damage: Any, code: str
) -> None:
    archive = _copy_archive(drill, tmp_path)
    what = damage(archive, drill)
    target, media = tmp_path / "target", tmp_path / "media"
    target.mkdir()
    with pytest.raises(pitr.PitrError) as refused:
        pitr.restore(archive=archive, target=target, to=pitr.parse_time(drill.point), media=media)
    assert refused.value.code == code
    if code == "wal_missing":
        assert what in str(refused.value.message)
    assert list(target.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "target"]  # no staging, no files


def test_a_target_that_is_not_empty_is_refused(drill: Drill, tmp_path: Path) -> None:
    target = tmp_path / "cluster"
    target.mkdir()
    (target / "PG_VERSION").write_text("15\n")
    with pytest.raises(pitr.PitrError) as refused:
        pitr.restore(archive=drill.archive, target=target, to=pitr.parse_time(drill.point))
    assert refused.value.code == "target_not_empty"
    assert [p.name for p in target.iterdir()] == ["PG_VERSION"]
    assert (target / "PG_VERSION").read_text() == "15\n"


@pytest.mark.parametrize(
    ("to", "code"),
    [("2020-01-01 08:00", "no_base"), ("2026-13-01 08:00", "bad_time"), ("yesterday", "bad_time")],
)
def test_a_time_with_no_base_before_it_or_no_time_at_all_is_refused(
    drill: Drill, tmp_path: Path, to: str, code: str
) -> None:
    with pytest.raises(pitr.PitrError) as refused:
        pitr.restore(archive=drill.archive, target=tmp_path / "t", to=pitr.parse_time(to))
    assert refused.value.code == code
    assert not (tmp_path / "t").exists()


def test_the_archive_reaches_past_the_point(drill: Drill) -> None:
    report = pitr.status(archive=drill.archive)
    assert report["missing"] is None
    assert datetime.fromisoformat(report["reaches"]) > pitr.parse_time(drill.point)
    assert len(report["bases"]) == 1
    assert report["wal_bytes"] > 0
    assert "failed_count" in report["archiver"]  # the connected server's archiver, for the monitoring
