"""Concurrent sign-ups and venue bookings on PostgreSQL: real threads, each with its own connection,
released together. No activity takes more confirmed places than it has; no venue is booked twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections

from conftest import Tree
from shequ.core.errors import Conflict
from shequ.volunteering import services
from shequ.volunteering.models import Activity, SignUp, SignUpStatus
from shequ.volunteering.tests.conftest import NOW, START, People

pytestmark = pytest.mark.django_db(transaction=True)


def _together(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # collected for the assertions
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; concurrent sign-ups are a PostgreSQL matter")


def test_concurrent_sign_ups_never_take_more_places_than_there_are(
    make_activity: Any, volunteer_factory: Any
) -> None:
    _postgresql_only()
    activity = make_activity(capacity=5)
    volunteers = [volunteer_factory() for _ in range(16)]

    def sign_up(v: Any) -> Callable[[], SignUp]:
        return lambda: services.signup_create(by=v.user, activity=activity, now=NOW)

    results, errors = _together([sign_up(v) for v in volunteers])
    assert not errors, errors
    statuses = [s.status for s in results]
    assert statuses.count(SignUpStatus.CONFIRMED) == 5
    assert statuses.count(SignUpStatus.WAITLISTED) == 11
    assert SignUp.objects.filter(activity=activity, status=SignUpStatus.CONFIRMED).count() == 5


def test_concurrent_cancellations_promote_each_waiting_person_once(
    make_activity: Any, volunteer_factory: Any
) -> None:
    _postgresql_only()
    activity = make_activity(capacity=3)
    volunteers = [volunteer_factory() for _ in range(6)]
    signups = [
        services.signup_create(by=v.user, activity=activity, now=NOW + timedelta(seconds=i))
        for i, v in enumerate(volunteers)
    ]
    confirmed = signups[:3]

    def cancel(s: SignUp) -> Callable[[], SignUp]:
        return lambda: services.signup_cancel(by=s.volunteer.user, signup=s, now=NOW + timedelta(minutes=5))

    _results, errors = _together([cancel(s) for s in confirmed])
    assert not errors, errors
    assert SignUp.objects.filter(activity=activity, status=SignUpStatus.CONFIRMED).count() == 3
    assert set(SignUp.objects.filter(activity=activity, status="confirmed")) == set(signups[3:])


def test_concurrent_bookings_of_one_venue_let_exactly_one_through(
    tree: Tree, people: People, venue: Any
) -> None:
    _postgresql_only()

    def book(n: int) -> Callable[[], Activity]:
        return lambda: services.activity_create(
            by=people.worker,
            area=tree.community,
            title=f"活动{n}",
            kind="community_activity",
            organiser_kind="social_worker",
            starts_at=START + timedelta(minutes=n),
            ends_at=START + timedelta(hours=2),
            capacity=10,
            venue=venue,
            now=NOW,
        )

    results, errors = _together([book(n) for n in range(6)])
    assert len(results) == 1
    assert len(errors) == 5
    assert all(isinstance(e, Conflict) for e in errors)
    assert all(e.code == "venue_booked" for e in errors)  # type: ignore[attr-defined]
    assert Activity.objects.filter(venue=venue).count() == 1
