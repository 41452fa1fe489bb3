"""The audit log is tamper-evident: a hash chain that `shequ audit verify` walks, naming the first
broken link, and that ships off-host as JSON lines."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from conftest import Tree, make_user
from shequ.core import services
from shequ.core.audit import audit_log, verify_chain
from shequ.core.models import AuditAction, AuditEntry, AuditHead
from shequ.core.roles import Role


@contextmanager
def as_the_database_owner() -> Iterator[Any]:
    """What an intruder with the database owner's rights does: switch the append-only guard off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            try:
                yield cursor
            finally:
                cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            try:
                yield cursor
            finally:
                cursor.execute(
                    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
                    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
                )


def write_entries(n: int, tree: Tree) -> list[AuditEntry]:
    return [
        audit_log(
            action=AuditAction.UPDATE,
            object_repr=f"第{i}条",
            area_path=tree.community.path,
            changes={"name": [f"旧{i}", f"新{i}"], "when": ("2026-11-01", None)},
        )
        for i in range(n)
    ]


def verify_output() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_each_entry_links_to_the_one_before_and_the_chain_verifies(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    services.area_create(by=staff, parent=tree.grid, name="链测试楼")
    write_entries(3, tree)
    entries = list(AuditEntry.objects.order_by("id"))
    assert len(entries) >= 5
    assert entries[0].prev_hash == ""
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
        assert len(after.hash) == 64
    head = AuditHead.objects.get()
    assert (head.last_id, head.last_hash) == (entries[-1].pk, entries[-1].hash)
    report = verify_chain()
    assert report.broken_at is None
    assert report.checked == len(entries)
    assert "the audit chain holds" in verify_output()


@pytest.mark.django_db
def test_a_change_made_behind_the_products_back_is_named_by_its_entry(tree: Tree) -> None:
    entries = write_entries(5, tree)
    with as_the_database_owner() as cursor:
        cursor.execute("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["改过", entries[2].pk])
    report = verify_chain()
    assert (report.broken_at, report.reason) == (entries[2].pk, "hash")
    with pytest.raises(CommandError, match=f"breaks at entry {entries[2].pk}"):
        verify_output()


@pytest.mark.django_db
def test_a_removed_entry_breaks_the_link_of_the_next_one(tree: Tree) -> None:
    entries = write_entries(5, tree)
    with as_the_database_owner() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    assert (verify_chain().broken_at, verify_chain().reason) == (entries[2].pk, "prev_hash")


@pytest.mark.django_db
def test_removing_the_newest_entries_is_caught_by_the_head(tree: Tree) -> None:
    entries = write_entries(4, tree)
    with as_the_database_owner() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id >= %s", [entries[2].pk])
    assert verify_chain().reason == "head"


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_entry_and_no_gap(tree: Tree) -> None:
    write_entries(2, tree)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(action=AuditAction.DELETE, object_repr="撤销", area_path=tree.community.path)
        raise RuntimeError("the change failed")
    write_entries(1, tree)
    assert not AuditEntry.objects.filter(object_repr="撤销").exists()
    assert verify_chain().broken_at is None


@pytest.mark.django_db
def test_the_log_ships_as_json_lines_with_its_hashes(tree: Tree, tmp_path: Any) -> None:
    entries = write_entries(3, tree)
    target = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--output", str(target))
    every = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in every] == sorted(e.pk for e in AuditEntry.objects.all())
    assert all(after["prev_hash"] == before["hash"] for before, after in itertools.pairwise(every))
    lines = every[-3:]
    assert [line["id"] for line in lines] == [e.pk for e in entries]
    assert lines[1]["prev_hash"] == lines[0]["hash"]
    assert lines[2]["object_repr"] == "第2条"
    assert lines[0]["changes"] == {"name": ["旧0", "新0"], "when": ["2026-11-01", None]}
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit", "export", "--since", "11/01/2026")
    with pytest.raises(CommandError, match="cannot write"):
        call_command("audit", "export", "--output", str(tmp_path / "no-such-folder" / "a.jsonl"))


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_keep_one_unbroken_chain(tree: Tree) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; concurrent writers are a PostgreSQL matter")
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    audit_log(action=AuditAction.UPDATE, object_repr=f"w{n}-{i}", area_path=tree.grid.path)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEntry.objects.filter(object_repr__startswith="w").count() == 60
    report = verify_chain()
    assert report.broken_at is None, report
