"""What each person sees: a worker of one community nothing of another; a volunteer the published
activities of their area (and of the street above it) and their own record; rankings by period."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from conftest import Tree, make_user
from shequ.core.errors import NotFound
from shequ.core.roles import Role
from shequ.volunteering import selectors, services
from shequ.volunteering.tests.conftest import END, NOW, START, People

pytestmark = pytest.mark.django_db


def test_a_worker_of_one_community_sees_nothing_of_another(
    tree: Tree, people: People, make_activity: Any, volunteer_factory: Any
) -> None:
    activity = make_activity()
    volunteer = volunteer_factory()
    assert list(selectors.activities_for(people.worker)) == [activity]
    assert list(selectors.activities_for(people.other_worker)) == []
    assert list(selectors.volunteers_for(people.other_worker)) == []
    assert list(selectors.activities_for(people.far_admin)) == []
    with pytest.raises(NotFound):
        selectors.activity_for(people.other_worker, activity.pk)
    with pytest.raises(NotFound):
        selectors.volunteer_for(people.other_worker, volunteer.pk)
    # The street above sees both communities' volunteers and activities.
    assert list(selectors.volunteers_for(people.street)) == [volunteer]


def test_volunteers_and_residents_see_published_activities_of_their_area_and_above_but_no_drafts(
    tree: Tree, people: People, make_activity: Any, volunteer_factory: Any
) -> None:
    published = make_activity(title="已发布")
    make_activity(title="草稿", publish=False)
    street_wide = make_activity(by=people.street, area=tree.street, title="全镇活动")
    other = make_activity(by=people.other_worker, area=tree.other_community, title="沥西活动")
    volunteer = volunteer_factory()
    resident = make_user(Role.RESIDENT, tree.building, "jumin")
    for user in (volunteer.user, resident):
        titles = {a.title for a in selectors.activities_for(user)}
        assert titles == {published.title, street_wide.title}
    assert other.title not in {a.title for a in selectors.activities_for(volunteer.user)}
    # The organiser sees the draft too.
    assert {a.title for a in selectors.activities_for(people.worker)} == {"已发布", "草稿", "全镇活动"}


def test_a_volunteer_reaches_their_own_record_but_not_anothers(volunteer_factory: Any) -> None:
    mine, theirs = volunteer_factory(), volunteer_factory()
    assert selectors.volunteer_for(mine.user, mine.pk) == mine
    with pytest.raises(NotFound):
        selectors.volunteer_for(mine.user, theirs.pk)
    assert list(selectors.volunteers_for(mine.user)) == []


def test_list_counts_and_upcoming_or_past(make_activity: Any, volunteer_factory: Any, people: People) -> None:
    activity = make_activity(capacity=1)
    for v in (volunteer_factory(), volunteer_factory()):
        services.signup_create(by=v.user, activity=activity, now=NOW)
    row = selectors.activities_for(people.worker, when="upcoming", now=NOW).get()
    assert (row.confirmed_count, row.waitlist_count) == (1, 1)
    assert not selectors.activities_for(people.worker, when="past", now=NOW).exists()
    assert selectors.activities_for(people.worker, when="past", now=END + timedelta(days=1)).get() == activity


def _serve(activity: Any, volunteer: Any, worker: Any, minutes: int) -> None:
    signup = services.signup_create(by=volunteer.user, activity=activity, now=NOW)
    services.attendance_check_in(by=worker, signup=signup, at=activity.starts_at, now=activity.ends_at)
    hours = services.attendance_check_out(
        by=worker, signup=signup, at=activity.starts_at + timedelta(minutes=minutes), now=activity.ends_at
    )
    services.hours_confirm(by=worker, hours=hours, now=activity.ends_at)


def test_rankings_order_volunteers_by_confirmed_hours_in_the_period_and_area(
    tree: Tree, people: People, make_activity: Any, volunteer_factory: Any
) -> None:
    first, second = (
        make_activity(capacity=5),
        make_activity(capacity=5, starts_at=START + timedelta(days=40), ends_at=END + timedelta(days=40)),
    )
    a, b = volunteer_factory("阿明"), volunteer_factory("阿芳")
    _serve(first, a, people.worker, 60)
    _serve(first, b, people.worker, 120)
    _serve(second, a, people.worker, 180)
    december = selectors.ranking(people.worker, start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert [(r["name"], r["hours"]) for r in december] == [("阿芳", 2.0), ("阿明", 1.0)]
    whole = selectors.ranking(people.worker, start=date(2026, 1, 1), end=date(2027, 12, 31))
    assert [(r["rank"], r["name"], r["minutes"]) for r in whole] == [(1, "阿明", 240), (2, "阿芳", 120)]
    assert selectors.ranking(people.other_worker, start=date(2026, 1, 1), end=date(2027, 12, 31)) == []
    record = selectors.record_of(a)
    assert (record.minutes, record.activities, record.points, record.stars) == (240, 2, 40, 0)


def test_stars_follow_the_national_hour_thresholds() -> None:
    assert [selectors.stars_for(h * 60) for h in (99, 100, 300, 599, 600, 1000, 1500, 5000)] == [
        0,
        1,
        2,
        2,
        3,
        4,
        5,
        5,
    ]
