"""The audit log: an entry for each audited action, scoped to the area, and append-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from conftest import PASSWORD, Tree, login_client, make_user
from shequ.core import services
from shequ.core.audit import audit_log
from shequ.core.models import AuditAction, AuditEntry
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


def entries(action: str, **filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, **filters))


def test_login_failed_login_and_logout_are_recorded_with_the_address(tree: Tree) -> None:
    user = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-agent")
    client.post("/login/", {"username": "wangge", "password": "not-the-password"})
    client.post("/login/", {"username": "wangge", "password": PASSWORD})
    client.post("/logout/")
    failed, login, logout = entries("login_failed")[0], entries("login")[0], entries("logout")[0]
    assert failed.actor_id == login.actor_id == logout.actor_id == user.pk
    assert login.ip == "10.1.2.3"
    assert login.user_agent == "pytest-agent"
    assert login.area_path == tree.grid.path


def test_create_update_delete_of_an_area_record_what_changed(tree: Tree) -> None:
    admin = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    area = services.area_create(by=admin, parent=tree.grid, name="新楼", address="平地路1号")
    services.area_update(by=admin, area=area, version=area.version, name="新楼A")
    area_id, area_path = str(area.pk), area.path
    services.area_delete(by=admin, area=area)  # the caller still holds the stale name 新楼
    created, updated, deleted = (entries(a, object_id=area_id)[0] for a in ("create", "update", "delete"))
    assert created.changes["name"] == [None, "新楼"]
    assert created.actor_id == admin.pk
    assert updated.changes == {"name": ["新楼", "新楼A"]}
    assert deleted.changes["name"] == ["新楼A", None]
    assert {created.area_path, updated.area_path, deleted.area_path} == {area_path}


def test_granting_and_revoking_a_role_is_a_permission_change(tree: Tree) -> None:
    admin = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    volunteer = make_user(Role.VOLUNTEER, tree.community, username="vol")
    held = services.assignment_create(by=admin, user=volunteer, role=Role.BUILDING_HEAD, area=tree.building)
    services.assignment_delete(by=admin, assignment=held)
    changes = [e.changes for e in entries("permission_change", actor_id=admin.pk)]
    assert {"granted": [None, f"vol:building_head@{tree.building.name}"]} in changes
    assert {"revoked": [f"vol:building_head@{tree.building.name}", None]} in changes


def test_revealing_an_id_number_is_recorded_and_the_number_never_enters_the_log(
    tree: Tree, resident_factory: Any
) -> None:
    person = resident_factory(tree.building)
    worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    response = login_client(worker).post(f"/residents/{person.pk}/reveal/")
    assert response.status_code == 200
    seen = entries("view_sensitive", object_id=str(person.pk))
    assert len(seen) == 1
    assert seen[0].actor_id == worker.pk
    from shequ.core.crypto import decrypt
    from shequ.registry.services import ID_CONTEXT

    full = decrypt(person.id_number_encrypted, context=ID_CONTEXT)
    assert all(full not in str(e.changes) + e.object_repr for e in AuditEntry.objects.all())


def test_a_password_never_enters_the_log(tree: Tree) -> None:
    make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    Client().post("/login/", {"username": "wangge", "password": "secret-typo-123"})
    for e in AuditEntry.objects.all():
        assert "secret-typo-123" not in f"{e.changes}{e.object_repr}{e.actor_name}"


def test_the_log_refuses_edits_and_deletes_through_the_code(db: Any) -> None:
    entry = audit_log(action=AuditAction.EXPORT, object_repr="x")
    entry.object_repr = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "x"


def test_the_database_itself_refuses_to_update_an_entry(db: Any) -> None:
    entry = audit_log(action=AuditAction.EXPORT, object_repr="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET object_repr = 'forged' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for Django's test flush")
def test_postgresql_refuses_to_delete_an_entry(db: Any) -> None:
    entry = audit_log(action=AuditAction.EXPORT, object_repr="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_area_admins_see_the_log_of_their_area_only(tree: Tree) -> None:
    audit_log(action=AuditAction.EXPORT, object_repr="平地导出", area_path=tree.building.path)
    audit_log(action=AuditAction.EXPORT, object_repr="沥西导出", area_path=tree.other_building.path)
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    street = make_user(Role.STREET_OFFICIAL, tree.street, username="street")
    staff_page = login_client(staff).get("/audit/", {"action": "export"}).content.decode()
    assert "平地导出" in staff_page
    assert "沥西导出" not in staff_page
    street_page = login_client(street).get("/audit/", {"action": "export"}).content.decode()
    assert "平地导出" in street_page
    assert "沥西导出" in street_page


def test_the_log_shows_a_change_to_a_field_named_like_a_dict_method(tree: Tree) -> None:
    # A resource has a field called "items": the page once looked up `.items` on the changes and failed.
    audit_log(
        action=AuditAction.UPDATE,
        object_repr="长者饭堂",
        area_path=tree.community.path,
        changes={"items": ["午餐", "午餐、送餐"], "keys": "x"},
    )
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    r = login_client(staff).get("/audit/", {"action": "update"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "items: 午餐 → 午餐、送餐" in page
    assert "keys: x" in page


def test_the_log_can_be_filtered_by_action_and_actor(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    services.area_create(by=staff, parent=tree.grid, name="筛选测试楼")
    client = login_client(staff)
    api = client.get("/api/audit", {"action": "create", "actor": "staff"}).json()
    assert [i["object_repr"] for i in api["items"]] == ["筛选测试楼"]
    assert client.get("/api/audit", {"action": "delete"}).json()["count"] == 0
    page = client.get("/audit/", {"action": "create", "actor": "nobody"}).content.decode()
    assert "筛选测试楼" not in page


def test_there_is_no_page_or_endpoint_that_edits_the_log(tree: Tree) -> None:
    from django.urls import get_resolver

    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not any("audit" in r and ("edit" in r or "delete" in r) for r in routes)
    staff = make_user(Role.DISTRICT_ADMIN, tree.district, username="admin")
    entry = audit_log(action=AuditAction.EXPORT, object_repr="x", area_path=tree.district.path)
    client = login_client(staff)
    assert client.delete(f"/api/audit/{entry.pk}").status_code in (404, 405)
    assert client.patch(f"/api/audit/{entry.pk}", {}, content_type="application/json").status_code in (
        404,
        405,
    )
