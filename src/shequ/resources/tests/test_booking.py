"""The one calendar of a venue: any two uses that overlap are refused, whatever each is for."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Tree, make_user
from shequ.core.errors import Conflict, NotFound
from shequ.core.roles import Role
from shequ.resources.booking import bookings_for, venue_book, venue_release
from shequ.resources.models import Resource, Venue, VenueBooking
from shequ.volunteering import services as volunteering

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)


def _venue(area: Any, name: str = "党群服务中心活动室") -> Venue:
    resource = Resource.objects.create(area=area, kind="material", name=name)
    return Venue.objects.create(resource=resource, capacity=40)


def test_a_meeting_cannot_take_the_hour_an_activity_holds(tree: Tree) -> None:
    worker = make_user(Role.SOCIAL_WORKER, tree.community)
    room = _venue(tree.community)
    activity = volunteering.activity_create(
        by=worker,
        area=tree.community,
        title="长者智能手机课",
        kind="training",
        organiser_kind="social_worker",
        starts_at=NINE,
        ends_at=NINE + timedelta(hours=2),
        capacity=20,
        venue=room,
    )
    held = VenueBooking.objects.get(source=f"volunteering.activity:{activity.pk}")
    assert held.venue == room
    with pytest.raises(Conflict) as refused:
        venue_book(
            by=worker,
            venue=room,
            starts_at=NINE + timedelta(hours=1),
            ends_at=NINE + timedelta(hours=3),
            source="deliberation.meeting:1",
            title="居民议事会",
        )
    assert refused.value.code == "venue_booked"
    assert "长者智能手机课" in str(refused.value.message)
    # Back to back is fine.
    venue_book(
        by=worker,
        venue=room,
        starts_at=NINE + timedelta(hours=2),
        ends_at=NINE + timedelta(hours=3),
        source="deliberation.meeting:1",
        title="居民议事会",
    )
    volunteering.activity_cancel(by=worker, activity=activity, version=activity.version, reason="讲师生病")
    assert VenueBooking.objects.get(pk=held.pk).status == "cancelled"
    # The freed hour can be taken by the meeting now (one booking per source: it moves).
    venue_book(
        by=worker,
        venue=room,
        starts_at=NINE,
        ends_at=NINE + timedelta(hours=1),
        source="deliberation.meeting:1",
        title="居民议事会",
    )
    assert VenueBooking.objects.filter(source="deliberation.meeting:1").count() == 1


def test_an_activity_cannot_take_the_hour_a_meeting_holds(tree: Tree) -> None:
    worker = make_user(Role.SOCIAL_WORKER, tree.community)
    room = _venue(tree.community)
    venue_book(
        by=worker,
        venue=room,
        starts_at=NINE,
        ends_at=NINE + timedelta(hours=2),
        source="deliberation.meeting:7",
        title="楼栋议事会",
    )
    with pytest.raises(Conflict):
        volunteering.activity_create(
            by=worker,
            area=tree.community,
            title="义剪",
            kind="volunteer_service",
            organiser_kind="social_worker",
            starts_at=NINE + timedelta(minutes=30),
            ends_at=NINE + timedelta(hours=1),
            capacity=10,
            venue=room,
        )
    assert venue_release(source="deliberation.meeting:7") == 1


def test_another_communitys_venue_is_not_found_and_its_calendar_not_shown(tree: Tree) -> None:
    worker = make_user(Role.SOCIAL_WORKER, tree.community)
    far_room = _venue(tree.far_community, "升平社区活动室")
    with pytest.raises(NotFound):
        venue_book(
            by=worker,
            venue=far_room,
            starts_at=NINE,
            ends_at=NINE + timedelta(hours=1),
            source="deliberation.meeting:9",
            title="越界",
        )
    venue_book(
        by=None,
        venue=far_room,
        starts_at=NINE,
        ends_at=NINE + timedelta(hours=1),
        source="deliberation.meeting:9",
        title="升平议事",
    )
    week = {"start": NINE - timedelta(days=1), "end": NINE + timedelta(days=6)}
    assert list(bookings_for(worker, **week)) == []
    far_worker = make_user(Role.SOCIAL_WORKER, tree.far_community)
    assert [b.title for b in bookings_for(far_worker, **week)] == ["升平议事"]
