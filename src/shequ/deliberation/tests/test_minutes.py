"""Minutes: a draft, amended in a set window, then frozen and signed; a frozen record refuses edits
(409) and a correction is a new, linked record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Tree, login_client, make_user, token_client
from shequ.core.errors import DomainError
from shequ.core.roles import Role
from shequ.deliberation.models import Minutes
from shequ.deliberation.services import meetings, minutes
from shequ.deliberation.tests.conftest import call_meeting

pytestmark = pytest.mark.django_db


def _meeting(staff: Any, tree: Tree) -> Any:
    meeting = call_meeting(staff, tree.building)
    meeting = meetings.meeting_notify(by=staff, meeting=meeting, version=meeting.version)
    return meetings.meeting_open(by=staff, meeting=meeting, version=meeting.version)


def _refused(call: Any, code: str, status: int) -> None:
    with pytest.raises(DomainError) as refused:
        call()
    assert (refused.value.code, refused.value.status) == (code, status)


def test_minutes_are_amended_in_their_window_then_frozen_and_only_corrected(tree: Tree, staff: Any) -> None:
    meeting = _meeting(staff, tree)
    record = minutes.minutes_write(by=staff, meeting=meeting, text="一、停车位重新划线。")
    _refused(lambda: minutes.minutes_write(by=staff, meeting=meeting, text="又一份"), "minutes_exist", 409)
    record = minutes.minutes_amend(by=staff, minutes=record, text="一、停车位重新划线，增设充电桩。")
    record = minutes.minutes_open_amendments(by=staff, minutes=record, days=3, version=record.version)
    assert record.status == "amending"
    assert record.amend_until is not None
    record = minutes.minutes_amend(by=staff, minutes=record, text="一、停车位重新划线，增设两个充电桩。")
    past = timezone.now() - timedelta(days=4)
    Minutes.objects.filter(pk=record.pk).update(amend_until=past + timedelta(days=3))
    record.refresh_from_db()
    _refused(lambda: minutes.minutes_amend(by=staff, minutes=record, text="晚了"), "amend_window_closed", 409)
    record = minutes.minutes_freeze(by=staff, minutes=record, version=record.version)
    assert record.status == "frozen"
    assert record.signed_by == "陈书记、李社工"
    _refused(lambda: minutes.minutes_amend(by=staff, minutes=record, text="改"), "minutes_frozen", 409)
    correction = minutes.minutes_correct(by=staff, minutes=record, text="更正：充电桩为三个。")
    assert (correction.corrects_id, correction.status) == (record.pk, "frozen")
    assert Minutes.objects.get(pk=record.pk).text == "一、停车位重新划线，增设两个充电桩。"


def test_a_stale_version_of_the_minutes_is_refused(tree: Tree, staff: Any) -> None:
    record = minutes.minutes_write(by=staff, meeting=_meeting(staff, tree), text="草稿")
    minutes.minutes_amend(by=staff, minutes=record, text="第二稿", version=record.version)
    _refused(
        lambda: minutes.minutes_amend(by=staff, minutes=record, text="x", version=record.version),
        "conflict",
        409,
    )


def test_pages_and_api_refuse_editing_frozen_minutes_with_409(tree: Tree, staff: Any) -> None:
    meeting = _meeting(staff, tree)
    page = login_client(staff)
    assert page.post(f"/meetings/{meeting.pk}/act/write_minutes/", {"text": "会议记录"}).status_code == 302
    record = Minutes.objects.get()
    assert page.post(f"/minutes/{record.pk}/act/freeze/", {"version": record.version}).status_code == 302
    record.refresh_from_db()
    edit = page.post(f"/minutes/{record.pk}/act/amend/", {"version": record.version, "text": "改"})
    assert edit.status_code == 409
    assert "改" in edit.content.decode()
    api = token_client(staff)
    r = api.post(
        f"/api/minutes/{record.pk}/amend",
        {"version": record.version, "text": "改"},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert r.json()["code"] == "minutes_frozen"
    ok = api.post(
        f"/api/minutes/{record.pk}/correct",
        {"version": record.version, "text": "更正"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["corrects_id"] == record.pk
    shown = api.get(f"/api/meetings/{meeting.pk}").json()["minutes"]
    assert [m["status"] for m in shown] == ["frozen", "frozen"]
    other = make_user(Role.COMMUNITY_STAFF, tree.other_community)
    hidden = token_client(other).post(
        f"/api/minutes/{record.pk}/correct",
        {"version": record.version, "text": "x"},
        content_type="application/json",
    )
    assert hidden.status_code == 404
    grid = make_user(Role.GRID_WORKER, tree.grid)
    refused = token_client(grid).post(
        f"/api/minutes/{record.pk}/correct",
        {"version": record.version, "text": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
