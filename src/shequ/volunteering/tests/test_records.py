"""Service records from any app count once per person and service, in the participation rate too."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import Tree, make_user
from shequ.core.roles import Role
from shequ.metrics.compute import area_figures
from shequ.metrics.selectors import Period
from shequ.volunteering.models import ServiceRecord
from shequ.volunteering.records import record_service, withdraw_service

pytestmark = pytest.mark.django_db


def test_a_service_records_each_person_once_however_often_it_is_recorded(
    tree: Tree, resident_factory: Any
) -> None:
    a = resident_factory(tree.building, name="甲")
    b = resident_factory(tree.building, name="乙")
    kwargs: dict[str, Any] = {
        "source": "deliberation.meeting:1",
        "label": "停车位改造协商会",
        "area": tree.community,
        "served_on": date(2026, 11, 5),
    }
    assert record_service(residents=[a, a], households=[a.household], **kwargs) == 2
    assert record_service(residents=[a, b], **kwargs) == 1  # only b is new
    assert ServiceRecord.objects.filter(source="deliberation.meeting:1").count() == 3
    assert withdraw_service(source="deliberation.meeting:1", resident=b) == 1
    assert ServiceRecord.objects.filter(source="deliberation.meeting:1", resident=b).count() == 0


def test_a_resident_who_attended_a_meeting_took_part(tree: Tree, resident_factory: Any) -> None:
    person = resident_factory(tree.building, name="丙")
    admin = make_user(Role.COMMUNITY_STAFF, tree.community)
    period = Period.month(2026, 11)

    def took_part() -> int:
        return next(
            f for f in area_figures(admin, tree.community, period) if f.key == "resident_participation"
        ).numerator

    before = took_part()
    record_service(
        source="deliberation.meeting:2",
        label="居民议事会",
        area=tree.community,
        served_on=date(2026, 11, 20),
        residents=[person],
    )
    assert took_part() == before + 1
