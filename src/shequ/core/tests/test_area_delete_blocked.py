"""Deleting an area that anything still points at is a clear refusal on page and API, never a 500,
and nothing is deleted."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_area, make_user
from shequ.core.models import Area, AuditAction, AuditEntry
from shequ.core.roles import Role
from shequ.registry.models import Organisation
from shequ.resources.models import Resource

pytestmark = pytest.mark.django_db


def _try_delete(tree: Tree, area: Area) -> list[Any]:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="shequ_staff")
    client = login_client(staff)
    page = client.post(f"/areas/{area.pk}/delete/")
    api = client.delete(f"/api/areas/{area.pk}")
    return [page, api]


def test_a_building_that_only_an_organisation_points_at_is_refused_with_the_reason(tree: Tree) -> None:
    building = make_area(tree.grid, "只有单位的楼")
    Organisation.objects.create(area=building, kind="unit", name="楼里的单位")
    page, api = _try_delete(tree, building)
    assert page.status_code == 400
    assert "单位" in page.content.decode()
    assert api.status_code == 400
    assert api.json()["code"] == "area_in_use"
    assert Area.objects.filter(pk=building.pk).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()  # nothing logged as deleted


def test_a_record_no_app_registered_as_a_blocker_still_gets_a_clear_refusal(tree: Tree) -> None:
    """The database protects more than the registered blockers name: the refusal names the kind."""
    building = make_area(tree.grid, "有资源的楼")
    Resource.objects.create(area=building, kind="material", name="活动室桌椅")
    page, api = _try_delete(tree, building)
    assert page.status_code == 400
    assert api.status_code == 400
    assert api.json()["code"] == "area_in_use"
    assert Area.objects.filter(pk=building.pk).exists()


def test_an_empty_building_is_deleted(tree: Tree) -> None:
    building = make_area(tree.grid, "空楼")
    page, _api = _try_delete(tree, building)
    assert page.status_code == 302
    assert not Area.objects.filter(pk=building.pk).exists()
