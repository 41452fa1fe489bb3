"""The permission matrix's probes of deliberation (core/tests/test_permission_matrix.py collects them):
a meeting of the probe's building, tried through pages and API."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from shequ.core.tests.probes import both, listed, outcome, shown
from shequ.deliberation.models import Attendance, Meeting
from shequ.deliberation.services import meetings

START = datetime(2026, 12, 14, 19, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _meeting(c: Any, *, opened: bool = False) -> Meeting:
    meeting = meetings.meeting_create(
        by=None,
        area=c.building,
        kind="building",
        title="探针议事会",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        chair="陈书记",
        recorder="李社工",
        place="架空层",
    )
    if opened:
        meeting = meetings.meeting_notify(by=None, meeting=meeting, version=None)
        meeting = meetings.meeting_open(by=None, meeting=meeting, version=None)
    return meeting


list_page, list_api = listed(_meeting, page="/meetings/", api="/api/meetings", query="探针议事会")
detail_page, detail_api = shown(_meeting, page="/meetings/{pk}/", api="/api/meetings/{pk}")


def _notified(meeting: Meeting) -> bool:
    return Meeting.objects.get(pk=meeting.pk).status == "notified"


def manage_page(c: Any, client: Client) -> tuple[bool, str]:
    meeting = _meeting(c)
    r = client.post(f"/meetings/{meeting.pk}/act/notify/", {"version": meeting.version})
    return outcome(_notified(meeting), r, 302), c.building.path


def manage_api(c: Any, client: Client) -> tuple[bool, str]:
    meeting = _meeting(c)
    r = client.post(
        f"/api/meetings/{meeting.pk}/notify", {"version": meeting.version}, content_type="application/json"
    )
    return outcome(_notified(meeting), r, 200), c.building.path


def _attended(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    meeting = _meeting(c, opened=True)
    resident = c.resident_factory(c.building, name="探针居民")
    if api:
        r = client.post(
            f"/api/meetings/{meeting.pk}/attend", {"resident": resident.pk}, content_type="application/json"
        )
    else:
        r = client.post(f"/meetings/{meeting.pk}/act/attend/", {"resident": resident.pk})
    ok = Attendance.objects.filter(meeting=meeting, resident=resident).exists()
    return outcome(ok, r, 200 if api else 302), c.building.path


def _voted(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    """A resident's own vote online, on a meeting of their building (the actor's account is theirs)."""
    from shequ.deliberation.models import Ballot
    from shequ.deliberation.services import votes

    meeting = _meeting(c, opened=True)
    vote = votes.vote_open(
        by=None, meeting=meeting, question="探针表决", method="ballot", unit="person", rule="majority"
    )
    resident = c.resident_factory(c.building, name="探针投票人")
    resident.user = c.user
    resident.save()
    if api:
        r = client.post(f"/api/votes/{vote.pk}/cast", {"choice": "for"}, content_type="application/json")
    else:
        r = client.post(f"/votes/{vote.pk}/act/cast/", {"choice": "for"})
    ok = Ballot.objects.filter(vote=vote, resident=resident).exists()
    return outcome(ok, r, 200 if api else 302), c.building.path


PROBES = {
    ("meeting", "view", "list"): (list_page, list_api),
    ("meeting", "view", "detail"): (detail_page, detail_api),
    ("meeting", "manage", ""): (manage_page, manage_api),
    ("meeting", "attend", ""): both(_attended),
    ("meeting", "vote", ""): both(_voted),
}


# --- proposals ----------------------------------------------------------------------------------------


def _proposal(c: Any, title: str = "探针提议") -> Any:
    from shequ.deliberation.services import proposals

    return proposals.proposal_create(by=None, area=c.building, title=title, text="探针提议正文")


proposal_list_page, proposal_list_api = listed(
    _proposal, page="/proposals/", api="/api/proposals", open_page=True
)


def _made(c: Any) -> bool:
    from shequ.deliberation.models import Proposal

    return Proposal.objects.filter(area=c.building, title="新提议").exists()


def proposal_create_page(c: Any, client: Client) -> tuple[bool, str]:
    r = client.post(
        f"/areas/{c.building.pk}/proposals/new/", {"title": "新提议", "text": "正文", "base": "persons"}
    )
    return outcome(_made(c), r, 302), c.building.path


def proposal_create_api(c: Any, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/proposals",
        {"area_id": c.building.pk, "title": "新提议", "text": "正文"},
        content_type="application/json",
    )
    return outcome(_made(c), r, 201), c.building.path


def _signed(c: Any, client: Client, *, api: bool) -> tuple[bool, str]:
    from shequ.deliberation.models import Signature

    proposal = _proposal(c)
    resident = c.resident_factory(c.building, name="探针签名人")
    resident.user = c.user
    resident.save()
    for _i in range(5):  # enough residents that one signature does not reach 1/5
        c.resident_factory(c.building, name="邻居")
    url = f"/api/proposals/{proposal.pk}/sign" if api else f"/proposals/{proposal.pk}/act/sign/"
    r = client.post(url, {}, content_type="application/json") if api else client.post(url)
    ok = Signature.objects.filter(proposal=proposal, resident=resident).exists()
    return outcome(ok, r, 200 if api else 302), c.building.path


def _staff_act(c: Any, client: Client, *, action: str, api: bool) -> tuple[bool, str]:
    from shequ.deliberation.models import Proposal

    proposal = _proposal(c)
    meeting = _meeting(c)
    body: dict[str, Any] = {"version": proposal.version}
    if action == "schedule":
        body["meeting"] = meeting.pk
    if api:
        r = client.post(f"/api/proposals/{proposal.pk}/{action}", body, content_type="application/json")
    else:
        r = client.post(f"/proposals/{proposal.pk}/act/{action}/", body)
    target = "scheduled" if action == "schedule" else "withdrawn"
    ok = Proposal.objects.get(pk=proposal.pk).status == target
    return outcome(ok, r, 200 if api else 302), c.building.path


PROBES.update(
    {
        ("proposal", "view", "list"): (proposal_list_page, proposal_list_api),
        ("proposal", "create", ""): (proposal_create_page, proposal_create_api),
        ("proposal", "sign", ""): both(_signed),
        ("proposal", "schedule", ""): both(partial(_staff_act, action="schedule")),
        ("proposal", "withdraw", ""): both(partial(_staff_act, action="withdraw")),
    }
)
