"""A volunteer's account (issue 13, finding 2): only an account of the social worker's own areas can be
linked, another community's answers exactly as an unknown user name, and a wrong link can be undone."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.core.models import AuditAction, AuditEntry, User
from shequ.core.roles import Role
from shequ.volunteering.models import Volunteer
from shequ.volunteering.tests.conftest import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(tree: Tree) -> dict[str, User]:
    return {
        "own": make_user(Role.RESIDENT, tree.building, username="pingdi_ju"),
        "other": make_user(Role.RESIDENT, tree.other_building, username="lixi_ju"),
        "far": make_user(Role.RESIDENT, tree.far_building, username="far_ju"),
    }


def _register_api(client: Any, area_id: int, username: str) -> Any:
    body = {"area_id": area_id, "name": "外来", "phone": "13800138000", "username": username}
    return client.post("/api/volunteers", body, content_type="application/json")


def _register_page(client: Any, area_id: int, username: str) -> Any:
    body = {"area": area_id, "name": "外来", "phone": "13800138000", "username": username}
    return client.post("/volunteers/new/", body)


@pytest.mark.parametrize("target", ["other", "far"])
def test_an_account_of_another_community_answers_as_an_unknown_user_name(
    tree: Tree, people: People, residents: dict[str, User], target: str
) -> None:
    api, page = token_client(people.worker), login_client(people.worker)
    before = (Volunteer.objects.count(), AuditEntry.objects.count())
    unknown, outside = (
        _register_api(api, tree.community.pk, n) for n in ("no_such_name", residents[target].username)
    )
    assert unknown.status_code == outside.status_code == 404
    assert outside.json() == unknown.json()
    assert outside.json()["code"] == "account_unknown"
    unknown, outside = (
        _register_page(page, tree.community.pk, n) for n in ("no_such_name", residents[target].username)
    )
    assert unknown.status_code == outside.status_code == 404
    assert outside.context["form"].errors == unknown.context["form"].errors
    assert "username" in outside.context["form"].errors
    assert outside.context["form"]["name"].value() == "外来"  # what was typed is kept
    assert (Volunteer.objects.count(), AuditEntry.objects.count()) == before
    assert not Volunteer.objects.filter(user=residents[target]).exists()
    # ... and that resident's own service record shows nothing of this community.
    assert login_client(residents[target]).get("/volunteering/me/").status_code == 404


def test_an_account_of_the_community_is_linked_and_the_link_can_be_undone_logged(
    tree: Tree, people: People, residents: dict[str, User]
) -> None:
    r = _register_api(token_client(people.worker), tree.community.pk, "PINGDI_JU")
    assert r.status_code == 201, r.content
    volunteer = Volunteer.objects.get(pk=r.json()["id"])
    assert volunteer.user == residents["own"]
    own = login_client(residents["own"])
    assert own.get("/volunteering/me/").status_code == 200
    page = login_client(people.worker)
    assert 'data-testid="unlink"' in page.get(f"/volunteers/{volunteer.pk}/").content.decode()
    assert page.post(f"/volunteers/{volunteer.pk}/", {"unlink": "1"}).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.user is None
    assert own.get("/volunteering/me/").status_code == 404
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(volunteer.pk)).latest("pk")
    assert "user" in entry.changes
    # Linked again (through the API), then unlinked through the API.
    volunteer.user = residents["own"]
    volunteer.save(update_fields=["user"])
    r = token_client(people.worker).delete(f"/api/volunteers/{volunteer.pk}/account")
    assert r.status_code == 200
    assert r.json()["user_id"] is None


@pytest.mark.parametrize("who", ["other_worker", "far_admin", "grid_worker"])
def test_only_the_volunteers_own_staff_unlink_it(
    tree: Tree, people: People, residents: dict[str, User], who: str
) -> None:
    r = _register_api(token_client(people.worker), tree.community.pk, "pingdi_ju")
    volunteer_id = r.json()["id"]
    before = AuditEntry.objects.count()
    answer = token_client(getattr(people, who)).delete(f"/api/volunteers/{volunteer_id}/account")
    assert answer.status_code in (403, 404)
    page = login_client(getattr(people, who)).post(f"/volunteers/{volunteer_id}/", {"unlink": "1"})
    assert page.status_code in (403, 404)
    assert Volunteer.objects.get(pk=volunteer_id).user == residents["own"]
    assert AuditEntry.objects.count() == before


def _unlinked(tree: Tree, people: People) -> Volunteer:
    from shequ.volunteering import services

    return services.volunteer_register(
        by=people.worker,
        area=tree.community,
        name="老志愿者",
        phone="13800138001",
        skills=[],
        availability="",
    )


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_social_worker_links_an_existing_volunteer_to_a_residents_account(
    tree: Tree, people: People, residents: dict[str, User], channel: str
) -> None:
    volunteer = _unlinked(tree, people)
    if channel == "page":
        page = login_client(people.worker)
        assert 'data-testid="link-account"' in page.get(f"/volunteers/{volunteer.pk}/").content.decode()
        r = page.post(f"/volunteers/{volunteer.pk}/", {"link": "1", "username": "pingdi_ju"})
        assert r.status_code == 302
    else:
        r = token_client(people.worker).put(
            f"/api/volunteers/{volunteer.pk}/account",
            {"username": "pingdi_ju"},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["user_id"] == residents["own"].pk
    volunteer.refresh_from_db()
    assert volunteer.user == residents["own"]
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(volunteer.pk)).latest("pk")
    assert entry.changes["user"] == [None, residents["own"].pk]
    assert login_client(residents["own"]).get("/volunteering/me/").status_code == 200


@pytest.mark.parametrize("channel", ["page", "api"])
def test_linking_an_account_of_another_community_answers_as_an_unknown_name(
    tree: Tree, people: People, residents: dict[str, User], channel: str
) -> None:
    volunteer = _unlinked(tree, people)
    before = AuditEntry.objects.count()
    if channel == "page":
        r = login_client(people.worker).post(
            f"/volunteers/{volunteer.pk}/", {"link": "1", "username": "lixi_ju"}
        )
        assert r.status_code == 404
        assert "lixi_ju" in r.content.decode()  # what was typed is kept
    else:
        r = token_client(people.worker).put(
            f"/api/volunteers/{volunteer.pk}/account",
            {"username": "lixi_ju"},
            content_type="application/json",
        )
        assert r.status_code == 404
        assert r.json()["code"] == "account_unknown"
    assert Volunteer.objects.get(pk=volunteer.pk).user is None
    assert AuditEntry.objects.count() == before


def test_another_communitys_worker_cannot_link(
    tree: Tree, people: People, residents: dict[str, User]
) -> None:
    volunteer = _unlinked(tree, people)
    r = token_client(people.other_worker).put(
        f"/api/volunteers/{volunteer.pk}/account", {"username": "pingdi_ju"}, content_type="application/json"
    )
    assert r.status_code == 404
    assert Volunteer.objects.get(pk=volunteer.pk).user is None
