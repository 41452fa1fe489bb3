"""Faults of the file system: the folders Shequ writes files into are full or not writable.

Backups and restores are what write files today (uploads come with later issues). A full disk or a
folder Shequ may not write gives the operator one clear sentence in Chinese and English, never a
traceback, and leaves nothing half-written behind: no partial archive, no restored rows.
"""

from __future__ import annotations

import io
import os
import resource
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from test_backup import Instance, new_instance

from conftest import Tree, make_user
from shequ.core.models import AuditEntry
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def upload(tree: Tree, settings: Any, tmp_path: Path) -> bytes:
    """Some records and a 1 MiB uploaded file that does not compress."""
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user(Role.COMMUNITY_STAFF, tree.community, username="files_staff")
    data = secrets.token_bytes(1024 * 1024)
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "media" / "uploads" / "scan.pdf").write_bytes(data)
    return data


@contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """The folder refuses new files, for root as well: immutable (chattr +i) as root, mode 0555 else."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode:
            pytest.skip("this file system cannot make a folder immutable")
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    try:
        with pytest.raises(PermissionError):
            (folder / "probe").touch()
        yield
    finally:
        subprocess.run(undo, check=True)


def backup_to(output: Path) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("backup", output=str(output), verbosity=0, stdout=io.StringIO())
    return str(refused.value)


def test_a_backup_into_a_folder_it_may_not_write_says_so_and_leaves_nothing(
    upload: bytes, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    entries = AuditEntry.objects.count()
    with unwritable(folder):
        message = backup_to(folder / "shequ.tar.gz")
    assert "没有写入" in message
    assert "no permission to write" in message
    assert str(folder) in message
    assert list(folder.iterdir()) == []
    assert AuditEntry.objects.count() == entries  # no backup is logged that was not made


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real file system of 256 KiB (tmpfs), which the backup fills."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "shequ-test", str(disk)], capture_output=True, check=False
    )
    if mounted.returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root); the file size limit test stands in")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_backup_onto_a_full_disk_says_so_and_leaves_no_partial_archive(
    upload: bytes, small_disk: Path
) -> None:
    message = backup_to(small_disk / "shequ.tar.gz")
    assert "磁盘空间不足" in message
    assert "not enough disk space" in message
    assert list(small_disk.iterdir()) == []


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """The kernel refuses to grow any file of this process past `limit` bytes (EFBIG; Python ignores
    SIGXFSZ), as a full disk or a quota refuses a write."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_a_backup_refused_room_mid_write_says_so_and_leaves_no_partial_archive(
    upload: bytes, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    with file_size_limit(256 * 1024):
        message = backup_to(folder / "shequ.tar.gz")
    assert "磁盘空间不足" in message
    assert "not enough disk space" in message
    assert list(folder.iterdir()) == []


@pytest.fixture
def locked_media(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "locked-media"
    with unwritable(folder):
        yield folder


def test_a_restore_into_a_media_folder_it_may_not_write_says_so_and_writes_no_row(
    upload: bytes, tmp_path: Path, locked_media: Path
) -> None:
    archive = tmp_path / "shequ.tar.gz"
    call_command("backup", output=str(archive), verbosity=0, stdout=io.StringIO())
    instances = new_instance(connection.vendor, tmp_path / "target", SHEQU_MEDIA_DIR=str(locked_media))
    target: Instance = next(instances)
    try:
        done = target.shequ("restore", str(archive), "--yes")
        assert done.returncode != 0
        assert "没有写入" in done.stderr, done.stderr
        assert str(locked_media) in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert target.is_empty()
    finally:
        instances.close()
