"""Fixtures for appeals: the shared area tree with people in each role, and a report helper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from conftest import Actors, Tree
from shequ.appeals import services
from shequ.appeals.models import Appeal, Category
from shequ.core.models import Area, User


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
def people(actors: Actors) -> People:
    return People(
        resident=actors.resident,
        neighbour=actors.neighbour,
        building_head=actors.building_head,
        grid_worker=actors.grid_worker,
        community_staff=actors.community_staff,
        other_community_staff=actors.other_community_staff,
        street_official=actors.street_official,
        far_street_official=actors.far_street_official,
        district_admin=actors.district_admin,
        volunteer=actors.volunteer,
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
