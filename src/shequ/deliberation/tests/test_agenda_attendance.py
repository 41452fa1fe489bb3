"""The agenda (topics from an appeal, a need, or staff) and attendance with the live quorum."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.appeals import services as appeals
from shequ.appeals.models import Appeal, AppealStep, Category
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.core.roles import Role
from shequ.deliberation import selectors
from shequ.deliberation.models import Attendance
from shequ.deliberation.services import attendance, meetings, topics
from shequ.deliberation.tests.conftest import call_meeting, fresh
from shequ.volunteering.models import ServiceRecord

pytestmark = pytest.mark.django_db


def _appeal(tree: Tree, area: Any = None) -> Appeal:
    reporter = make_user(Role.RESIDENT, area or tree.building)
    return appeals.appeal_report(
        by=reporter,
        area=area or tree.building,
        category=Category.objects.get(code="roads_facilities"),
        description="1座门口乱停车，消防通道被堵",
    )


def _in_session(staff: Any, area: Any, **fields: Any) -> Any:
    meeting = call_meeting(staff, area, **fields)
    meeting = meetings.meeting_notify(by=staff, meeting=meeting, version=meeting.version)
    return meetings.meeting_open(by=staff, meeting=meeting, version=meeting.version)


def test_an_appeal_becomes_a_topic_once_and_its_timeline_shows_the_meeting(tree: Tree, staff: Any) -> None:
    appeal = _appeal(tree)
    meeting = call_meeting(staff, tree.building)
    topic = topics.topic_add(by=staff, meeting=meeting, title="停车秩序", appeal=appeal)
    assert (topic.source, topic.position, topic.participants_base) == ("appeal", 1, "households")
    step = AppealStep.objects.filter(appeal=appeal, action="meeting").get()
    assert meeting.title in step.note
    with pytest.raises(Conflict) as twice:
        topics.topic_add(by=staff, meeting=meeting, title="又一次", appeal=appeal)
    assert twice.value.code == "appeal_on_agenda"
    second = topics.topic_add(by=staff, meeting=meeting, title="加装电梯", participants_base="persons")
    assert (second.source, second.position) == ("staff", 2)


def test_an_appeal_of_another_place_is_not_this_meetings_matter(tree: Tree, staff: Any) -> None:
    elsewhere = _appeal(tree, tree.other_building)
    meeting = call_meeting(staff, tree.building)
    with pytest.raises(NotFound):
        topics.topic_add(by=None, meeting=meeting, title="别处的事", appeal=elsewhere)


def test_a_closed_meeting_takes_no_topics(tree: Tree, staff: Any) -> None:
    meeting = _in_session(staff, tree.building)
    meeting = meetings.meeting_close(by=staff, meeting=meeting, version=meeting.version)
    with pytest.raises(DomainError) as refused:
        topics.topic_add(by=staff, meeting=meeting, title="太晚了")
    assert refused.value.code == "illegal_transition"


def test_attendance_counts_on_the_meetings_base_and_writes_a_service_record(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    adults = [resident_factory(tree.building, name=f"居民{i}") for i in range(4)]
    child = resident_factory(tree.building, name="小明", born=date(2015, 3, 1))
    meeting = _in_session(staff, tree.building)
    assert selectors.meeting_quorum(meeting).eligible == 4  # the child is not counted
    for person in adults[:2]:
        attendance.attendance_record(by=staff, meeting=meeting, resident=person)
    attendance.attendance_record(by=staff, meeting=meeting, resident=child)
    q = selectors.meeting_quorum(meeting)
    assert (q.present, q.needed, q.met) == (2, 3, False)  # exactly half is not a quorum
    attendance.attendance_record(by=staff, meeting=meeting, resident=adults[2], proxy_name="王阿姨")
    assert selectors.meeting_quorum(meeting).met
    assert Attendance.objects.get(resident=adults[2]).proxy_name == "王阿姨"
    records = ServiceRecord.objects.filter(source=f"deliberation.meeting:{meeting.pk}", kind="participant")
    assert records.count() == 4
    with pytest.raises(Conflict) as twice:
        attendance.attendance_record(by=staff, meeting=meeting, resident=adults[0])
    assert twice.value.code == "already_attended"
    assert records.count() == 4


def test_a_quorum_of_households_counts_each_household_once(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    a, b, _c = (resident_factory(tree.building, name=n) for n in ("甲", "乙", "丙"))
    b.household = a.household
    b.save()
    meeting = _in_session(staff, tree.building, quorum_base="households")
    for person in (a, b):
        attendance.attendance_record(by=staff, meeting=meeting, resident=person)
    q = selectors.meeting_quorum(meeting)
    assert (q.present, q.eligible) == (1, 3)


def test_delegates_quorum_counts_delegates_against_those_expected(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    meeting = _in_session(staff, tree.building, quorum_base="delegates", delegates_expected=4)
    for i in range(3):
        person = resident_factory(tree.building, name=f"代表{i}")
        attendance.attendance_record(by=staff, meeting=meeting, resident=person, is_delegate=i < 2)
    q = selectors.meeting_quorum(meeting)
    assert (q.present, q.eligible, q.met) == (2, 4, False)


def test_attendance_is_refused_before_the_session_and_for_residents_of_other_places(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    person = resident_factory(tree.building)
    draft = call_meeting(staff, tree.building)
    with pytest.raises(DomainError) as early:
        attendance.attendance_record(by=staff, meeting=draft, resident=person)
    assert early.value.code == "illegal_transition"
    meeting = _in_session(staff, tree.building, title="另一会")
    stranger = resident_factory(tree.other_building)
    with pytest.raises(NotFound):
        attendance.attendance_record(by=None, meeting=meeting, resident=stranger)


def test_the_page_and_api_record_attendance_and_topics_with_the_same_answers(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    person = resident_factory(tree.building, name="赵大爷")
    head = make_user(Role.BUILDING_HEAD, tree.building)
    meeting = _in_session(staff, tree.building)
    page = login_client(head)
    r = page.post(f"/meetings/{meeting.pk}/act/attend/", {"resident": person.pk, "proxy_name": "赵小"})
    assert r.status_code == 302
    again = page.post(f"/meetings/{meeting.pk}/act/attend/", {"resident": person.pk})
    assert again.status_code == 409
    assert page.post(f"/meetings/{meeting.pk}/act/attend/", {"resident": "x1"}).status_code == 400
    detail = page.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "赵大爷" in detail
    assert 'data-met="yes"' in detail
    assert 'data-action="add_topic"' not in detail
    api = token_client(head)
    twice = api.post(
        f"/api/meetings/{meeting.pk}/attend", {"resident": person.pk}, content_type="application/json"
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_attended"
    refused = api.post(
        f"/api/meetings/{meeting.pk}/add_topic", {"title": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    appeal = _appeal(tree)
    staff_api = token_client(staff)
    ok = staff_api.post(
        f"/api/meetings/{meeting.pk}/add_topic",
        {"title": "停车秩序", "appeal": appeal.pk},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["topics"][0]["appeal_id"] == appeal.pk
    assert ok.json()["attendance"] == 1
    far = _appeal(tree, tree.far_building)
    hidden = staff_api.post(
        f"/api/meetings/{meeting.pk}/add_topic",
        {"title": "x", "appeal": far.pk},
        content_type="application/json",
    )
    assert hidden.status_code == 404
    assert hidden.json()["field"] == "appeal"
    assert fresh(meeting).topics.count() == 1
