"""Votes and decisions: one vote per person or household across channels, closed votes refuse,
secret votes keep who voted but not how, results hidden until close; art. 278 by headcount and area;
a decision without quorum is recorded as not valid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.appeals import services as appeals
from shequ.appeals.models import Appeal, AppealStep, Category
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.deliberation import selectors
from shequ.deliberation.models import Ballot, Decision
from shequ.deliberation.services import attendance, decisions, meetings, topics, votes
from shequ.deliberation.tests.conftest import call_meeting
from shequ.registry.models import Household

pytestmark = pytest.mark.django_db


def _in_session(staff: Any, area: Any, **fields: Any) -> Any:
    meeting = call_meeting(staff, area, **fields)
    meeting = meetings.meeting_notify(by=staff, meeting=meeting, version=meeting.version)
    return meetings.meeting_open(by=staff, meeting=meeting, version=meeting.version)


def _voter(tree: Tree, resident_factory: Any, name: str) -> Any:
    """A resident of the building with their own account."""
    person = resident_factory(tree.building, name=name)
    person.user = make_user(Role.RESIDENT, tree.building, username=f"voter{person.pk}")
    person.save()
    return person


def _vote(staff: Any, meeting: Any, **fields: Any) -> Any:
    args = {"question": "是否同意重新划定停车位？", "method": "ballot", "unit": "person", "rule": "majority"}
    args.update(fields)
    return votes.vote_open(by=staff, meeting=meeting, **args)


def test_nobody_votes_twice_across_channels_and_a_closed_vote_refuses(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    a, b = _voter(tree, resident_factory, "甲"), _voter(tree, resident_factory, "乙")
    meeting = _in_session(staff, tree.building)
    vote = _vote(staff, meeting)
    votes.vote_cast(by=a.user, vote=vote, choice="for")
    with pytest.raises(Conflict) as twice:
        votes.vote_record(by=staff, vote=vote, resident=a, choice="against")  # on paper as well
    assert twice.value.code == "already_voted"
    votes.vote_record(by=staff, vote=vote, resident=b, choice="against")
    assert selectors.vote_result(vote) is None  # hidden while open
    vote = votes.vote_close(by=staff, vote=vote)
    with pytest.raises(DomainError) as late:
        votes.vote_cast(by=b.user, vote=vote, choice="for")
    assert late.value.code == "illegal_transition"
    result = selectors.vote_result(vote)
    assert result is not None
    assert (result.votes_for, result.votes_against, result.passed) == (1, 1, False)


def test_one_vote_per_household_counts_the_household_once(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    a, b = _voter(tree, resident_factory, "父"), _voter(tree, resident_factory, "子")
    b.household = a.household
    b.save()
    vote = _vote(staff, _in_session(staff, tree.building), unit="household")
    votes.vote_cast(by=a.user, vote=vote, choice="for")
    with pytest.raises(DomainError) as twice:
        votes.vote_cast(by=b.user, vote=vote, choice="against")
    assert (twice.value.status, twice.value.code) == (409, "already_voted")


def test_a_secret_vote_keeps_who_voted_but_not_how(tree: Tree, staff: Any, resident_factory: Any) -> None:
    a = _voter(tree, resident_factory, "甲")
    vote = _vote(staff, _in_session(staff, tree.building), secret=True)
    ballot = votes.vote_cast(by=a.user, vote=vote, choice="against")
    assert Ballot.objects.get(pk=ballot.pk).choice == ""
    assert ballot.voter == f"resident:{a.pk}"
    entry = AuditEntry.objects.get(object_type="deliberation.ballot", object_id=str(ballot.pk))
    assert "choice" not in entry.changes
    vote = votes.vote_close(by=staff, vote=vote)
    assert selectors.vote_result(vote).votes_against == 1  # type: ignore[union-attr]


def test_a_show_of_hands_is_counted_by_a_named_officer(tree: Tree, staff: Any, resident_factory: Any) -> None:
    vote = _vote(staff, _in_session(staff, tree.building), method="hands")
    with pytest.raises(DomainError) as not_yet:
        votes.vote_close(by=staff, vote=vote)
    assert not_yet.value.code == "hands_not_counted"
    with pytest.raises(DomainError) as ballot:
        votes.vote_record(by=staff, vote=vote, resident=resident_factory(tree.building), choice="for")
    assert ballot.value.code == "not_a_ballot"
    vote = votes.vote_count_hands(
        by=staff, vote=vote, votes_for=12, votes_against=3, votes_abstain=1, counted_by="王委员"
    )
    vote = votes.vote_close(by=staff, vote=vote, version=vote.version)
    result = selectors.vote_result(vote)
    assert result is not None
    assert result.passed
    assert vote.counted_by == "王委员"


def test_a_lift_vote_passes_by_headcount_but_fails_by_area(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    """Four owners: three small flats for, one large flat against. 3/4 of the owners, not of the area."""
    owners = [_voter(tree, resident_factory, f"业主{i}") for i in range(4)]
    vote = _vote(
        staff, _in_session(staff, tree.building), unit="household", rule="art278_major", question="加装电梯"
    )
    for owner, area in zip(owners, ("60", "60", "60", "180.50"), strict=True):
        votes.vote_enrol(by=staff, vote=vote, resident=owner, floor_area=area)
    with pytest.raises(Conflict):
        votes.vote_enrol(by=staff, vote=vote, resident=owners[0], floor_area="60")
    with pytest.raises(DomainError) as bad_area:
        votes.vote_enrol(
            by=staff, vote=vote, resident=_voter(tree, resident_factory, "租户"), floor_area="-3"
        )
    assert bad_area.value.code == "floor_area"
    stranger = _voter(tree, resident_factory, "外人")
    with pytest.raises(DomainError) as off_roll:
        votes.vote_cast(by=stranger.user, vote=vote, choice="for")
    assert off_roll.value.code == "not_on_roll"
    for owner in owners[:3]:
        votes.vote_cast(by=owner.user, vote=vote, choice="for")
    votes.vote_record(by=staff, vote=vote, resident=owners[3], choice="against")
    vote = votes.vote_close(by=staff, vote=vote)
    result = selectors.vote_result(vote)
    assert result is not None
    assert result.art278 is not None
    assert result.art278.participation
    assert result.art278.consent_by_owners
    assert not result.art278.consent_by_area
    assert not result.passed


def test_an_art_278_vote_must_be_by_household_ballots(tree: Tree, staff: Any) -> None:
    meeting = _in_session(staff, tree.building)
    with pytest.raises(DomainError) as refused:
        _vote(staff, meeting, rule="art278_major")
    assert refused.value.code == "art278_ballots"


def test_a_decision_without_quorum_is_recorded_as_not_valid(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    people = [resident_factory(tree.building, name=f"居民{i}") for i in range(4)]
    meeting = _in_session(staff, tree.building)
    attendance.attendance_record(by=staff, meeting=meeting, resident=people[0])
    attendance.attendance_record(by=staff, meeting=meeting, resident=people[1])  # exactly half
    decision = decisions.decision_record(by=staff, meeting=meeting, text="重新划线", responsible="物业公司")
    assert not decision.valid
    assert "2" in decision.invalid_reason
    attendance.attendance_record(by=staff, meeting=meeting, resident=people[2])
    again = decisions.decision_record(
        by=staff, meeting=meeting, text="重新划线", responsible="物业公司", deadline="2027-01-31"
    )
    assert again.valid
    assert again.deadline == date(2027, 1, 31)
    assert again.method == "consensus"
    with pytest.raises(DomainError) as bad:
        decisions.decision_record(by=staff, meeting=meeting, text="x", responsible="y", deadline="明天")
    assert bad.value.code == "deadline_format"


def test_a_decision_on_an_open_vote_is_refused_and_on_a_failed_vote_is_not_valid(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    a = _voter(tree, resident_factory, "甲")
    meeting = _in_session(staff, tree.building)
    attendance.attendance_record(by=staff, meeting=meeting, resident=a)
    vote = _vote(staff, meeting)
    with pytest.raises(Conflict) as open_vote:
        decisions.decision_record(by=staff, meeting=meeting, text="x", responsible="y", vote=vote)
    assert open_vote.value.code == "vote_open"
    votes.vote_cast(by=a.user, vote=vote, choice="against")
    vote = votes.vote_close(by=staff, vote=vote)
    decision = decisions.decision_record(by=staff, meeting=meeting, text="x", responsible="y", vote=vote)
    assert not decision.valid
    assert (decision.votes_for, decision.votes_against) == (0, 1)
    with pytest.raises(Conflict):
        decisions.decision_record(by=staff, meeting=meeting, text="x", responsible="y", vote=vote)


def test_the_appeal_sees_the_decision_and_moves_on_when_it_is_implemented(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    reporter = make_user(Role.RESIDENT, tree.building)
    appeal = appeals.appeal_report(
        by=reporter,
        area=tree.building,
        category=Category.objects.get(code="roads_facilities"),
        description="消防通道被占",
    )
    meeting = _in_session(staff, tree.building)
    attendance.attendance_record(by=staff, meeting=meeting, resident=resident_factory(tree.building))
    topic = topics.topic_add(by=staff, meeting=meeting, title="消防通道", appeal=appeal)
    decision = decisions.decision_record(
        by=staff, meeting=meeting, text="划设禁停线", responsible="物业公司", topic=topic
    )
    decisions.decision_done(by=staff, decision=decision, version=decision.version)
    steps = list(AppealStep.objects.filter(appeal=appeal).values_list("action", flat=True))
    assert steps[-3:] == ["meeting", "decided", "handle"]
    assert Decision.objects.get(pk=decision.pk).status == "done"
    assert Appeal.objects.get(pk=appeal.pk).stage == "handled"


def test_the_roll_of_owners_is_filled_from_the_household_records(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    """The household record's owner and exclusive floor area (民法典 art. 278) make the roll; a
    household without a floor area stays off it, and enrolling one by hand then needs the area."""
    owners = [_voter(tree, resident_factory, f"业主{i}") for i in range(3)]
    for owner, area in zip(owners, ("60.00", "75.50", None), strict=True):
        Household.objects.filter(pk=owner.household_id).update(owner=owner.name, floor_area=area)
    vote = _vote(staff, _in_session(staff, tree.building), unit="household", rule="art278_ordinary")
    r = token_client(staff).post(
        f"/api/votes/{vote.pk}/enrol_registry", {"version": vote.version}, content_type="application/json"
    )
    assert r.status_code == 200, r.content[:300]
    assert r.json()["result"] is None  # hidden until the vote closes
    roll = dict(vote.roll.values_list("owner", "floor_area"))
    assert roll == {"业主0": Decimal("60.00"), "业主1": Decimal("75.50")}
    with pytest.raises(DomainError) as no_area:
        votes.vote_enrol(by=staff, vote=vote, resident=owners[2])
    assert no_area.value.code == "floor_area"


def test_pages_and_api_give_the_same_answers_on_votes(tree: Tree, staff: Any, resident_factory: Any) -> None:
    a = _voter(tree, resident_factory, "甲")
    meeting = _in_session(staff, tree.building)
    staff_page = login_client(staff)
    r = staff_page.post(
        f"/meetings/{meeting.pk}/act/open_vote/",
        {"question": "停车方案", "method": "ballot", "unit": "person", "rule": "majority"},
    )
    assert r.status_code == 302
    vote = meeting.votes.get()
    resident_page = login_client(a.user)
    assert (
        f'href="/votes/{vote.pk}/"' in resident_page.get("/proposals/").content.decode()
    )  # found on a phone
    page = resident_page.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-action="cast"' in page
    assert 'data-testid="result-hidden"' in page
    assert resident_page.get(f"/meetings/{meeting.pk}/").status_code == 404  # residents see their vote only
    assert resident_page.post(f"/votes/{vote.pk}/act/cast/", {"choice": "for"}).status_code == 302
    assert resident_page.post(f"/votes/{vote.pk}/act/cast/", {"choice": "for"}).status_code == 409
    api = token_client(a.user)
    twice = api.post(f"/api/votes/{vote.pk}/cast", {"choice": "for"}, content_type="application/json")
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_voted"
    shown = api.get(f"/api/votes/{vote.pk}").json()
    assert shown["result"] is None
    assert shown["actions"] == []
    staff_api = token_client(staff)
    closed = staff_api.post(
        f"/api/votes/{vote.pk}/close", {"version": vote.version}, content_type="application/json"
    )
    assert closed.status_code == 200
    assert closed.json()["result"]["votes_for"] == 1
    late = api.post(f"/api/votes/{vote.pk}/cast", {"choice": "for"}, content_type="application/json")
    assert late.status_code == 400
    assert late.json()["code"] == "illegal_transition"
    decided = staff_api.post(
        f"/api/meetings/{meeting.pk}/decide",
        {"text": "按方案实施", "responsible": "物业公司", "vote": vote.pk},
        content_type="application/json",
    )
    assert decided.status_code == 200
    assert decided.json()["decisions"][0]["valid"] is False  # nobody attended
    detail = staff_page.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-valid="no"' in detail
    assert 'data-passed="yes"' in detail


def test_another_communitys_vote_answers_as_not_found(tree: Tree, staff: Any, resident_factory: Any) -> None:
    vote = _vote(staff, _in_session(staff, tree.building))
    other = make_user(Role.COMMUNITY_STAFF, tree.other_community)
    with pytest.raises(NotFound):
        selectors.vote_for(other, vote.pk)
    r = token_client(other).post(
        f"/api/votes/{vote.pk}/close", {"version": 1}, content_type="application/json"
    )
    assert r.status_code == 404
    assert login_client(other).post(f"/votes/{vote.pk}/act/close/", {"version": 1}).status_code == 404
