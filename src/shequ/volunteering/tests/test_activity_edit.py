"""Editing an activity after creating it: the rules of creation still hold (venue never double-booked,
places never below the confirmed sign-ups), a raised capacity gives places to the waiting list, a
stale edit is refused, and every change is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from conftest import login_client, token_client
from shequ.core.errors import Conflict, DomainError
from shequ.core.models import AuditEntry
from shequ.volunteering import services
from shequ.volunteering.models import SignUp
from shequ.volunteering.tests.conftest import END, NOW, START, People, fresh

pytestmark = pytest.mark.django_db


def test_the_organiser_changes_title_time_and_places_and_the_change_is_audited(
    make_activity: Any, people: People
) -> None:
    activity = make_activity()
    updated = services.activity_update(
        by=people.worker,
        activity=activity,
        version=activity.version,
        title="长者探访（改期）",
        starts_at=START + timedelta(days=1),
        ends_at=END + timedelta(days=1),
        capacity=10,
        now=NOW,
    )
    assert (updated.title, updated.capacity, updated.version) == (
        "长者探访（改期）",
        10,
        activity.version + 1,
    )
    assert fresh(activity).starts_at == START + timedelta(days=1)
    entry = AuditEntry.objects.filter(object_id=str(activity.pk), action="update").latest("id")
    assert "title" in entry.changes
    assert "capacity" in entry.changes


def test_a_stale_edit_is_refused_with_a_conflict(make_activity: Any, people: People) -> None:
    activity = make_activity()
    services.activity_update(
        by=people.worker, activity=activity, version=activity.version, title="新", now=NOW
    )
    with pytest.raises(Conflict):
        services.activity_update(
            by=people.worker, activity=activity, version=activity.version, title="旧的表单", now=NOW
        )
    assert fresh(activity).title == "新"


def test_places_cannot_fall_below_the_confirmed_sign_ups(
    make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity(capacity=3)
    for _ in range(2):
        services.signup_create(by=volunteer_factory().user, activity=activity, now=NOW)
    with pytest.raises(DomainError) as refused:
        services.activity_update(
            by=people.worker, activity=activity, version=activity.version, capacity=1, now=NOW
        )
    assert refused.value.code == "capacity_below_confirmed"
    assert "2" in str(refused.value.message)
    assert fresh(activity).capacity == 3
    services.activity_update(
        by=people.worker, activity=activity, version=activity.version, capacity=2, now=NOW
    )
    assert fresh(activity).capacity == 2


def test_raising_the_places_gives_them_to_the_waiting_list_in_order(
    make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity(capacity=1)
    first, second, third = (volunteer_factory() for _ in range(3))
    for i, v in enumerate((first, second, third)):
        services.signup_create(by=v.user, activity=activity, now=NOW + timedelta(minutes=i))
    services.activity_update(
        by=people.worker, activity=activity, version=activity.version, capacity=2, now=NOW
    )
    status = dict(SignUp.objects.values_list("volunteer_id", "status"))
    assert status == {first.pk: "confirmed", second.pk: "confirmed", third.pk: "waitlisted"}


def test_moving_an_activity_onto_a_booked_venue_is_refused(
    make_activity: Any, people: People, venue: Any
) -> None:
    make_activity(venue=venue, title="上午场")
    later = make_activity(
        venue=venue, title="下午场", starts_at=END + timedelta(hours=1), ends_at=END + timedelta(hours=3)
    )
    with pytest.raises(Conflict) as refused:
        services.activity_update(
            by=people.worker,
            activity=later,
            version=later.version,
            starts_at=START + timedelta(hours=1),
            ends_at=END,
            now=NOW,
        )
    assert refused.value.code == "venue_booked"
    assert "上午场" in str(refused.value.message)
    # Its own booking does not clash with itself: moving within its own time is fine.
    services.activity_update(
        by=people.worker, activity=later, version=later.version, ends_at=END + timedelta(hours=4), now=NOW
    )


def test_an_activity_cannot_be_moved_into_the_past_or_edited_once_finished_or_cancelled(
    make_activity: Any, people: People
) -> None:
    activity = make_activity()
    with pytest.raises(DomainError) as refused:
        services.activity_update(
            by=people.worker,
            activity=activity,
            version=activity.version,
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(hours=1),
            now=NOW,
        )
    assert refused.value.code == "starts_past"
    cancelled = services.activity_cancel(
        by=people.worker, activity=activity, version=activity.version, reason="下雨", now=NOW
    )
    with pytest.raises(DomainError) as refused:
        services.activity_update(
            by=people.worker, activity=cancelled, version=cancelled.version, title="x", now=NOW
        )
    assert refused.value.code == "not_open"


def test_only_those_who_manage_the_area_may_edit(
    make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity()
    with pytest.raises(DomainError) as refused:
        services.activity_update(
            by=volunteer_factory().user, activity=activity, version=activity.version, title="x"
        )
    assert refused.value.status == 403
    with pytest.raises(DomainError) as refused:
        services.activity_update(
            by=people.other_worker, activity=activity, version=activity.version, title="x"
        )
    assert refused.value.status in (403, 404)
    assert fresh(activity).title == "长者探访"


def test_the_edit_page_saves_and_a_refused_change_keeps_what_was_typed(
    make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        activity = make_activity(capacity=3)
        services.signup_create(by=volunteer_factory().user, activity=activity, now=NOW)
        worker = login_client(people.worker)
        page = worker.get(f"/activities/{activity.pk}/edit/")
        assert page.status_code == 200
        assert 'value="长者探访"' in page.content.decode()
        form = {
            "version": activity.version,
            "title": "长者探访·二",
            "kind": "volunteer_service",
            "starts_at": "2026-12-06T09:00",
            "ends_at": "2026-12-06T12:00",
            "place": "",
            "capacity": 0,
            "eligibility": "verified",
            "cancel_deadline": "2026-12-06T07:00",
            "description": "",
        }
        r = worker.post(f"/activities/{activity.pk}/edit/", form)
        assert r.status_code == 400
        assert "长者探访·二" in r.content.decode()
        r = worker.post(f"/activities/{activity.pk}/edit/", {**form, "capacity": 5})
        assert r.status_code == 302
        assert fresh(activity).title == "长者探访·二"
        stale = worker.post(f"/activities/{activity.pk}/edit/", {**form, "capacity": 6})
        assert stale.status_code == 409
        assert fresh(activity).capacity == 5
        assert login_client(people.other_worker).get(f"/activities/{activity.pk}/edit/").status_code == 404
        assert (
            login_client(volunteer_factory().user).get(f"/activities/{activity.pk}/edit/").status_code == 403
        )


def test_the_api_patches_only_what_was_sent(make_activity: Any, people: People) -> None:
    with time_machine.travel(NOW, tick=False):
        activity = make_activity()
        api = token_client(people.worker)
        r = api.patch(
            f"/api/activities/{activity.pk}",
            {"version": activity.version, "capacity": 8},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["capacity"] == 8
        assert r.json()["title"] == "长者探访"
        stale = api.patch(
            f"/api/activities/{activity.pk}",
            {"version": activity.version, "title": "x"},
            content_type="application/json",
        )
        assert stale.status_code == 409
        unknown = api.patch(
            f"/api/activities/{activity.pk}", {"version": 2, "area_id": 1}, content_type="application/json"
        )
        assert unknown.status_code == 422
        far = token_client(people.other_worker).patch(
            f"/api/activities/{activity.pk}", {"version": 2, "title": "x"}, content_type="application/json"
        )
        assert far.status_code == 404
