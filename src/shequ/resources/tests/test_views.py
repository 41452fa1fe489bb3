"""The resource register pages: list with filters, create a venue under an area, edit, conflict, delete."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_user
from shequ.core.roles import Role
from shequ.resources import services
from shequ.resources.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tree: Tree) -> Any:
    return make_user(Role.SOCIAL_WORKER, tree.community, username="shegong")


def _form(**fields: Any) -> dict[str, Any]:
    return {"name": "党群服务中心多功能室", "kind": "material", "status": "registered", **fields}


def test_a_venue_is_added_under_an_area_from_the_list(tree: Tree, worker: Any) -> None:
    client = login_client(worker)
    page = client.get("/resources/").content.decode()
    assert f'href="/areas/{tree.community.pk}/resources/new/"' in page
    r = client.post(
        f"/areas/{tree.community.pk}/resources/new/",
        _form(phone="0757-86001234", is_venue="on", capacity="80", opening_hours="周一至周五 08:30-17:30"),
    )
    hall = Resource.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/resources/{hall.pk}/"
    detail = client.get(r["Location"]).content.decode()
    assert "党群服务中心多功能室" in detail
    assert 'data-testid="venue"' in detail
    assert "80" in detail


def test_form_errors_are_shown_on_their_fields(tree: Tree, worker: Any) -> None:
    client = login_client(worker)
    r = client.post(f"/areas/{tree.community.pk}/resources/new/", _form(email="nobody", is_venue="on"))
    assert r.status_code == 200
    assert 'class="field-error"' in r.content.decode()
    r = client.post(f"/areas/{tree.community.pk}/resources/new/", _form(is_venue="on", capacity="0"))
    assert r.status_code == 200
    assert 'class="field-error"' in r.content.decode()
    assert not Resource.objects.exists()


def test_a_stale_edit_shows_the_conflict_and_keeps_the_newer_data(tree: Tree, worker: Any) -> None:
    hall = services.resource_create(by=worker, area=tree.community, name="多功能室", kind="material")
    services.resource_update(by=worker, resource=hall, version=1, name="多功能室（一楼）")
    client = login_client(worker)
    assert 'value="多功能室（一楼）"' in client.get(f"/resources/{hall.pk}/edit/").content.decode()
    r = client.post(f"/resources/{hall.pk}/edit/", _form(name="多功能室（二楼）", version=1))
    assert r.status_code == 200
    assert "error-box" in r.content.decode()
    assert Resource.objects.get(pk=hall.pk).name == "多功能室（一楼）"


def test_the_list_filters_by_triage_status(tree: Tree, worker: Any) -> None:
    services.resource_create(by=worker, area=tree.community, name="长者饭堂", kind="material")
    services.resource_create(
        by=worker, area=tree.community, name="平地小学操场", kind="material", status="to_develop"
    )
    page = login_client(worker).get("/resources/", {"status": "to_develop"}).content.decode()
    assert "平地小学操场" in page
    assert "长者饭堂" not in page


def test_another_community_cannot_open_the_record_by_id(tree: Tree, worker: Any) -> None:
    hall = services.resource_create(by=worker, area=tree.community, name="多功能室", kind="material")
    other = login_client(make_user(Role.COMMUNITY_STAFF, tree.other_community, username="lixi"))
    assert "多功能室" not in other.get("/resources/").content.decode()
    assert other.get(f"/resources/{hall.pk}/").status_code == 404
    assert other.get(f"/resources/{hall.pk}/edit/").status_code == 404
    assert other.post(f"/resources/{hall.pk}/delete/").status_code == 404


def test_residents_have_no_register_in_their_menu(tree: Tree) -> None:
    resident = login_client(make_user(Role.RESIDENT, tree.building, username="jumin"))
    assert 'href="/resources/"' not in resident.get("/").content.decode()
    assert resident.get("/resources/").status_code == 403


def test_delete_asks_then_removes(tree: Tree, worker: Any) -> None:
    hall = services.resource_create(by=worker, area=tree.community, name="多功能室", kind="material")
    client = login_client(worker)
    assert client.get(f"/resources/{hall.pk}/delete/").status_code == 200
    r = client.post(f"/resources/{hall.pk}/delete/")
    assert r.status_code == 302
    assert not Resource.objects.exists()
