"""On PostgreSQL the app's own database role cannot change or remove audit entries: the database's
grants refuse it, whatever the code does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import Tree
from shequ.core.audit import audit_log, verify_chain
from shequ.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)
ROLE = f"shequ_app_test_{os.getpid()}"


@pytest.fixture
def app_role() -> Iterator[psycopg.Connection]:
    """The role granted by `shequ dbroles`, connected to the test database as the web app would be."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles and grants are PostgreSQL's")
    out = StringIO()
    call_command("dbroles", ROLE, "--create", stdout=out)
    assert "only by INSERT" in out.getvalue()
    s = connection.settings_dict
    conn = psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, dbname=s["NAME"], user=ROLE, autocommit=True
    )
    try:
        yield conn
    finally:
        conn.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{ROLE}"')
            cursor.execute(f'DROP ROLE "{ROLE}"')


def refused(conn: psycopg.Connection, sql: str, *params: object) -> bool:
    try:
        conn.execute(sql, list(params) or None)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_the_app_role_may_add_to_the_log_but_not_change_empty_or_unguard_it(
    tree: Tree, app_role: psycopg.Connection
) -> None:
    entry = audit_log(action=AuditAction.UPDATE, object_repr="原记录", area_path=tree.community.path)
    assert AuditEntry._meta.db_table == "core_auditentry"
    assert refused(app_role, "UPDATE core_auditentry SET object_repr = 'x' WHERE id = %s", entry.pk)
    assert refused(app_role, "DELETE FROM core_auditentry WHERE id = %s", entry.pk)
    assert refused(app_role, "TRUNCATE core_auditentry")
    assert refused(app_role, "ALTER TABLE core_auditentry DISABLE TRIGGER USER")
    # What the product needs still works: reading and writing its tables, adding to the log.
    row = app_role.execute("SELECT object_repr FROM core_auditentry WHERE id = %s", [entry.pk]).fetchone()
    assert row == ("原记录",)
    app_role.execute("UPDATE core_area SET name = name WHERE id = %s", [tree.grid.pk])
    AuditEntry.objects.get(pk=entry.pk)  # untouched
    assert verify_chain().broken_at is None


def test_the_command_refuses_what_it_cannot_do_safely(db: None) -> None:
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("dbroles", "shequ_app")
        return
    with pytest.raises(CommandError, match="not a plain role name"):
        call_command("dbroles", 'x"; DROP TABLE core_area; --')
    with pytest.raises(CommandError, match="add --create"):
        call_command("dbroles", "shequ_no_such_role_here")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="must not be the owner"):
        call_command("dbroles", owner)
