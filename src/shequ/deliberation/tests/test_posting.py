"""Public posting (公示) of decisions on the community's public page: anonymised, for a period with an
objection window and a countdown; only valid decisions; readable without signing in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Tree, login_client, token_client
from shequ.core.errors import DomainError
from shequ.deliberation.models import Decision
from shequ.deliberation.services import attendance, decisions, meetings
from shequ.deliberation.tests.conftest import call_meeting

pytestmark = pytest.mark.django_db


def _decision(staff: Any, tree: Tree, resident_factory: Any, *, quorum: bool = True) -> Decision:
    meeting = call_meeting(staff, tree.building)
    meeting = meetings.meeting_notify(by=staff, meeting=meeting, version=meeting.version)
    meeting = meetings.meeting_open(by=staff, meeting=meeting, version=meeting.version)
    attendee = resident_factory(tree.building, name="王建国")
    resident_factory(tree.building, name="李四")
    if quorum:
        attendance.attendance_record(by=staff, meeting=meeting, resident=attendee)
        attendance.attendance_record(by=staff, meeting=meeting, resident=resident_factory(tree.building))
    return decisions.decision_record(
        by=staff,
        meeting=meeting,
        text="王建国提议：1座划设12个车位，联系电话13812345678。",
        responsible="物业公司",
    )


def test_a_posted_decision_is_anonymised_and_shown_for_its_period(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    decision = _decision(staff, tree, resident_factory)
    posted = decisions.decision_post(by=staff, decision=decision, days=10, objection_days=5)
    assert "王建国" not in posted.public_text
    assert "13812345678" not in posted.public_text
    today = timezone.localdate()
    assert (posted.posted_until, posted.objection_until) == (
        today + timedelta(days=10),
        today + timedelta(days=5),
    )
    page = Client().get(f"/public/{tree.community.code}/decisions/")  # no sign-in
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-decision="{decision.pk}"' in body
    assert "王建国" not in body
    assert "10" in body
    assert (
        f'data-decision="{decision.pk}"'
        not in Client().get(f"/public/{tree.other_community.code}/decisions/").content.decode()
    )
    Decision.objects.filter(pk=decision.pk).update(posted_until=today - timedelta(days=1))
    assert (
        f'data-decision="{decision.pk}"'
        not in Client().get(f"/public/{tree.community.code}/decisions/").content.decode()
    )


def test_a_decision_that_is_not_valid_is_not_posted(tree: Tree, staff: Any, resident_factory: Any) -> None:
    decision = _decision(staff, tree, resident_factory, quorum=False)
    assert not decision.valid
    with pytest.raises(DomainError) as refused:
        decisions.decision_post(by=staff, decision=decision)
    assert refused.value.code == "not_valid"


def test_the_objection_window_lies_within_the_period(tree: Tree, staff: Any, resident_factory: Any) -> None:
    decision = _decision(staff, tree, resident_factory)
    with pytest.raises(DomainError) as refused:
        decisions.decision_post(by=staff, decision=decision, days=5, objection_days=9)
    assert refused.value.code == "posting_period"
    posted = decisions.decision_post(by=staff, decision=decision)
    assert posted.posted_until == timezone.localdate() + timedelta(days=decisions.POSTING_DAYS)


def test_pages_and_api_post_a_decision(tree: Tree, staff: Any, resident_factory: Any) -> None:
    decision = _decision(staff, tree, resident_factory)
    r = login_client(staff).post(
        f"/decisions/{decision.pk}/act/post/", {"version": decision.version, "days": "x"}
    )
    assert r.status_code == 400
    api = token_client(staff)
    ok = api.post(
        f"/api/decisions/{decision.pk}/post",
        {"version": decision.version, "summary": "增设电动车充电棚", "days": 7},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["public_text"] == "增设电动车充电棚"
    stale = api.post(
        f"/api/decisions/{decision.pk}/done", {"version": decision.version}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert Client().get("/public/999999999999/decisions/").status_code == 404
