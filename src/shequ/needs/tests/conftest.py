"""Fixtures for needs: the shared area tree with a worker in each role, residents of the building,
and a survey of the community open today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Actors, Tree
from shequ.core.models import User
from shequ.needs import services
from shequ.needs.models import Survey
from shequ.registry.models import Organisation, Resident


@dataclass
class People:
    grid_worker: User  # 第1网格 of 平地社区
    staff: User  # community staff of 平地社区
    worker: User  # social worker of 平地社区
    other_staff: User  # community staff of 沥西社区 (same street)
    building_head: User
    street: User
    far_admin: User  # district admin of another district
    resident: User  # a resident account of the building, linked to `home`
    evaluator: User


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def people(actors: Actors) -> People:
    return People(
        grid_worker=actors.grid_worker,
        staff=actors.community_staff,
        worker=actors.social_worker,
        other_staff=actors.other_community_staff,
        building_head=actors.building_head,
        street=actors.street_official,
        far_admin=actors.far_district_admin,
        resident=actors.resident,
        evaluator=actors.evaluator,
    )


@pytest.fixture
def elder(tree: Tree, resident_factory: Any) -> Resident:
    """An elderly woman living alone in the building."""
    r: Resident = resident_factory(tree.building, name="黄婆婆", born=date(1940, 3, 8), gender="F")
    Resident.objects.filter(pk=r.pk).update(living_alone=True)
    r.refresh_from_db()
    return r


@pytest.fixture
def home(tree: Tree, people: People, resident_factory: Any) -> Resident:
    """The registry record of the resident account (linked by the community's staff)."""
    r: Resident = resident_factory(tree.building, name="陈美玲", born=date(1985, 6, 1), gender="F")
    Resident.objects.filter(pk=r.pk).update(user=people.resident)
    r.refresh_from_db()
    return r


@pytest.fixture
def stranger(tree: Tree, resident_factory: Any) -> Resident:
    """A resident of 沥西社区: outside 平地社区."""
    return resident_factory(tree.other_building, name="外社区居民")


@pytest.fixture
def unit(tree: Tree) -> Organisation:
    return Organisation.objects.create(area=tree.community, kind="unit", name="平地小学")


@pytest.fixture
def survey(tree: Tree, people: People, today: date) -> Survey:
    return services.survey_create(
        by=people.worker,
        area=tree.community,
        title="2026年居民满意度测评",
        respondents="residents",
        opens_on=today - timedelta(days=5),
        closes_on=today + timedelta(days=5),
    )


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)
