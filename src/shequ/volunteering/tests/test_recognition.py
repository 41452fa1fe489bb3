"""The yearly recognition list (年度表彰名单): volunteers ranked by the year's confirmed hours, with the
star level that all their confirmed hours up to the year's end reach; scoped to the viewer's areas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.core.roles import Role
from shequ.volunteering import selectors
from shequ.volunteering.models import ServiceHours, SignUp
from shequ.volunteering.tests.conftest import TZ, People

pytestmark = pytest.mark.django_db


def _hours(volunteer: Any, activity: Any, served_on: date, minutes: int, confirmed: bool = True) -> None:
    signup = SignUp.objects.create(
        activity=activity, volunteer=volunteer, status="confirmed", created_at=datetime(2025, 1, 1, tzinfo=TZ)
    )
    ServiceHours.objects.create(
        signup=signup,
        volunteer=volunteer,
        activity=activity,
        served_on=served_on,
        computed_minutes=minutes,
        minutes=minutes,
        status="confirmed" if confirmed else "pending",
        confirmed_at=datetime(2026, 1, 1, tzinfo=TZ) if confirmed else None,
    )


@pytest.fixture
def year(make_activity: Any, volunteer_factory: Any, tree: Tree) -> dict[str, Any]:
    acts = [make_activity(title=f"活动{i}") for i in range(4)]
    a, b, c = volunteer_factory("甲"), volunteer_factory("乙"), volunteer_factory("丙")
    far = volunteer_factory("外区", area=tree.other_community)
    _hours(a, acts[0], date(2025, 6, 1), 95 * 60)  # last year: counts toward stars only
    _hours(a, acts[1], date(2026, 3, 1), 10 * 60)  # 105 h in all: one star
    _hours(b, acts[1], date(2026, 5, 1), 20 * 60)
    _hours(b, acts[2], date(2026, 6, 1), 60, confirmed=False)  # pending: not counted
    _hours(c, acts[3], date(2027, 1, 2), 30 * 60)  # next year: not in 2026
    _hours(far, acts[2], date(2026, 7, 1), 50 * 60)
    return {"a": a, "b": b, "c": c, "far": far}


def test_the_list_ranks_the_years_confirmed_hours_and_gives_stars_by_all_hours(
    people: People, year: Any
) -> None:
    listing = selectors.recognition(people.worker, year=2026)
    rows = [(h.name, h.minutes, h.total_minutes, h.stars) for h in listing.honours]
    assert rows == [("乙", 1200, 1200, 0), ("甲", 600, 6300, 1)]
    assert listing.listed == 2
    assert listing.star_counts == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}
    # The street official sees both communities of the street.
    street = selectors.recognition(people.street, year=2026)
    assert [h.name for h in street.honours] == ["外区", "乙", "甲"]
    assert [h.rank for h in street.honours] == [1, 2, 3]


def test_the_page_is_scoped_printable_and_refused_to_residents(people: People, year: Any, tree: Tree) -> None:
    page = login_client(people.worker).get("/volunteer-recognition/", {"year": 2026})
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="honour-row"') == 2
    assert "外区" not in body
    assert "window.print()" in body
    assert 'data-stars="1"' in body
    assert (
        login_client(people.other_worker)
        .get("/volunteer-recognition/", {"year": 2026})
        .content.decode()
        .count('data-testid="honour-row"')
        == 1
    )
    assert (
        login_client(people.far_admin)
        .get("/volunteer-recognition/", {"year": 2026})
        .content.decode()
        .count('data-testid="honour-row"')
        == 0
    )
    assert (
        login_client(make_user(Role.RESIDENT, tree.building, "jumin"))
        .get("/volunteer-recognition/")
        .status_code
        == 403
    )
    assert login_client(year["a"].user).get("/volunteer-recognition/").status_code == 403
    # Another area than one's own: refused, not shown empty.
    r = login_client(people.worker).get(
        "/volunteer-recognition/", {"year": 2026, "area": tree.other_community.pk}
    )
    assert r.status_code in (403, 404)


def test_the_api_gives_the_same_list(people: People, year: Any) -> None:
    r = token_client(people.street).get("/api/volunteer-recognition", {"year": 2026, "limit": 2})
    assert r.status_code == 200
    data = r.json()
    assert data["listed"] == 3
    assert [h["name"] for h in data["honours"]] == ["外区", "乙"]
    assert data["star_counts"]["1"] == 1
    assert token_client(people.street).get("/api/volunteer-recognition", {"year": 1900}).status_code == 400


def test_stars_follow_the_national_thresholds() -> None:
    assert [selectors.stars_for(h * 60) for h in (99, 100, 299, 300, 600, 1000, 1499, 1500, 9999)] == [
        0,
        1,
        1,
        2,
        3,
        4,
        4,
        5,
        5,
    ]
