"""Notices ahead (days, late flag, the printable PDF), QR sign-in of residents, and residents acting on
meetings and proposals of the areas above their building. Rows are built once for the module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Tree, build_tree, login_client, make_user, module_transaction, token_client
from shequ.core.idnumber import make_id_number
from shequ.core.models import User
from shequ.core.roles import Role
from shequ.deliberation.models import Attendance, Ballot, Meeting, Signature
from shequ.deliberation.notice import notice_late
from shequ.deliberation.services import attendance, meetings, proposals, votes
from shequ.deliberation.tests.conftest import call_meeting
from shequ.registry.models import Household, Resident
from shequ.registry.services import seal_personal_data

pytestmark = pytest.mark.django_db


@dataclass
class World:
    tree: Tree
    staff: User
    resident: User  # lives in tree.building
    neighbour: User  # lives in tree.other_building (another community)
    grid_meeting: Meeting  # of the building's grid, in session


def _resident(building: Any, n: int, user: User) -> Resident:
    sealed = seal_personal_data(
        id_number=make_id_number("440605", timezone.localdate().replace(year=1975), 700 + n, "M"),
        phone=f"1370000{n:04d}",
    )
    household = Household.objects.create(area=building, address=f"{building.name}{n}室")
    return Resident.objects.create(
        area=building, household=household, name=f"住户{n}", relation="户主", user=user, **sealed.__dict__
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with module_transaction(django_db_blocker), django_db_blocker.unblock():
        tree = build_tree()
        staff = make_user(Role.COMMUNITY_STAFF, tree.community, "tongzhi_ganbu")
        resident = make_user(Role.RESIDENT, tree.building, "tongzhi_jumin")
        neighbour = make_user(Role.RESIDENT, tree.other_building, "tongzhi_linju")
        _resident(tree.building, 1, resident)
        _resident(tree.other_building, 2, neighbour)
        meeting = call_meeting(staff, tree.grid, title="网格议事会", notice_days=3)
        meeting = meetings.meeting_notify(by=staff, meeting=meeting, version=meeting.version)
        meeting = meetings.meeting_open(by=staff, meeting=meeting, version=meeting.version)
        yield World(tree, staff, resident, neighbour, meeting)


def test_the_printable_notice_is_an_a4_pdf(world: World) -> None:
    r = login_client(world.staff).get(f"/meetings/{world.grid_meeting.pk}/notice.pdf")
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in r.content


def test_another_areas_notice_is_not_found(world: World) -> None:
    outsider = make_user(Role.COMMUNITY_STAFF, world.tree.other_community, "tongzhi_waiju")
    assert login_client(outsider).get(f"/meetings/{world.grid_meeting.pk}/notice.pdf").status_code == 404


@pytest.mark.parametrize(("days_before", "late"), [(10, False), (3, False), (2, True)])
def test_a_notice_later_than_the_days_ahead_is_flagged(world: World, days_before: int, late: bool) -> None:
    meeting = Meeting(starts_at=timezone.now() + timedelta(days=days_before, minutes=1), notice_days=3)
    meeting.notified_at = timezone.now()
    assert notice_late(meeting) is late


def test_the_notice_days_are_refused_out_of_range(world: World) -> None:
    r = token_client(world.staff).post(
        "/api/meetings",
        {
            "area_id": world.tree.building.pk,
            "kind": "building",
            "title": "楼栋会",
            "starts_at": "2027-01-10T19:00:00+08:00",
            "ends_at": "2027-01-10T21:00:00+08:00",
            "chair": "陈",
            "recorder": "李",
            "place": "架空层",
            "notice_days": 61,
        },
        content_type="application/json",
    )
    assert r.status_code == 422


def _scan(world: World, user: User, token: str) -> Any:
    return login_client(user).post(f"/meeting-sign-in/{token}/")


def test_a_resident_signs_in_by_qr_once(world: World) -> None:
    token = attendance.sign_in_token(world.grid_meeting)
    qr = login_client(world.staff).get(f"/meetings/{world.grid_meeting.pk}/qr/")
    assert token.split(":")[0] in qr.content.decode()
    first = _scan(world, world.resident, token)
    assert first.status_code == 200
    assert Attendance.objects.get(meeting=world.grid_meeting).via == "qr"
    assert _scan(world, world.resident, token).status_code == 409


@pytest.mark.parametrize(
    ("who", "token", "status"),
    [
        ("neighbour", "good", 404),  # lives outside the meeting's area
        ("resident", "forged", 400),
        ("resident", "old", 400),
    ],
)
def test_a_sign_in_is_refused(
    world: World, who: str, token: str, status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = attendance.sign_in_token(world.grid_meeting)
    if token == "old":
        monkeypatch.setattr(attendance, "SIGN_IN_MAX_AGE", timedelta(seconds=-1))
    r = _scan(world, getattr(world, who), good[:-3] + "abc" if token == "forged" else good)
    assert r.status_code == status


def test_sign_in_is_closed_when_the_meeting_is_not_in_session(world: World) -> None:
    meeting = meetings.meeting_close(
        by=world.staff, meeting=world.grid_meeting, version=world.grid_meeting.version
    )
    assert _scan(world, world.resident, attendance.sign_in_token(meeting)).status_code == 400


def test_a_resident_votes_on_a_meeting_of_their_grid(world: World) -> None:
    vote = votes.vote_open(
        by=world.staff,
        meeting=world.grid_meeting,
        question="网格内停车方案",
        method="ballot",
        unit="person",
        rule="majority",
    )
    r = token_client(world.resident).post(
        f"/api/votes/{vote.pk}/cast", {"choice": "for"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content[:300]
    assert Ballot.objects.filter(vote=vote).count() == 1
    outside = token_client(world.neighbour).post(
        f"/api/votes/{vote.pk}/cast", {"choice": "for"}, content_type="application/json"
    )
    assert outside.status_code == 404


def test_a_resident_co_signs_a_proposal_of_their_community(world: World) -> None:
    proposal = proposals.proposal_create(
        by=None, area=world.tree.community, title="社区增设充电桩", text="在各小区增设电动车充电桩"
    )
    r = login_client(world.resident).post(f"/proposals/{proposal.pk}/act/sign/")
    assert r.status_code == 302
    assert Signature.objects.filter(proposal=proposal).count() == 1
    assert login_client(world.neighbour).post(f"/proposals/{proposal.pk}/act/sign/").status_code == 404


def test_an_attendee_proposes_an_amendment_to_the_minutes_in_its_window(world: World) -> None:
    from shequ.deliberation.services import minutes

    attendance.attendance_sign_in(by=world.resident, token=attendance.sign_in_token(world.grid_meeting))
    record = minutes.minutes_write(by=world.staff, meeting=world.grid_meeting, text="会议决定划设车位。")
    page = login_client(world.resident)
    assert page.get(f"/minutes/{record.pk}/").status_code == 200
    early = page.post(f"/minutes/{record.pk}/act/propose_amendment/", {"text": "应写明12个车位"})
    assert early.status_code == 400  # not open for amendments yet
    record = minutes.minutes_open_amendments(by=world.staff, minutes=record, days=3, version=record.version)
    done = page.post(f"/minutes/{record.pk}/act/propose_amendment/", {"text": "应写明12个车位"})
    assert done.status_code == 302
    assert list(record.amendments.values_list("author_name", flat=True)) == ["住户1"]
    meeting_page = login_client(world.staff).get(f"/meetings/{world.grid_meeting.pk}/").content.decode()
    assert "应写明12个车位" in meeting_page
    outsider = login_client(world.neighbour).get(f"/minutes/{record.pk}/")
    assert outsider.status_code == 404
