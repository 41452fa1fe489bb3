"""The demo's deliberation for 平地社区: a joint meeting on an appeal with delegates, a show of hands, a
valid posted decision and frozen minutes; a building meeting to come; a proposal gathering signatures.
Checked on the demo loaded once (shequ/demo/tests/test_loaded_demo.py)."""

from __future__ import annotations

from shequ.deliberation.models import Decision, Meeting, Minutes, Proposal
from shequ.demo.tests import LoadedDemo


def gives_pingdi_a_meeting_held_a_meeting_to_come_and_a_proposal(loaded: LoadedDemo) -> None:
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
    assert decision.milestones.count() == 2


def gives_four_homes_of_building_1_their_owner_and_floor_area(loaded: LoadedDemo) -> None:
    from shequ.registry.models import Household

    areas = sorted(
        str(a)
        for a in Household.objects.filter(floor_area__isnull=False).values_list("floor_area", flat=True)
    )
    assert areas == ["180.50", "60.00", "60.00", "60.00"]


CHECKS = [
    gives_pingdi_a_meeting_held_a_meeting_to_come_and_a_proposal,
    gives_four_homes_of_building_1_their_owner_and_floor_area,
]
