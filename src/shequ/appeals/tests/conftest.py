"""Fixtures for appeals: the shared area tree with people in each role, and a report helper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from conftest import Tree, make_user
from shequ.appeals import services
from shequ.appeals.models import Appeal, Category
from shequ.core.models import Area, User
from shequ.core.roles import Role


@dataclass
class People:
    resident: User  # lives in tree.building
    neighbour: User  # another resident of the same building
    building_head: User
    grid_worker: User
    community_staff: User
    other_community_staff: User  # 沥西社区, same street
    street_official: User
    far_street_official: User  # another district's street
    district_admin: User
    volunteer: User


@pytest.fixture
def people(tree: Tree) -> People:
    return People(
        resident=make_user(Role.RESIDENT, tree.building, "jumin"),
        neighbour=make_user(Role.RESIDENT, tree.building, "linju"),
        building_head=make_user(Role.BUILDING_HEAD, tree.building, "louzhang"),
        grid_worker=make_user(Role.GRID_WORKER, tree.grid, "wangge"),
        community_staff=make_user(Role.COMMUNITY_STAFF, tree.community, "shequ"),
        other_community_staff=make_user(Role.COMMUNITY_STAFF, tree.other_community, "lixi"),
        street_official=make_user(Role.STREET_OFFICIAL, tree.street, "jiedao"),
        far_street_official=make_user(Role.STREET_OFFICIAL, tree.far_street, "zumiao"),
        district_admin=make_user(Role.DISTRICT_ADMIN, tree.district, "quadmin"),
        volunteer=make_user(Role.VOLUNTEER, tree.community, "zhiyuan"),
    )


def category(code: str = "roads_facilities") -> Category:
    return Category.objects.get(code=code)


@pytest.fixture
def report(people: People, tree: Tree) -> Any:
    """report(by=..., area=..., **fields) -> Appeal, with sensible defaults (a resident's pothole)."""

    def _report(
        by: User | None = None,
        area: Area | None = None,
        *,
        code: str = "roads_facilities",
        description: str = "楼下路面有个大坑，晚上看不清容易摔倒",
        now: datetime | None = None,
        **fields: Any,
    ) -> Appeal:
        return services.appeal_report(
            by=by or people.resident,
            area=area or tree.building,
            category=category(code),
            description=description,
            now=now,
            **fields,
        )

    return _report


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)
