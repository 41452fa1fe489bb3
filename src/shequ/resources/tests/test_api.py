"""The resource register through the API: create with a venue, patch with a version, scoping, filters."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, make_user, token_client
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.resources.models import Resource, Venue

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def api(tree: Tree) -> Any:
    return token_client(make_user(Role.SOCIAL_WORKER, tree.community, username="shegong"))


def _create(api: Any, tree: Tree, **fields: Any) -> Any:
    body = {"area_id": tree.community.pk, "name": "党群服务中心多功能室", "kind": "material", **fields}
    return api.post("/api/resources", body, content_type=JSON)


def test_a_venue_is_created_and_read_back(api: Any, tree: Tree) -> None:
    r = _create(
        api,
        tree,
        phone="0757-86001234",
        phone_public=True,  # the centre's office line
        venue={"capacity": 80, "equipment": "投影仪、音响", "owner": "居委会"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["venue"] == {
        "capacity": 80,
        "opening_hours": "",
        "equipment": "投影仪、音响",
        "owner": "居委会",
        "owner_organisation_id": None,
    }
    assert body["status"] == "registered"
    assert body["version"] == 1
    assert api.get(f"/api/resources/{body['id']}").json()["phone"] == "0757-86001234"


def test_validation_errors_answer_400_with_a_code(api: Any, tree: Tree) -> None:
    bad_phone = _create(api, tree, phone="12345")
    assert bad_phone.status_code == 400
    assert bad_phone.json()["code"] == "phone_format"
    bad_mail = _create(api, tree, email="not-an-address")
    assert bad_mail.status_code == 400
    assert bad_mail.json()["code"] == "email_format"
    assert _create(api, tree, venue={"capacity": 0}).status_code == 422
    assert _create(api, tree, kind="spiritual").status_code == 422
    assert _create(api, tree, area="moved").status_code == 422  # unknown fields are refused
    assert not Resource.objects.exists()


def test_a_patch_with_a_stale_version_is_a_conflict(api: Any, tree: Tree) -> None:
    pk = _create(api, tree).json()["id"]
    ok = api.patch(f"/api/resources/{pk}", {"version": 1, "status": "to_develop"}, content_type=JSON)
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    assert ok.json()["status"] == "to_develop"
    stale = api.patch(f"/api/resources/{pk}", {"version": 1, "name": "别的名字"}, content_type=JSON)
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"


def test_a_patch_makes_a_resource_a_venue_and_back(api: Any, tree: Tree) -> None:
    pk = _create(api, tree).json()["id"]
    r = api.patch(f"/api/resources/{pk}", {"version": 1, "venue": {"capacity": 30}}, content_type=JSON)
    assert r.json()["venue"]["capacity"] == 30
    r = api.patch(f"/api/resources/{pk}", {"version": 2, "venue": None}, content_type=JSON)
    assert r.json()["venue"] is None
    assert not Venue.objects.exists()


def test_delete_removes_the_record_and_is_audited(api: Any, tree: Tree) -> None:
    pk = _create(api, tree, venue={"capacity": 20}).json()["id"]
    assert api.delete(f"/api/resources/{pk}").status_code == 204
    assert not Resource.objects.exists()
    assert AuditEntry.objects.filter(object_type="resources.resource", object_id=str(pk)).count() == 2


def test_a_community_worker_of_another_community_sees_nothing(api: Any, tree: Tree) -> None:
    pk = _create(api, tree).json()["id"]
    other = token_client(make_user(Role.COMMUNITY_STAFF, tree.other_community, username="lixi"))
    assert other.get("/api/resources").json()["items"] == []
    assert other.get(f"/api/resources/{pk}").status_code == 404
    assert (
        other.patch(f"/api/resources/{pk}", {"version": 1, "name": "x"}, content_type=JSON).status_code == 404
    )
    assert other.delete(f"/api/resources/{pk}").status_code == 404
    assert Resource.objects.get(pk=pk).name == "党群服务中心多功能室"


def test_the_list_filters_by_triage_status_kind_and_venue(api: Any, tree: Tree) -> None:
    _create(api, tree, venue={"capacity": 80})
    _create(api, tree, name="平地小学操场", status="to_develop")
    _create(api, tree, name="辖区企业赞助资金", kind="financial")

    def names(**params: Any) -> list[str]:
        return sorted(i["name"] for i in api.get("/api/resources", params).json()["items"])

    assert names(status="to_develop") == ["平地小学操场"]
    assert names(kind="financial") == ["辖区企业赞助资金"]
    assert names(venues="true") == ["党群服务中心多功能室"]
    assert len(names()) == 3
