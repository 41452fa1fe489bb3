"""The dashboard's query budget (issue 17): each figure is one grouped scan per side for all its months
and all the areas below (metrics.compute.grid), so the number of statements a dashboard costs does not
grow with the months shown, the areas below or the rows counted."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login_client
from shequ.core import figures
from shequ.metrics.tests.conftest import Fixture
from shequ.volunteering.models import ServiceRecord

pytestmark = pytest.mark.django_db

# The statements of one dashboard: per side of a figure one scan (≈ 80 for the 41 figures of the six
# apps, their trends and the areas below), plus the session, the user's roles, the areas below, the
# targets. A cell-by-cell dashboard took ≈ 550 on the demo community.
BUDGET = 100


def _statements(client: object, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_dashboard_costs_the_same_statements_whatever_the_months_areas_and_rows(hand: Fixture) -> None:
    staff = login_client(hand.people.community_staff)
    street = login_client(hand.people.street_official)
    community_url = f"/metrics/area/{hand.tree.community.pk}/"
    street_url = f"/metrics/area/{hand.tree.street.pk}/"
    # Each client's first page reads its session and its user once: warmed up, not counted.
    staff.get(community_url, {"period": "2026-11"})
    street.get(street_url, {"period": "2026-11"})
    month = _statements(staff, community_url, {"period": "2026-11"})
    counts = {
        "a community, a month": month,
        "a community, a year": _statements(staff, community_url, {"year": "2026"}),
        "a street and its two communities": _statements(street, street_url, {"period": "2026-11"}),
    }
    # A hundred more service records in November change the numbers, not the statements.
    activity = hand.a["A1"]
    ServiceRecord.objects.bulk_create(
        ServiceRecord(
            activity=activity,
            source=f"test.bulk:{n}",
            source_label=activity.title,
            area=activity.area,
            served_on=date(2026, 11, 3),
            kind="participant",
            resident=hand.r["R1"],
        )
        for n in range(100)
    )
    counts["a community, a hundred rows more"] = _statements(staff, community_url, {"period": "2026-11"})
    assert max(counts.values()) <= BUDGET, counts
    assert set(counts.values()) == {month}, counts


def test_the_dashboard_has_a_section_per_app_with_its_figures(hand: Fixture) -> None:
    html = login_client(hand.people.community_staff).get(
        f"/metrics/area/{hand.tree.community.pk}/", {"period": "2026-11"}
    )
    text = html.content.decode()
    for group in figures.groups():
        assert str(group.label) in text, group.key
    for key in ("cases_open", "supervision_quota", "meetings_held", "decisions_on_time"):
        assert f'data-testid="value-{key}"' in text, key
