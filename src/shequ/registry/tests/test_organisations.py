"""Organisations (with their credit codes) and what the registry keeps about buildings."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_user
from shequ.core.errors import Conflict, DomainError
from shequ.core.idnumber import credit_code_problem
from shequ.core.roles import Role
from shequ.registry import services
from shequ.registry.models import BuildingProfile, Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "code, problem",
    [
        ("91350100M000100Y43", None),  # a published example
        ("91350100M000100Y44", "checksum"),
        ("91350100M000100Y4", "format"),
        ("91350100M000100I43", "format"),  # I is not in the code's alphabet
    ],
)
def test_unified_social_credit_codes_are_checked(code: str, problem: str | None) -> None:
    assert credit_code_problem(code) == problem


def test_an_organisation_with_a_bad_code_or_phone_is_refused(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    with pytest.raises(DomainError) as err:
        services.organisation_create(
            by=staff,
            area=tree.community,
            name="平地物业",
            kind="property_company",
            credit_code="91350100M000100Y44",
        )
    assert err.value.code == "credit_code"
    with pytest.raises(DomainError) as err:
        services.organisation_create(
            by=staff, area=tree.community, name="平地物业", kind="property_company", contact_phone="12345"
        )
    assert err.value.code == "phone_format"
    org = services.organisation_create(
        by=staff, area=tree.community, name="平地物业", kind="property_company", contact_phone="0757-86001234"
    )
    assert org.contact_phone == "0757-86001234"


def test_a_stale_organisation_edit_is_refused(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    org = Organisation.objects.create(area=tree.community, kind="unit", name="平地小学")
    services.organisation_update(by=staff, organisation=org, version=1, name="平地中心小学")
    with pytest.raises(Conflict):
        services.organisation_update(by=staff, organisation=org, version=1, name="别的名字")


def test_a_building_gets_its_estate_property_company_and_head(tree: Tree, resident_factory: Any) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    company = Organisation.objects.create(area=tree.community, kind="property_company", name="平地物业")
    head = resident_factory(tree.building, name="黄伯")
    elsewhere = resident_factory(tree.other_building, name="外楼居民")
    with pytest.raises(DomainError) as err:
        services.building_profile_update(by=staff, building=tree.building, head=elsewhere)
    assert err.value.code == "head_building"
    client = login_client(staff)
    r = client.post(
        f"/areas/{tree.building.pk}/building/",
        {"estate": "布匹市场小区", "property_company": str(company.pk), "head": str(head.pk)},
    )
    assert r.status_code == 302
    profile = BuildingProfile.objects.get(area=tree.building)
    assert (profile.estate, profile.property_company_id, profile.head_id) == (
        "布匹市场小区",
        company.pk,
        head.pk,
    )
    page = client.get(f"/areas/{tree.building.pk}/").content.decode()
    assert "布匹市场小区" in page
    assert "平地物业" in page
    assert "黄伯" in page


def test_a_grid_worker_cannot_change_a_building_profile(tree: Tree) -> None:
    worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    assert login_client(worker).get(f"/areas/{tree.building.pk}/building/").status_code == 403


def test_the_building_profile_api_is_the_pages_twin(tree: Tree, resident_factory: Any) -> None:
    from conftest import token_client

    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    company = Organisation.objects.create(area=tree.community, kind="property_company", name="平地物业")
    head = resident_factory(tree.building, name="黄伯")
    elsewhere = resident_factory(tree.other_building, name="外楼居民")
    api, url = token_client(staff), f"/api/buildings/{tree.building.pk}/profile"
    assert api.get(url).json()["estate"] == ""
    body = {"estate": "布匹市场小区", "property_company_id": company.pk, "head_id": head.pk}
    r = api.put(url, body, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["head_id"] == head.pk
    stranger = api.put(url, {**body, "head_id": elsewhere.pk}, content_type="application/json")
    assert stranger.status_code == 404  # not one the page would offer
    worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    assert token_client(worker).get(url).status_code == 403
