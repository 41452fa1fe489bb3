"""What needs holds on a person reaches their own data and `shequ person export` (PIPL art. 45):
the visits to them and the needs they raised, declared in needs/hooks.py."""

from __future__ import annotations

import pytest

from shequ.needs import services
from shequ.needs.tests.conftest import People
from shequ.registry.models import Resident
from shequ.registry.services import resident_personal_data

pytestmark = pytest.mark.django_db


def test_a_persons_data_holds_the_visits_to_them_and_their_needs_but_not_the_visitors_notes(
    people: People, elder: Resident
) -> None:
    services.visit_log(
        by=people.grid_worker,
        resident=elder,
        notes="家中较乱",
        needs=[services.NeedDraft("elderly_care", "需要助餐")],
    )
    held = resident_personal_data(resident=elder)["needs"]
    assert [v["purpose"] for v in held["visits"]] == ["routine"]
    assert [n["description"] for n in held["needs"]] == ["需要助餐"]
    assert "家中较乱" not in str(held)
