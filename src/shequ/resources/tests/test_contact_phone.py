"""A resource's contact phone is personal data unless it is an office line (issue 13, finding 9): it
was shown in full to every role, with a tel: link. Now it is masked on every page, answer and form
unless the resource marks it public."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.core.roles import Role
from shequ.resources import services
from shequ.resources.models import Resource

pytestmark = pytest.mark.django_db

MOBILE = "13655554444"
OFFICE = "0757-86001234"


@pytest.fixture
def register(tree: Tree) -> tuple[Any, Resource, Resource]:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, "shequ")
    common = {"by": staff, "area": tree.community, "kind": "human", "status": "registered"}
    private = services.resource_create(name="退休医生刘医生", contact="刘医生", phone=MOBILE, **common)
    office = services.resource_create(name="党群服务中心", phone=OFFICE, phone_public=True, **common)
    return staff, private, office


@pytest.mark.parametrize("role", [Role.COMMUNITY_STAFF, Role.SOCIAL_WORKER, Role.RESIDENT, Role.EVALUATOR])
def test_a_private_mobile_is_masked_everywhere_and_an_office_line_is_shown_with_a_call_link(
    register: tuple[Any, Resource, Resource], tree: Tree, role: Role
) -> None:
    _staff, private, _office = register
    home = {Role.RESIDENT: tree.building, Role.EVALUATOR: tree.street}.get(role, tree.community)
    user = make_user(role, home, f"who_{role.value}")
    pages = [login_client(user).get(u) for u in ("/resources/", f"/resources/{private.pk}/")]
    api = token_client(user)
    answers = [api.get("/api/resources"), api.get(f"/api/resources/{private.pk}")]
    for response in [r for r in pages + answers if r.status_code == 200]:
        text = response.content.decode()
        assert MOBILE not in text
        assert f"tel:{MOBILE}" not in text
    listed = api.get("/api/resources").json().get("items", [])
    phones = {r["name"]: (r["phone"], r["phone_public"]) for r in listed}
    expected = {"退休医生刘医生": ("136****4444", False), "党群服务中心": (OFFICE, True)}
    assert {name: phones[name] for name in expected if name in phones} == {
        name: shown for name, shown in expected.items() if name in phones
    }
    if role == Role.COMMUNITY_STAFF:  # the register's own keepers see both, and call the office only
        assert set(phones) >= set(expected)
        listing = login_client(user).get("/resources/").content.decode()
        assert f'href="tel:{OFFICE}"' in listing
        assert "136****4444" in listing
        assert listing.count('href="tel:') == 1


def test_the_edit_form_keeps_a_masked_mobile_unless_a_new_one_is_typed(
    register: tuple[Any, Resource, Resource],
) -> None:
    staff, private, _office = register
    client = login_client(staff)
    form = client.get(f"/resources/{private.pk}/edit/").content.decode()
    assert MOBILE not in form
    assert 'value="136****4444"' in form
    fields = {
        "name": private.name,
        "kind": private.kind,
        "status": private.status,
        "contact": "刘医生（退休）",
        "phone": "136****4444",
        "version": private.version,
    }
    assert client.post(f"/resources/{private.pk}/edit/", fields).status_code == 302
    private.refresh_from_db()
    assert private.phone == MOBILE
    assert private.contact == "刘医生（退休）"
    fields |= {"phone": "13711112222", "version": private.version}
    assert client.post(f"/resources/{private.pk}/edit/", fields).status_code == 302
    private.refresh_from_db()
    assert private.phone == "13711112222"


def test_marking_a_number_public_is_an_audited_change_through_the_api(
    register: tuple[Any, Resource, Resource],
) -> None:
    staff, private, _office = register
    api = token_client(staff)
    r = api.patch(
        f"/api/resources/{private.pk}",
        {"version": private.version, "phone_public": True},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["phone"] == MOBILE
    assert r.json()["phone_public"] is True
    from shequ.core.models import AuditEntry

    assert "phone_public" in AuditEntry.objects.filter(action="update").latest("pk").changes
