"""The figures of docs/metrics.md on a fixture computed by hand (see the comments), through the
metrics module and on the area page; zero denominators show "—"."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Tree, login_client, make_user
from shequ.appeals import services
from shequ.appeals.metrics import figures_for, rate
from shequ.appeals.tests.conftest import People, category
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 9, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = date(2026, 11, 1)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _loop(appeal: Any, people: People, times: dict[str, float], score: int | None = None) -> Any:
    gw, res = people.grid_worker, people.resident
    steps = [
        ("accept", gw, {}),
        ("dispatch", gw, {"to_user": gw}),
        ("start", gw, {}),
        ("handle", gw, {"result": "已处理"}),
        ("verify", res, {}),
        ("close", gw, {}),
    ]
    for name, by, kwargs in steps:
        if name not in times:
            break
        appeal = getattr(services, f"appeal_{name}")(
            appeal=appeal, by=by, version=appeal.version, now=h(times[name]), **kwargs
        )
    if score is not None:
        appeal = services.appeal_evaluate(
            appeal=appeal, by=res, version=appeal.version, score=score, now=h(times["close"] + 1)
        )
    return appeal


@pytest.fixture
def fixture(report: Any, people: People, tree: Tree) -> None:
    # A1 roads, 平地: every stage in time; satisfied (5).
    a1 = report(now=T0)
    _loop(
        a1, people, {"accept": 2, "dispatch": 4, "start": 6, "handle": 30, "verify": 32, "close": 33}, score=5
    )
    # A2 roads, 平地: accepted after 30 h (deadline 24 h: was overdue); unsatisfied (2).
    a2 = report(now=T0)
    _loop(
        a2,
        people,
        {"accept": 30, "dispatch": 31, "start": 32, "handle": 40, "verify": 41, "close": 42},
        score=2,
    )
    # A3 parking, 平地: rejected after 1 h.
    a3 = report(code="parking", description="车位", now=T0)
    services.appeal_reject(appeal=a3, by=people.grid_worker, version=a3.version, reason="私人车位", now=h(1))
    # A4 parking, 平地: nobody has responded.
    a4 = report(code="parking", description="消防通道", now=T0)
    # A6 roads, 平地: a duplicate merged into A4 after 1 h — not counted anywhere.
    a6 = report(now=T0)
    services.appeal_merge(appeal=a6, by=people.grid_worker, version=a6.version, into=a4, now=h(1))
    # A5 environment, 沥西 (the other community of the street), next month: accepted after 1 h.
    lixi = make_user(Role.RESIDENT, tree.other_building, "lixijumin")
    a5 = report(by=lixi, area=tree.other_building, code="environment", description="垃圾", now=h(40 * 24))
    services.appeal_accept(appeal=a5, by=people.other_community_staff, version=a5.version, now=h(40 * 24 + 1))


def _rates(row: Any) -> tuple[int, Any, Any, Any, Any]:
    return (row.counted, row.response_rate, row.resolution_rate, row.satisfaction_rate, row.on_time_rate)


D = Decimal


def test_the_street_figures_match_the_hand_computed_ones(fixture: None, people: People, tree: Tree) -> None:
    f = figures_for(people.street_official, tree.street, today=TODAY)
    # counted 5 (A6 merged); responded 4/5; resolved 2 of 3 accepted; satisfied 1 of 2; on time 1 of 2.
    assert _rates(f.total) == (5, D("80.0"), D("66.7"), D("50.0"), D("50.0"))
    by_child = {r.label: _rates(r) for r in f.by_child}
    assert by_child == {
        "平地社区": (4, D("75.0"), D("100.0"), D("50.0"), D("50.0")),
        "沥西社区": (1, D("100.0"), D("0.0"), None, None),
    }
    by_category = {r.key: _rates(r) for r in f.by_category}
    assert by_category == {
        "roads_facilities": (2, D("100.0"), D("100.0"), D("50.0"), D("50.0")),
        "parking": (2, D("50.0"), None, None, None),
        "environment": (1, D("100.0"), D("0.0"), None, None),
    }
    assert [(r.label, r.counted) for r in f.by_month] == [("2026-09", 4), ("2026-10", 1)]
    times = {s.stage: (s.stays, s.mean_hours) for s in f.stage_times}
    assert times == {
        "reported": (4, D("8.5")),  # A1 2h, A2 30h, A3 1h, A5 1h
        "accepted": (2, D("1.5")),  # A1 2h, A2 1h
        "dispatched": (2, D("1.5")),
        "in_progress": (2, D("16.0")),  # A1 24h, A2 8h
        "handled": (2, D("1.5")),
        "verified": (2, D("1.0")),
    }


def test_a_community_counts_only_its_own(fixture: None, people: People, tree: Tree) -> None:
    f = figures_for(people.community_staff, tree.street, today=TODAY)  # seen from 平地: only its appeals
    assert f.total.counted == 4
    f = figures_for(people.other_community_staff, tree.other_community, today=TODAY)
    assert _rates(f.total) == (1, D("100.0"), D("0.0"), None, None)


def test_a_period_narrows_the_figures(fixture: None, people: People, tree: Tree) -> None:
    f = figures_for(people.street_official, tree.street, since=date(2026, 10, 1), until=date(2026, 10, 31))
    assert f.total.counted == 1


def test_zero_denominators_are_none() -> None:
    assert rate(0, 0) is None
    assert rate(2, 3) == D("66.7")


def test_the_area_page_shows_the_figures_and_dashes(fixture: None, people: People, tree: Tree) -> None:
    page = (
        login_client(people.other_community_staff).get(f"/areas/{tree.other_community.pk}/").content.decode()
    )
    assert 'data-testid="appeal-figures"' in page
    assert 'data-testid="fig-response"><b>100.0%</b>' in page
    assert 'data-testid="fig-satisfaction"><b>—</b>' in page


def test_residents_see_no_figures(people: People, tree: Tree) -> None:
    page = login_client(people.resident).get(f"/areas/{tree.building.pk}/").content.decode()
    assert 'data-testid="appeal-figures"' not in page


def test_the_figures_of_an_area_without_appeals_are_dashes(people: People, tree: Tree) -> None:
    f = figures_for(people.district_admin, tree.district)
    assert _rates(f.total) == (0, None, None, None, None)
    assert category().code == "roads_facilities"
