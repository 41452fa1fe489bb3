"""Residents' proposals: co-signed once per person (or household); at the threshold — 1/5 by
default — they go on the next agenda of their area by themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Tree, login_client, make_user, token_client
from shequ.core.errors import DomainError, Forbidden
from shequ.core.roles import Role
from shequ.deliberation import selectors
from shequ.deliberation.models import Proposal
from shequ.deliberation.services import proposals
from shequ.deliberation.tests.conftest import call_meeting

pytestmark = pytest.mark.django_db


def _residents(tree: Tree, resident_factory: Any, n: int) -> list[Any]:
    people = []
    for i in range(n):
        person = resident_factory(tree.building, name=f"居民{i}")
        person.user = make_user(Role.RESIDENT, tree.building, username=f"signer{person.pk}")
        person.save()
        people.append(person)
    return people


def _proposal(by: Any, tree: Tree, **fields: Any) -> Proposal:
    args = {"title": "增设电动车充电棚", "text": "1座楼下电动车乱停，建议增设充电棚。"}
    args.update(fields)
    return proposals.proposal_create(by=by, area=tree.building, **args)


def test_a_proposal_reaching_one_fifth_goes_on_the_next_agenda_by_itself(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    people = _residents(tree, resident_factory, 10)  # 1/5 of 10 adults: 2 signatures
    soon = timezone.now() + timedelta(days=3)
    later = call_meeting(
        staff,
        tree.community,
        title="社区联席会议",
        starts_at=soon + timedelta(days=7),
        ends_at=soon + timedelta(days=7, hours=2),
    )
    nearest = call_meeting(
        staff, tree.building, title="1座议事会", starts_at=soon, ends_at=soon + timedelta(hours=2)
    )
    call_meeting(
        None,
        tree.other_building,
        title="别的楼",
        starts_at=soon - timedelta(days=1),
        ends_at=soon - timedelta(hours=20),
    )
    proposal = _proposal(people[0].user, tree)
    proposals.proposal_sign(by=people[0].user, proposal=proposal)
    progress = selectors.proposal_progress(Proposal.objects.get(pk=proposal.pk))
    assert (progress.signed, progress.needed, progress.reached) == (1, 2, False)
    with pytest.raises(DomainError) as twice:
        proposals.proposal_sign(by=people[0].user, proposal=proposal)
    assert (twice.value.code, twice.value.status) == ("already_signed", 409)
    proposals.proposal_sign(by=people[1].user, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "scheduled"
    assert proposal.topic is not None
    assert proposal.topic.meeting == nearest
    assert proposal.topic.source == "proposal"
    assert not later.topics.exists()


def test_a_proposal_at_its_threshold_waits_when_no_meeting_is_to_come(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    people = _residents(tree, resident_factory, 5)  # 1/5 of 5: one signature reaches it
    proposal = _proposal(people[0].user, tree)
    proposals.proposal_sign(by=people[0].user, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "qualified"
    with pytest.raises(DomainError) as closed:
        proposals.proposal_sign(by=people[1].user, proposal=proposal)
    assert closed.value.code == "illegal_transition"
    meeting = call_meeting(staff, tree.building)
    proposal = proposals.proposal_schedule(
        by=staff, proposal=proposal, meeting=meeting, version=proposal.version
    )
    assert proposal.status == "scheduled"
    assert meeting.topics.get().title == "增设电动车充电棚"


def test_a_household_proposal_takes_one_signature_per_household(tree: Tree, resident_factory: Any) -> None:
    a, b, *_rest = _residents(tree, resident_factory, 8)
    b.household = a.household
    b.save()
    proposal = _proposal(a.user, tree, base="households")
    proposals.proposal_sign(by=a.user, proposal=proposal)
    with pytest.raises(DomainError) as twice:
        proposals.proposal_sign(by=b.user, proposal=proposal)
    assert twice.value.code == "already_signed"


def test_staff_do_not_sign_and_residents_do_not_schedule(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    (person,) = _residents(tree, resident_factory, 1)
    proposal = _proposal(person.user, tree)
    with pytest.raises(Forbidden):
        proposals.proposal_sign(by=staff, proposal=proposal)
    meeting = call_meeting(staff, tree.building)
    with pytest.raises(DomainError):
        proposals.proposal_schedule(by=person.user, proposal=proposal, meeting=meeting)
    proposal = proposals.proposal_withdraw(by=staff, proposal=proposal, version=proposal.version)
    assert proposal.status == "withdrawn"


def test_pages_and_api_sign_with_the_same_answers(tree: Tree, staff: Any, resident_factory: Any) -> None:
    people = _residents(tree, resident_factory, 10)
    page = login_client(people[0].user)
    made = page.post(
        f"/areas/{tree.building.pk}/proposals/new/",
        {"title": "修缮路灯", "text": "路灯坏了", "base": "persons"},
    )
    proposal = Proposal.objects.get()
    assert made.status_code == 302
    assert made["Location"] == f"/proposals/{proposal.pk}/"
    assert page.post(f"/proposals/{proposal.pk}/act/sign/").status_code == 302
    assert page.post(f"/proposals/{proposal.pk}/act/sign/").status_code == 409
    detail = page.get(f"/proposals/{proposal.pk}/").content.decode()
    assert 'data-reached="no"' in detail
    assert 'data-action="sign"' not in detail
    api = token_client(people[1].user)
    r = api.post(f"/api/proposals/{proposal.pk}/sign", {}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "qualified"
    assert r.json()["signed"] == 2
    other = make_user(Role.RESIDENT, tree.other_building)
    assert token_client(other).get(f"/api/proposals/{proposal.pk}").status_code == 404
    assert login_client(other).post(f"/proposals/{proposal.pk}/act/sign/").status_code == 404
