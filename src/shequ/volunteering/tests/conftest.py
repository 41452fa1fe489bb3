"""Fixtures for volunteering: the shared area tree with a social worker in each community, volunteers
with accounts, a venue, and helpers to make activities at a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Actors, Tree, make_user
from shequ.core.models import Area, User
from shequ.core.roles import Role
from shequ.registry.models import Resident
from shequ.resources.models import Venue
from shequ.resources.services import resource_create
from shequ.volunteering import services
from shequ.volunteering.models import Activity, Volunteer

TZ = ZoneInfo("Asia/Shanghai")
# The clock of every test: the activities it makes start a day later.
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=TZ)
START = NOW + timedelta(days=1)  # 2026-12-06 09:00
END = START + timedelta(hours=3)  # 12:00


@dataclass
class People:
    worker: User  # social worker of 平地社区
    other_worker: User  # social worker of 沥西社区
    staff: User  # community staff of 平地社区
    street: User  # street official of 大沥镇
    far_admin: User  # district admin of another district
    grid_worker: User


@pytest.fixture
def people(actors: Actors) -> People:
    return People(
        worker=actors.social_worker,
        other_worker=actors.other_social_worker,
        staff=actors.community_staff,
        street=actors.street_official,
        far_admin=actors.far_district_admin,
        grid_worker=actors.grid_worker,
    )


@pytest.fixture
def volunteer_factory(tree: Tree, people: People, resident_factory: Any) -> Any:
    """volunteer(name, ...) -> a verified volunteer of 平地社区 with an account of the volunteer role."""
    counter = {"n": 0}

    def _make(
        name: str = "",
        *,
        area: Area | None = None,
        verified: bool = True,
        political_status: str = "masses",
        account: bool = True,
    ) -> Volunteer:
        counter["n"] += 1
        area = area or tree.community
        building = tree.building if area == tree.community else tree.other_building
        resident: Resident = resident_factory(building, name=name or f"志愿者{counter['n']}")
        if political_status != "masses":
            Resident.objects.filter(pk=resident.pk).update(political_status=political_status)
            resident.refresh_from_db()
        user = make_user(Role.VOLUNTEER, area, f"zy{counter['n']}") if account else None
        return services.volunteer_register(
            by=None, area=area, resident=resident, user=user, verify=verified, now=NOW - timedelta(days=30)
        )

    return _make


@pytest.fixture
def venue(tree: Tree) -> Venue:
    resource = resource_create(
        by=None,
        area=tree.community,
        name="党群服务中心活动室",
        kind="material",
        venue={"capacity": 40, "opening_hours": "08:30-21:00"},
    )
    return resource.venue


@pytest.fixture
def make_activity(tree: Tree, people: People) -> Any:
    """make_activity(**fields) -> a published activity of 平地社区, tomorrow 09:00–12:00, 3 places."""

    def _make(publish: bool = True, by: User | None = None, **fields: Any) -> Activity:
        values: dict[str, Any] = {
            "area": tree.community,
            "title": "长者探访",
            "kind": "volunteer_service",
            "organiser_kind": "social_worker",
            "starts_at": START,
            "ends_at": END,
            "capacity": 3,
        }
        values.update(fields)
        activity = services.activity_create(by=by or people.worker, now=NOW, **values)
        if publish:
            activity = services.activity_publish(
                by=by or people.worker, activity=activity, version=activity.version, now=NOW
            )
        return activity

    return _make


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)
