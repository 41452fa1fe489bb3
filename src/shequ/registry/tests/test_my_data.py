"""A resident's own "my data" page: see (masked, reveal logged), download, ask to correct (issue 9)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.core.crypto import decrypt
from shequ.core.errors import DomainError
from shequ.core.models import AuditAction, AuditEntry
from shequ.core.roles import Role
from shequ.registry import rights
from shequ.registry.models import CorrectionRequest
from shequ.registry.services import ID_CONTEXT

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def linked(tree: Tree, resident_factory: Any) -> dict[str, Any]:
    person = resident_factory(tree.building, name="陈美玲", gender="F", phone=PHONE)
    neighbour = resident_factory(tree.building, name="王芳", gender="F")
    account = make_user(Role.RESIDENT, tree.building, username="pingdi_jumin")
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="shequ")
    r = login_client(staff).post(f"/residents/{person.pk}/account/", {"username": "pingdi_jumin"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.user == account
    return {
        "person": person,
        "neighbour": neighbour,
        "account": account,
        "staff": staff,
        "id": decrypt(person.id_number_encrypted, context=ID_CONTEXT),
    }


def test_a_resident_sees_their_own_data_masked_and_reveals_it_logged(linked: dict[str, Any]) -> None:
    client = login_client(linked["account"])
    page = client.get("/me/data/")
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert "陈美玲" in html
    assert "139****5678" in html
    assert linked["id"] not in html
    assert PHONE not in html
    assert "王芳" not in html  # nobody else's data
    assert 'data-testid="nav-my-data"' in html
    revealed = client.post("/me/data/reveal/").content.decode()
    assert linked["id"] in revealed
    assert PHONE in revealed
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_SENSITIVE)
    assert entry.actor_id == linked["account"].pk
    assert entry.object_id == str(linked["person"].pk)
    assert linked["id"] not in json.dumps(entry.changes)


def test_a_resident_downloads_everything_held_on_them_logged(linked: dict[str, Any]) -> None:
    r = login_client(linked["account"]).post("/me/data/download/")
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    data = json.loads(r.content)
    assert data["name"] == "陈美玲"
    assert data["id_number"] == linked["id"]
    assert data["phone"] == PHONE
    assert (
        AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(linked["person"].pk)).count() == 1
    )
    api = token_client(linked["account"])
    assert api.get("/api/me/data").json()["id_number"] != linked["id"]  # masked by GET
    assert api.post("/api/me/data/download").json()["id_number"] == linked["id"]


def test_an_account_without_a_record_has_no_data_page_and_never_reaches_anothers(
    tree: Tree, linked: dict[str, Any]
) -> None:
    stranger = make_user(Role.RESIDENT, tree.building, username="lin_ju")
    r = login_client(stranger).get("/me/data/")
    assert r.status_code == 404
    assert "陈美玲" not in r.content.decode()
    assert token_client(stranger).get("/api/me/data").status_code == 404
    # Staff have no "my data" either, and a resident never opens the registry.
    assert login_client(linked["account"]).get(f"/residents/{linked['neighbour'].pk}/").status_code in (
        403,
        404,
    )


def test_linking_is_refused_for_a_staff_account_an_outsider_or_an_account_already_linked(
    tree: Tree, linked: dict[str, Any], resident_factory: Any
) -> None:
    other = resident_factory(tree.building, name="林一")
    grid = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    far = make_user(Role.RESIDENT, tree.other_building, username="lixi_ju")
    for username, code in (
        ("wangge", "account_not_resident"),
        ("lixi_ju", "account_unknown"),  # another community's: as if it did not exist
        ("pingdi_jumin", "account_taken"),
        ("nobody_here", "account_unknown"),
    ):
        with pytest.raises(DomainError) as refused:
            rights.resident_link_account(by=linked["staff"], resident=other, username=username)
        assert refused.value.code == code
    assert grid
    assert far
    head = make_user(Role.BUILDING_HEAD, tree.building, username="louzhang")
    assert (
        login_client(head).post(f"/residents/{other.pk}/account/", {"username": "lin_ju"}).status_code == 403
    )


def test_a_correction_request_reaches_the_staff_of_the_community_only_and_is_resolved_logged(
    tree: Tree, linked: dict[str, Any]
) -> None:
    resident = login_client(linked["account"])
    r = resident.post("/me/data/correct/", {"field": "phone", "details": "新手机号 13700001111"})
    assert r.status_code == 302
    correction = CorrectionRequest.objects.get()
    assert "13700001111" not in correction.details_encrypted  # kept encrypted
    staff = login_client(linked["staff"])
    listing = staff.get("/corrections/").content.decode()
    assert f'href="/corrections/{correction.pk}/"' in listing
    assert "陈美玲" in listing
    detail = staff.get(f"/corrections/{correction.pk}/").content.decode()
    assert "13700001111" not in detail
    assert "137******11" in detail
    assert "13700001111" in staff.post(f"/corrections/{correction.pk}/reveal/").content.decode()
    outsider = login_client(make_user(Role.COMMUNITY_STAFF, tree.other_community, username="lixi"))
    assert f"/corrections/{correction.pk}/" not in outsider.get("/corrections/").content.decode()
    assert outsider.get(f"/corrections/{correction.pk}/").status_code == 404
    assert staff.post(f"/corrections/{correction.pk}/", {"corrected": "no", "answer": ""}).status_code == 200
    r = staff.post(f"/corrections/{correction.pk}/", {"corrected": "yes", "answer": "已更新手机号"})
    assert r.status_code == 302
    mine = resident.get("/me/data/").content.decode()
    assert "已更新手机号" in mine
    actions = list(
        AuditEntry.objects.filter(object_type="registry.correctionrequest")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.VIEW_SENSITIVE, AuditAction.UPDATE]


def test_the_api_asks_and_resolves_a_correction(linked: dict[str, Any]) -> None:
    r = token_client(linked["account"]).post(
        "/api/me/corrections", {"field": "address", "details": "应为3-302室"}, content_type="application/json"
    )
    assert r.status_code == 201
    assert r.json()["status"] == "open"
    staff = token_client(linked["staff"])
    assert [i["id"] for i in staff.get("/api/corrections").json()["items"]] == [r.json()["id"]]
    done = staff.post(
        f"/api/corrections/{r.json()['id']}/resolve",
        {"corrected": False, "answer": "经核实地址无误"},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "refused"
    assert token_client(linked["account"]).get("/api/corrections").status_code == 403
