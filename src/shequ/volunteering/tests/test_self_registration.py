"""A signed-in resident registers themselves as a volunteer from a phone: their registry record is
found (nothing typed twice), the record waits for a social worker to verify it, and nobody registers
twice or someone else."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.core.errors import Conflict, DomainError
from shequ.core.roles import Role
from shequ.registry.selectors import resident_on_account
from shequ.volunteering import services
from shequ.volunteering.models import Volunteer
from shequ.volunteering.tests.conftest import People

pytestmark = pytest.mark.django_db


def test_a_resident_signing_in_with_their_phone_is_linked_to_their_record_and_waits_for_verification(
    tree: Tree, resident_factory: Any, people: People
) -> None:
    resident = resident_factory(tree.building, name="李四", phone="13912345678")
    resident_factory(tree.building, name="王五")
    user = make_user(Role.RESIDENT, tree.building, "13912345678")
    volunteer = services.volunteer_register_self(
        by=user, skills=["急救", "急救", "理发"], availability="周末上午"
    )
    assert (volunteer.resident, volunteer.user, volunteer.name) == (resident, user, "李四")
    assert volunteer.area == tree.community
    assert volunteer.skills == ["急救", "理发"]
    assert not volunteer.is_verified
    verified = services.volunteer_verify(by=people.worker, volunteer=volunteer)
    assert verified.is_verified


def test_without_a_registry_record_the_name_and_a_mobile_number_are_needed(tree: Tree) -> None:
    user = make_user(Role.RESIDENT, tree.building, "newcomer")
    with pytest.raises(DomainError) as refused:
        services.volunteer_register_self(by=user, name="赵六")
    assert refused.value.fields == {"phone": "required"}
    volunteer = services.volunteer_register_self(by=user, name="赵六", phone="13700001111")
    assert volunteer.resident is None
    assert volunteer.phone_index
    assert volunteer.area == tree.community


def test_nobody_registers_twice_and_staff_or_outsiders_cannot_self_register(
    tree: Tree, resident_factory: Any, people: People, volunteer_factory: Any
) -> None:
    resident_factory(tree.building, name="李四", phone="13912345678")
    user = make_user(Role.RESIDENT, tree.building, "13912345678")
    services.volunteer_register_self(by=user)
    with pytest.raises(Conflict):
        services.volunteer_register_self(by=user)
    # The same person's record was already registered by the staff: no second volunteer for it.
    other = resident_factory(tree.building, name="周七", phone="13912340000")
    services.volunteer_register(by=people.worker, area=tree.community, resident=other)
    with pytest.raises(Conflict):
        services.volunteer_register_self(by=make_user(Role.RESIDENT, tree.building, "13912340000"))
    with pytest.raises(DomainError) as refused:
        services.volunteer_register_self(by=people.street, name="官员", phone="13600000000")
    assert refused.value.status == 403
    assert Volunteer.objects.count() == 2


def test_a_name_alone_links_only_the_one_resident_of_that_name_in_the_building(
    tree: Tree, resident_factory: Any
) -> None:
    only = resident_factory(tree.building, name="孙八")
    user = make_user(Role.RESIDENT, tree.building, "sunba")
    user.display_name = "孙八"
    user.save()
    assert resident_on_account(user, recognise=True) == only
    resident_factory(tree.building, name="孙八")  # now two: no guess
    assert resident_on_account(user, recognise=True) is None
    # A record in another community is never found, whatever the name.
    far = make_user(Role.RESIDENT, tree.far_building, "far_sunba")
    far.display_name = "孙八"
    far.save()
    assert resident_on_account(far, recognise=True) is None


def test_the_join_page_asks_only_for_skills_and_times_when_the_record_is_known(
    tree: Tree, resident_factory: Any
) -> None:
    resident = resident_factory(tree.building, name="李四", phone="13912345678")
    resident.skills = ["修水管"]
    resident.save()
    phone = login_client(make_user(Role.RESIDENT, tree.building, "13912345678"))
    page = phone.get("/volunteering/join/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="known-resident"' in body
    assert 'name="name"' not in body
    assert 'name="phone"' not in body
    # The skill in their registry record is already ticked.
    assert re.search(r'value="修水管"[^>]*checked', body)
    r = phone.post("/volunteering/join/", {"skills": ["修水管"], "times": []})
    assert r.status_code == 302
    assert r["Location"] == "/volunteering/me/"
    volunteer = Volunteer.objects.get()
    assert volunteer.resident == resident
    assert volunteer.skills == ["修水管"]
    # Registered already: the page leads to their record.
    assert phone.get("/volunteering/join/")["Location"] == "/volunteering/me/"


def test_the_join_page_refuses_staff_and_keeps_what_was_typed_on_a_refusal(
    tree: Tree, people: People
) -> None:
    assert login_client(people.street).get("/volunteering/join/").status_code == 403
    phone = login_client(make_user(Role.RESIDENT, tree.building, "newcomer"))
    r = phone.post("/volunteering/join/", {"name": "赵六", "phone": "123", "other_skills": "书法"})
    assert r.status_code == 400
    assert "赵六" in r.content.decode()
    assert "书法" in r.content.decode()
    assert not Volunteer.objects.exists()


def test_the_api_registers_the_signed_in_resident(tree: Tree, resident_factory: Any) -> None:
    resident_factory(tree.building, name="李四", phone="13912345678")
    api = token_client(make_user(Role.RESIDENT, tree.building, "13912345678"))
    r = api.post("/api/volunteers/join", {"skills": ["急救"]}, content_type="application/json")
    assert r.status_code == 201
    assert r.json()["name"] == "李四"
    assert r.json()["verified"] is False
    again = api.post("/api/volunteers/join", {}, content_type="application/json")
    assert again.status_code == 409
    sneaky = api.post("/api/volunteers/join", {"area_id": 1}, content_type="application/json")
    assert sneaky.status_code == 422
