"""Accounts across areas (issue 13, finding 1): a staff member grants roles only to accounts they may
already see — those holding a role inside their areas, or linked to a resident of their register — and
an account of another community answers exactly as a user name that does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, make_user, token_client
from shequ.core import selectors
from shequ.core.errors import NotFound
from shequ.core.models import AuditEntry, RoleAssignment, User
from shequ.core.roles import Role
from shequ.core.services import assignment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(tree: Tree) -> dict[str, User]:
    return {
        "worker": make_user(Role.COMMUNITY_STAFF, tree.community, username="b_worker"),
        "own_resident": make_user(Role.RESIDENT, tree.building, username="b_resident"),
        "other_resident": make_user(Role.RESIDENT, tree.other_building, username="a_resident"),
        "far_resident": make_user(Role.RESIDENT, tree.far_building, username="far_resident"),
        "district_admin": make_user(Role.DISTRICT_ADMIN, tree.district, username="qu_admin"),
        "street_official": make_user(Role.STREET_OFFICIAL, tree.street, username="jd_official"),
    }


def _grant(client: Any, username: str, role: str, area_id: int) -> Any:
    return client.post(
        "/api/assignments",
        {"username": username, "role": role, "area_id": area_id},
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("target", "role", "where"),
    [
        ("other_resident", "resident", "building"),  # another community's resident, into ours
        ("other_resident", "grid_worker", "grid"),  # ... made a grid worker of our grid
        ("far_resident", "resident", "building"),  # another district's
        ("district_admin", "resident", "building"),  # an account above us
        ("street_official", "volunteer", "community"),
    ],
)
def test_an_account_outside_the_granters_areas_answers_as_an_unknown_user_name(
    tree: Tree, accounts: dict[str, User], target: str, role: str, where: str
) -> None:
    client = token_client(accounts["worker"])
    area_id = getattr(tree, where).pk
    before = (RoleAssignment.objects.count(), AuditEntry.objects.count())
    unknown = _grant(client, "nobody_has_this_name", role, area_id)
    outside = _grant(client, accounts[target].username, role, area_id)
    assert unknown.status_code == outside.status_code == 404
    assert outside.json() == unknown.json()
    assert outside.json()["code"] == "account_unknown"
    assert outside.json()["field"] == "username"
    assert (RoleAssignment.objects.count(), AuditEntry.objects.count()) == before
    assert not RoleAssignment.objects.filter(user=accounts[target], area_id=area_id).exists()


def test_an_account_of_the_granters_area_gets_the_role(tree: Tree, accounts: dict[str, User]) -> None:
    r = _grant(token_client(accounts["worker"]), "B_RESIDENT", "building_head", tree.building.pk)
    assert r.status_code == 201, r.content
    assert RoleAssignment.objects.filter(user=accounts["own_resident"], role="building_head").exists()


def test_a_residents_own_account_is_seen_through_their_record(
    tree: Tree, accounts: dict[str, User], resident_factory: Any
) -> None:
    # An account with no role left is still reachable by the staff who keep the person's record.
    account = User.objects.create_user("linked_only", password="x")
    person = resident_factory(tree.building)
    worker = accounts["worker"]
    with pytest.raises(NotFound):
        selectors.account_for(worker, "assignment", "create", username="linked_only")
    person.user = account
    person.save(update_fields=["user"])
    assert selectors.account_for(worker, "assignment", "create", username="linked_only") == account
    # ... and a resident of another community, linked to their record there, stays out of reach.
    elsewhere = resident_factory(tree.other_building)
    elsewhere.user = accounts["other_resident"]
    elsewhere.save(update_fields=["user"])
    assert accounts["other_resident"] not in selectors.accounts_for(worker, "assignment", "create")


def test_the_service_refuses_an_account_it_was_handed_from_outside(
    tree: Tree, accounts: dict[str, User]
) -> None:
    # The rule holds in the service itself, whatever a caller resolved the account with.
    with pytest.raises(NotFound):
        assignment_create(
            by=accounts["worker"], user=accounts["other_resident"], role="resident", area=tree.building
        )
    assert not RoleAssignment.objects.filter(user=accounts["other_resident"], area=tree.building).exists()


def test_a_district_administrator_sees_the_accounts_of_the_whole_district(
    tree: Tree, accounts: dict[str, User]
) -> None:
    admin = accounts["district_admin"]
    seen = set(selectors.accounts_for(admin, "assignment", "create").values_list("username", flat=True))
    assert {"b_worker", "b_resident", "a_resident", "jd_official", "qu_admin"} <= seen
    assert "far_resident" not in seen


def test_resetting_the_factor_of_an_account_outside_answers_as_a_missing_one(
    tree: Tree, accounts: dict[str, User]
) -> None:
    from conftest import login_client

    client = login_client(accounts["worker"])
    missing = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    for target in ("other_resident", "far_resident", "district_admin"):
        outside = client.post(f"/people/{accounts[target].pk}/second-factor/reset/")
        unknown = client.post(f"/people/{missing}/second-factor/reset/")
        assert outside.status_code == unknown.status_code == 404
        assert accounts[target].username not in outside.content.decode()


def test_the_page_twin_grants_an_account_of_the_area_and_answers_another_as_unknown(
    tree: Tree, accounts: dict[str, User]
) -> None:
    from conftest import login_client

    client = login_client(accounts["worker"])
    url = f"/areas/{tree.building.pk}/people/grant/"
    assert 'data-testid="grant"' in client.get(f"/areas/{tree.building.pk}/").content.decode()
    before = (RoleAssignment.objects.count(), AuditEntry.objects.count())
    unknown = client.post(url, {"username": "nobody_has_this_name", "role": "resident"})
    for target in ("other_resident", "far_resident", "district_admin"):
        outside = client.post(url, {"username": accounts[target].username, "role": "resident"})
        assert outside.status_code == unknown.status_code == 404
        assert outside.context["form"].errors == unknown.context["form"].errors
        assert outside.context["form"]["username"].value() == accounts[target].username  # kept as typed
    assert (RoleAssignment.objects.count(), AuditEntry.objects.count()) == before
    # A role the granter may not give is not offered, and refused when posted anyway.
    refused = client.post(url, {"username": "b_resident", "role": "street_official"})
    assert refused.status_code == 400
    assert not RoleAssignment.objects.filter(role="street_official").count() > 1
    granted = client.post(url, {"username": "b_resident", "role": "building_head"})
    assert granted.status_code == 302
    assert RoleAssignment.objects.filter(user=accounts["own_resident"], role="building_head").exists()
    # Someone who may not grant roles here does not reach the page.
    assert login_client(accounts["own_resident"]).get(url).status_code in (403, 404)
