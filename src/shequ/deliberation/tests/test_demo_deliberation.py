"""The demo's deliberation for 平地社区: a joint meeting on an appeal with delegates, a show of hands, a
valid posted decision and frozen minutes; a building meeting to come; a proposal gathering signatures."""

from __future__ import annotations

import pytest

from shequ import demo
from shequ.deliberation.models import Decision, Meeting, Minutes, Proposal


@pytest.mark.django_db
def test_pingdi_has_a_meeting_held_a_meeting_to_come_and_a_proposal() -> None:
    plan = demo.build()
    pingdi = [h for h in plan.households if h.building.startswith("pingdi")]

    # A few households, with the party members and activists the volunteering demo needs.
    def having(status: str) -> list[demo.HouseholdPlan]:
        return [h for h in pingdi if any(m.political_status == status for m in h.members)][:10]

    chosen = pingdi[:60] + having("party_member") + having("activist") + having("league_member")
    pingdi_homes = list({id(h): h for h in chosen}.values())
    small = demo.DemoPlan(
        areas=plan.areas,
        households=pingdi_homes,
        organisations=[demo.OrganisationPlan(o.area, o.kind, o.name) for o in plan.organisations],
        accounts=[a for a in plan.accounts if a.username.startswith("pingdi_")],
        resources=plan.resources,
    )
    demo.load(small)
    joint = Meeting.objects.get(kind="joint")
    assert joint.status == "closed"
    assert joint.attendances.filter(is_delegate=True).count() == 7
    decision = Decision.objects.get(meeting=joint)
    assert decision.valid
    assert decision.posted_at is not None
    assert decision.votes_for == 6
    assert Minutes.objects.get(meeting=joint).status == "frozen"
    assert Meeting.objects.get(kind="building").status == "notified"
    assert Proposal.objects.get().status == "open"
