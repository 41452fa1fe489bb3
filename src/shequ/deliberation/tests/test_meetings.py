"""Meetings: called in an area at a venue, notified, opened, closed, cancelled — one rule table for
pages and API; another community's meeting answers as not found."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.deliberation.models import Meeting
from shequ.deliberation.services import meetings
from shequ.deliberation.tests.conftest import NINE, call_meeting, fresh
from shequ.resources.models import BookingStatus, VenueBooking
from shequ.volunteering import services as volunteering

pytestmark = pytest.mark.django_db


def test_a_meeting_at_a_venue_books_its_time_and_is_audited(tree: Tree, staff: Any, venue: Any) -> None:
    meeting = call_meeting(staff, tree.building, venue=venue)
    booked = VenueBooking.objects.get(source=f"deliberation.meeting:{meeting.pk}")
    assert (booked.venue, booked.starts_at, booked.status) == (venue, NINE, BookingStatus.HELD)
    assert AuditEntry.objects.filter(object_type="deliberation.meeting", object_id=str(meeting.pk)).exists()
    assert meeting.status == "draft"


def test_a_meeting_that_clashes_with_an_activity_at_the_venue_is_refused_naming_it(
    tree: Tree, staff: Any, venue: Any
) -> None:
    volunteering.activity_create(
        by=None,
        area=tree.community,
        title="长者智能手机课",
        kind="training",
        organiser_kind="social_worker",
        starts_at=NINE + timedelta(hours=1),
        ends_at=NINE + timedelta(hours=3),
        capacity=20,
        venue=venue,
    )
    with pytest.raises(Conflict) as refused:
        call_meeting(staff, tree.building, venue=venue)
    assert refused.value.code == "venue_booked"
    assert "长者智能手机课" in str(refused.value.message)
    assert not Meeting.objects.exists()  # the meeting and its booking are written or refused together


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"ends_at": NINE}, "ends_before_start"),
        ({"kind": "party"}, "invalid_choice"),
        ({"chair": " "}, "required"),
        ({"place": ""}, "place_required"),
        ({"quorum_numerator": 3, "quorum_denominator": 2}, "quorum_share"),
        ({"quorum_base": "delegates"}, "delegates_expected"),
    ],
)
def test_a_meeting_with_bad_input_is_refused(tree: Tree, staff: Any, fields: dict, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        call_meeting(staff, tree.building, **fields)
    assert refused.value.code == code


def test_a_meeting_belongs_below_the_district(tree: Tree) -> None:
    admin = make_user(Role.DISTRICT_ADMIN, tree.district)
    with pytest.raises(DomainError) as refused:
        call_meeting(admin, tree.district)
    assert refused.value.code == "area_kind"


def test_the_meeting_moves_through_its_states_and_a_stale_version_is_refused(tree: Tree, staff: Any) -> None:
    meeting = call_meeting(staff, tree.building)
    meeting = meetings.meeting_notify(by=staff, meeting=meeting, version=meeting.version)
    with pytest.raises(Conflict):
        meetings.meeting_open(by=staff, meeting=meeting, version=meeting.version - 1)
    meeting = meetings.meeting_open(by=staff, meeting=meeting, version=meeting.version)
    with pytest.raises(DomainError) as refused:
        meetings.meeting_cancel(by=staff, meeting=meeting, version=meeting.version)
    assert refused.value.code == "illegal_transition"
    meeting = meetings.meeting_close(by=staff, meeting=meeting, version=meeting.version)
    assert (meeting.status, bool(meeting.notified_at), bool(meeting.opened_at), bool(meeting.closed_at)) == (
        "closed",
        True,
        True,
        True,
    )


def test_cancelling_a_meeting_releases_its_venue(tree: Tree, staff: Any, venue: Any) -> None:
    meeting = call_meeting(staff, tree.building, venue=venue)
    meetings.meeting_cancel(by=staff, meeting=meeting, version=meeting.version)
    assert (
        VenueBooking.objects.get(source=f"deliberation.meeting:{meeting.pk}").status
        == BookingStatus.CANCELLED
    )
    call_meeting(staff, tree.building, venue=venue, title="改期后的议事会")  # the time is free again


def test_a_grid_worker_sees_the_meeting_but_does_not_run_it(tree: Tree, staff: Any) -> None:
    meeting = call_meeting(staff, tree.building)
    grid_worker = make_user(Role.GRID_WORKER, tree.grid)
    with pytest.raises(Forbidden):
        meetings.meeting_notify(by=grid_worker, meeting=meeting, version=meeting.version)
    other = make_user(Role.COMMUNITY_STAFF, tree.other_community)
    with pytest.raises(NotFound):
        meetings.meeting_notify(by=other, meeting=meeting, version=meeting.version)


# --- pages and API: the same rules ------------------------------------------------------------------


def test_staff_call_a_meeting_on_the_page_and_a_refusal_keeps_what_was_typed(tree: Tree, staff: Any) -> None:
    client = login_client(staff)
    assert client.get(f"/areas/{tree.building.pk}/meetings/new/").status_code == 200
    form = {
        "kind": "council",
        "title": "停车位议事会",
        "starts_at": "2026-12-14T19:00",
        "ends_at": "2026-12-14T18:00",
        "mode": "in_person",
        "place": "1座架空层",
        "chair": "陈书记",
        "recorder": "李社工",
        "quorum_base": "persons",
        "quorum_numerator": "1",
        "quorum_denominator": "2",
        "quorum_strict": "on",
    }
    refused = client.post(f"/areas/{tree.building.pk}/meetings/new/", form)
    assert refused.status_code == 400
    assert "停车位议事会" in refused.content.decode()
    done = client.post(f"/areas/{tree.building.pk}/meetings/new/", {**form, "ends_at": "2026-12-14T21:00"})
    meeting = Meeting.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/meetings/{meeting.pk}/"
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-action="notify"' in page
    assert 'data-action="close"' not in page
    assert client.get("/meetings/").content.decode().count(f'href="/meetings/{meeting.pk}/"') == 1


def test_the_page_moves_the_meeting_and_answers_a_stale_form_with_409(tree: Tree, staff: Any) -> None:
    meeting = call_meeting(staff, tree.building)
    client = login_client(staff)
    r = client.post(f"/meetings/{meeting.pk}/act/notify/", {"version": meeting.version})
    assert r.status_code == 302
    assert fresh(meeting).status == "notified"
    stale = client.post(f"/meetings/{meeting.pk}/act/open/", {"version": meeting.version})
    assert stale.status_code == 409
    assert fresh(meeting).status == "notified"
    wrong = client.post(f"/meetings/{meeting.pk}/act/close/", {"version": fresh(meeting).version})
    assert wrong.status_code == 400  # illegal transition: not in session
    assert client.post(f"/meetings/{meeting.pk}/act/nonsense/", {}).status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/act/open/", {"version": "abc"}).status_code == 400


def test_the_api_creates_and_moves_a_meeting_through_the_same_table(
    tree: Tree, staff: Any, venue: Any
) -> None:
    client = token_client(staff)
    body = {
        "area_id": tree.building.pk,
        "kind": "joint",
        "title": "联席会议",
        "starts_at": NINE.isoformat(),
        "ends_at": (NINE + timedelta(hours=2)).isoformat(),
        "chair": "陈书记",
        "recorder": "李社工",
        "venue_id": venue.pk,
    }
    r = client.post("/api/meetings", body, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "draft"
    assert data["actions"] == ["notify", "cancel", "add_topic"]
    clash = client.post("/api/meetings", {**body, "title": "另一个会"}, content_type="application/json")
    assert clash.status_code == 409
    assert clash.json()["code"] == "venue_booked"
    assert clash.json()["field"] == "venue"
    pk = data["id"]
    no_version = client.post(f"/api/meetings/{pk}/notify", {}, content_type="application/json")
    assert no_version.status_code == 400
    assert no_version.json()["code"] == "version_required"
    ok = client.post(
        f"/api/meetings/{pk}/notify", {"version": data["version"]}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "notified"
    stale = client.post(
        f"/api/meetings/{pk}/open", {"version": data["version"]}, content_type="application/json"
    )
    assert stale.status_code == 409


def test_another_communitys_meeting_answers_as_not_found_on_page_and_api(tree: Tree, staff: Any) -> None:
    meeting = call_meeting(staff, tree.building)
    other = make_user(Role.COMMUNITY_STAFF, tree.other_community)
    page, api = login_client(other), token_client(other)
    assert page.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert page.post(f"/meetings/{meeting.pk}/act/notify/", {"version": 1}).status_code == 404
    assert api.get(f"/api/meetings/{meeting.pk}").status_code == 404
    r = api.post(f"/api/meetings/{meeting.pk}/notify", {"version": 1}, content_type="application/json")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert api.get("/api/meetings").json()["items"] == []
    assert fresh(meeting).status == "draft"


def test_an_area_with_a_meeting_on_record_is_not_deleted(tree: Tree, staff: Any) -> None:
    from conftest import make_area
    from shequ.core.services import area_delete

    building = make_area(tree.grid, "新楼")
    call_meeting(staff, building)
    with pytest.raises(DomainError) as refused:
        area_delete(by=make_user(Role.DISTRICT_ADMIN, tree.district), area=building)
    assert refused.value.code == "area_in_use"
