"""The dashboard, the lists behind each number, the targets and the API, through HTTP: what each role
sees, and that a worker of one community never reaches another's."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import login_client, make_user, token_client
from shequ.core.errors import DomainError
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.metrics import services
from shequ.metrics.models import YearlyTarget
from shequ.metrics.selectors import target_progress
from shequ.metrics.tests.conftest import Fixture

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_cards_with_formula_links_and_dashes(hand: Fixture) -> None:
    c = login_client(hand.people.community_staff)
    r = c.get(f"/metrics/area/{hand.tree.community.pk}/", {"period": "2026-11"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="value-resident_participation">37.5%<' in html
    assert 'data-testid="numerator-resident_participation"' in html
    assert "/metrics/resident_participation/denominator/?area=" in html
    assert 'id="metrics-chart"' in html
    assert "vendor/echarts.min.js" in html
    r = c.get(f"/metrics/area/{hand.tree.community.pk}/", {"period": "2025-01"})
    assert 'data-testid="value-need_satisfaction">—<' in r.content.decode()


def test_my_dashboard_opens_my_own_area(hand: Fixture) -> None:
    r = login_client(hand.people.community_staff).get("/metrics/", {"period": "2026-11"})
    assert r.status_code == 302
    assert r["Location"] == f"/metrics/area/{hand.tree.community.pk}/?period=2026-11"


def test_a_bad_period_is_refused_not_a_500(hand: Fixture) -> None:
    c = login_client(hand.people.community_staff)
    for params in ({"period": "2026-13"}, {"year": "20x6"}, {"from": "2026-11-30", "to": "2026-11-01"}):
        assert c.get(f"/metrics/area/{hand.tree.community.pk}/", params).status_code == 400


def test_another_communitys_worker_cannot_open_the_dashboard_or_its_lists(hand: Fixture) -> None:
    c = login_client(hand.people.other_community_staff)
    pk = hand.tree.community.pk
    assert c.get(f"/metrics/area/{pk}/").status_code == 404
    r = c.get(
        "/metrics/resident_participation/numerator/", {"area": pk, "from": "2026-11-01", "to": "2026-11-30"}
    )
    assert r.status_code == 404
    assert (
        token_client(hand.people.other_community_staff).get(f"/api/metrics/areas/{pk}/figures").status_code
        == 404
    )


def test_residents_and_volunteers_have_no_dashboard(hand: Fixture) -> None:
    assert (
        login_client(hand.people.volunteer).get(f"/metrics/area/{hand.tree.community.pk}/").status_code == 403
    )
    assert (
        login_client(hand.people.resident).get(f"/metrics/area/{hand.tree.building.pk}/").status_code == 403
    )
    assert login_client(hand.people.resident).get("/metrics/").status_code == 404


def test_the_list_behind_a_number_has_exactly_its_rows_masked(hand: Fixture) -> None:
    c = login_client(hand.people.community_staff)
    q = {"area": hand.tree.community.pk, "from": "2026-11-01", "to": "2026-11-30"}
    r = c.get("/metrics/resident_participation/numerator/", q)
    html = r.content.decode()
    assert r.status_code == 200
    for name in ("张一", "王三", "吴八"):
        assert name in html
    assert "赵四" not in html
    assert "李二" not in html
    assert "440605********" in html
    assert not re.search(r"\d{17}[\dX]", html)  # ID numbers masked
    # The street official does not serve children: the child is counted, not listed.
    r = login_client(hand.people.street_official).get("/metrics/resident_participation/numerator/", q)
    html = r.content.decode()
    assert "吴八" not in html
    assert 'data-testid="drill-hidden"' in html
    r = c.get("/metrics/need_satisfaction/denominator/", q)
    assert r.content.decode().count("<tr>") == 1 + 3  # header + N1 N2 N4
    assert c.get("/metrics/volunteer_hours/denominator/", q).status_code == 404  # a total has no denominator
    assert c.get("/metrics/nothing/numerator/", q).status_code == 404


def test_the_api_gives_the_same_figures(hand: Fixture) -> None:
    r = token_client(hand.people.community_staff).get(
        f"/api/metrics/areas/{hand.tree.community.pk}/figures", {"period": "2026-11"}
    )
    assert r.status_code == 200
    body = r.json()
    figures = {f["key"]: f for f in body["figures"]}
    assert body["period"]["start"] == "2026-11-01"
    assert (
        figures["resident_participation"]["numerator"],
        figures["resident_participation"]["denominator"],
    ) == (3, 8)
    assert Decimal(str(figures["resident_participation"]["value"])) == Decimal("37.5")
    assert figures["resident_satisfaction"]["value"] is not None
    r = token_client(hand.people.community_staff).get(
        f"/api/metrics/areas/{hand.tree.community.pk}/figures", {"period": "2025-01"}
    )
    assert {f["key"]: f for f in r.json()["figures"]}["need_satisfaction"]["value"] is None


def test_a_community_sets_the_plans_targets_and_sees_progress(hand: Fixture) -> None:
    staff = hand.people.community_staff
    r = login_client(staff).post(
        f"/metrics/area/{hand.tree.community.pk}/targets/", {"year": 2026, "plan": "1"}
    )
    assert r.status_code == 302
    progress = {t.key: t for t in target_progress(staff, hand.tree.community, 2026)}
    # 2026: cultural events A3 + A4 = 2 of 6 → 33.3%; party activity days 1 of 12 → 8.3%;
    # party volunteer service 2 of 200 → 1.0%; poverty help 4 of 50 → 8.0%
    assert (progress["cultural_events"].actual, progress["cultural_events"].ratio) == (
        Decimal(2),
        Decimal("33.3"),
    )
    assert progress["party_activity_days"].ratio == Decimal("8.3")
    assert progress["party_volunteer_person_times"].ratio == Decimal("1.0")
    assert progress["poverty_help_person_times"].ratio == Decimal("8.0")
    assert not any(t.met for t in progress.values())
    assert AuditEntry.objects.filter(object_repr__contains="2026 targets").exists()
    html = (
        login_client(staff).get(f"/metrics/area/{hand.tree.community.pk}/", {"year": "2026"}).content.decode()
    )
    assert 'data-testid="target-cultural_events"' in html


def test_targets_are_set_only_by_the_areas_staff_and_checked(hand: Fixture) -> None:
    pk = hand.tree.community.pk
    # A grid worker may read, not set; 沥西's worker does not even see 平地.
    r = login_client(hand.people.grid_worker).post(
        f"/metrics/area/{pk}/targets/", {"year": 2026, "plan": "1"}
    )
    assert r.status_code == 404  # the grid worker's roles do not reach the community's targets
    r = token_client(hand.people.other_community_staff).put(
        f"/api/metrics/areas/{pk}/targets",
        {"year": 2026, "values": {"cultural_events": 6}},
        content_type="application/json",
    )
    assert r.status_code == 404
    evaluator = make_user(Role.EVALUATOR, hand.tree.street, "pinggu")
    r = token_client(evaluator).put(
        f"/api/metrics/areas/{pk}/targets",
        {"year": 2026, "values": {"cultural_events": 6}},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert not YearlyTarget.objects.exists()
    staff = token_client(hand.people.street_official)
    for values in ({"nothing": 5}, {"need_satisfaction": 120}, {"cultural_events": -1}):
        r = staff.put(
            f"/api/metrics/areas/{pk}/targets",
            {"year": 2026, "values": values},
            content_type="application/json",
        )
        assert r.status_code in (400, 422), values
    r = staff.put(
        f"/api/metrics/areas/{pk}/targets",
        {"year": 2026, "values": {"need_satisfaction": 90}},
        content_type="application/json",
    )
    # 2026's needs: N1 N5 N6 met, N2 open, N4 unmet (N3 withdrawn) → 3 / 5 = 60.0
    assert r.status_code == 200
    assert r.json()[0]["actual"] == "60.0"
    with pytest.raises(DomainError):  # a building sets no targets
        services.targets_set(by=None, area=hand.tree.building, year=2026, values={"cultural_events": 1})
