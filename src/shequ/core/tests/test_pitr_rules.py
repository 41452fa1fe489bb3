"""The rules of `shequ pitr` that need no PostgreSQL cluster: WAL segment names, the time an operator
types, the archive_command, and what is refused before anything runs (the drill itself is
tests/test_pitr.py, on the PostgreSQL leg)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shequ.core import pitr

MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("timeline", "lsn", "size", "name"),
    [
        (1, "0/0", 16 * MIB, "000000010000000000000000"),
        (1, "0/2000028", 16 * MIB, "000000010000000000000002"),
        (1, "1/FF000000", 16 * MIB, "0000000100000001000000FF"),
        (3, "0/2000028", MIB, "000000030000000000000020"),  # 1 MiB segments: 32 in 0x2000000
    ],
)
def test_a_position_in_the_wal_names_its_segment_as_the_server_does(
    timeline: int, lsn: str, size: int, name: str
) -> None:
    assert pitr.segment_name(timeline, lsn, size) == name


def test_the_segment_after_the_last_of_a_log_starts_the_next_log() -> None:
    assert pitr._next_segment("0000000100000000000000FF", 16 * MIB) == "000000010000000100000000"
    assert pitr._next_segment("000000010000000000000002", 16 * MIB) == "000000010000000000000003"


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2026-12-02 14:05", "2026-12-02T06:05:00+00:00"),  # the installation's zone: Asia/Shanghai
        ("2026-12-02 14:05:30", "2026-12-02T06:05:30+00:00"),
        ("2026-12-02T06:05:00+00:00", "2026-12-02T06:05:00+00:00"),
    ],
)
def test_a_typed_time_is_read_in_the_installations_zone_unless_it_names_one(typed: str, utc: str) -> None:
    assert pitr.parse_time(typed).astimezone(UTC).isoformat() == utc


@pytest.mark.parametrize("typed", ["", "yesterday", "2026-13-01 08:00", "14:05"])
def test_a_time_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(pitr.PitrError) as refused:
        pitr.parse_time(typed)
    assert refused.value.code == "bad_time"


def test_the_archive_command_never_overwrites_a_segment_and_renames_a_whole_copy(tmp_path: Path) -> None:
    command = pitr.archive_command(tmp_path)
    wal = (tmp_path / "wal").resolve()
    assert command.startswith(f'test ! -f "{wal}/%f" && cp "%p" "{wal}/%f.part" && mv ')
    assert f"archive_command = '{command}'" in pitr.setup_lines(tmp_path)


@pytest.mark.parametrize("name", ["it's", 'say "a"', "a$b", "a`b`"])
def test_an_archive_path_the_configuration_cannot_quote_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(pitr.PitrError) as refused:
        pitr.archive_command(tmp_path / name)
    assert refused.value.code == "bad_path"


def test_an_archive_without_a_base_backup_before_the_time_restores_nothing(tmp_path: Path) -> None:
    pitr.archive_prepare(tmp_path)
    base = tmp_path / "base" / "20261202T020000Z"
    base.mkdir()
    (base / pitr.MANIFEST).write_text(json.dumps({"finished_at": "2026-12-02T02:00:00+00:00"}))
    (tmp_path / "base" / ".base-unfinished").mkdir()  # a backup still running is never picked
    assert [b["name"] for b in pitr.bases(tmp_path)] == ["20261202T020000Z"]
    with pytest.raises(pitr.PitrError) as refused:
        pitr.restore(archive=tmp_path, target=tmp_path / "t", to=datetime(2026, 12, 1, tzinfo=UTC))
    assert refused.value.code == "no_base"
    assert not (tmp_path / "t").exists()


def test_a_base_backup_of_sqlite_is_refused_with_the_command_that_backs_it_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    # Only the engine's name is read before the refusal (on the PostgreSQL leg too).
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3")
    with pytest.raises(pitr.PitrError) as refused:
        pitr.base_create(archive=tmp_path)
    assert refused.value.code == "not_postgresql"
    assert "shequ backup" in str(refused.value.message)


def test_the_command_prints_the_configuration_lines_and_refuses_in_one_sentence(tmp_path: Path) -> None:
    from io import StringIO

    out = StringIO()
    call_command("pitr", "--archive", str(tmp_path / "archive"), "setup", "--no-check", stdout=out)
    assert "wal_level = replica" in out.getvalue()
    assert "archive_mode = on" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD HH:MM"):
        call_command(
            "pitr", "--archive", str(tmp_path), "restore", "--to", "soon", "--target", str(tmp_path / "t")
        )


def test_setup_writes_the_lines_for_conf_d_but_never_over_a_file_of_someone_else(tmp_path: Path) -> None:
    from io import StringIO

    conf = tmp_path / "shequ-archive.conf"
    for _ in range(2):  # again over its own file: the same lines
        call_command("pitr", "--archive", str(tmp_path / "a"), "setup", "--no-check", "--write", str(conf),
                     stdout=StringIO())  # fmt: skip
        assert "archive_mode = on" in conf.read_text()
    theirs = tmp_path / "postgresql.conf"
    theirs.write_text("port = 5432\n")
    with pytest.raises(CommandError, match="not overwritten"):
        call_command("pitr", "--archive", str(tmp_path / "a"), "setup", "--no-check", "--write", str(theirs))
    assert theirs.read_text() == "port = 5432\n"
