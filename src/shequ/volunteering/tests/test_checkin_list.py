"""Check-in by list that cannot misfire (issue 16): one tap swaps the row (htmx, no reload), 签退 sits
elsewhere and asks first, "check in all signed-up", search by pinyin initials, and a person checked in
at an overlapping activity is refused — by the list, the QR scan and the API alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from conftest import login_client, token_client
from shequ.core.errors import DomainError
from shequ.volunteering import services
from shequ.volunteering.models import Attendance
from shequ.volunteering.tests.conftest import END, NOW, START, People

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(START + timedelta(minutes=5), tick=False) as traveller:
        yield traveller


@pytest.fixture
def two_at_once(make_activity: Any, volunteer_factory: Any) -> Any:
    """One volunteer signed up for two activities at overlapping times, checked in at the first."""
    first = make_activity(title="长者探访")
    second = make_activity(
        title="垃圾分类督导", starts_at=START + timedelta(minutes=20), ends_at=END + timedelta(hours=1)
    )
    v = volunteer_factory("李志愿")
    here = services.signup_create(by=v.user, activity=first, now=NOW)
    there = services.signup_create(by=v.user, activity=second, now=NOW)
    return here, there


def test_a_tap_on_the_list_swaps_only_the_row(clock: Any, people: People, two_at_once: Any) -> None:
    here, _there = two_at_once
    r = login_client(people.worker).post(f"/sign-ups/{here.pk}/check-in/", **HTMX)
    body = r.content.decode()
    assert r.status_code == 200
    assert body.lstrip().startswith("<tr")
    assert f'data-testid="checked-in-{here.pk}"' in body


def test_check_out_is_in_another_place_and_asks_first(clock: Any, people: People, two_at_once: Any) -> None:
    here, _there = two_at_once
    body = login_client(people.worker).post(f"/sign-ups/{here.pk}/check-in/", **HTMX).content.decode()
    assert f'data-testid="check-in-{here.pk}"' not in body
    assert "hx-confirm=" in body


def test_someone_checked_in_at_an_overlapping_activity_is_refused(
    clock: Any, people: People, two_at_once: Any
) -> None:
    here, there = two_at_once
    services.attendance_check_in(by=people.worker, signup=here)
    with pytest.raises(DomainError) as refused:
        services.attendance_check_in(by=people.worker, signup=there)
    assert refused.value.code == "checked_in_elsewhere"
    assert "长者探访" in str(refused.value.message)


def test_the_refusal_shows_in_the_row_on_the_page(clock: Any, people: People, two_at_once: Any) -> None:
    here, there = two_at_once
    services.attendance_check_in(by=people.worker, signup=here)
    r = login_client(people.worker).post(f"/sign-ups/{there.pk}/check-in/", **HTMX)
    assert r.status_code == 409
    assert f'data-testid="row-error-{there.pk}"' in r.content.decode()


def test_the_api_refuses_it_with_its_code(clock: Any, people: People, two_at_once: Any) -> None:
    here, there = two_at_once
    services.attendance_check_in(by=people.worker, signup=here)
    r = token_client(people.worker).post(
        f"/api/signups/{there.pk}/check-in", {}, content_type="application/json"
    )
    assert r.status_code == 409
    assert r.json()["code"] == "checked_in_elsewhere"


def test_once_checked_out_there_they_may_check_in_here(clock: Any, people: People, two_at_once: Any) -> None:
    here, there = two_at_once
    services.attendance_check_in(by=people.worker, signup=here)
    clock.shift(timedelta(minutes=60))
    services.attendance_check_out(by=people.worker, signup=here)
    assert services.attendance_check_in(by=people.worker, signup=there).signup_id == there.pk


def test_check_in_all_takes_everyone_signed_up_and_names_who_is_elsewhere(
    clock: Any, people: People, two_at_once: Any, volunteer_factory: Any
) -> None:
    here, there = two_at_once
    services.attendance_check_in(by=people.worker, signup=here)
    other = services.signup_create(by=volunteer_factory("王大明").user, activity=there.activity, now=NOW)
    result = services.attendance_check_in_all(by=people.worker, activity=there.activity)
    assert [s.pk for s in result.checked_in] == [other.pk]
    assert [s.pk for s, _why in result.refused] == [there.pk]


def test_check_in_all_on_the_api(clock: Any, people: People, two_at_once: Any) -> None:
    _here, there = two_at_once
    r = token_client(people.worker).post(f"/api/activities/{there.activity_id}/check-in-all")
    assert r.json() == {"checked_in": [there.pk], "refused": []}
    assert Attendance.objects.filter(signup=there).exists()


def test_the_list_finds_a_volunteer_by_pinyin_initials(clock: Any, people: People, two_at_once: Any) -> None:
    here, _there = two_at_once
    page = login_client(people.worker).get(f"/activities/{here.activity_id}/attendance/").content.decode()
    assert 'data-search="李志愿 lzy lizhiyuan"' in page


def test_the_qr_scan_refuses_it_too(clock: Any, people: People, two_at_once: Any) -> None:
    here, there = two_at_once
    services.attendance_check_in(by=people.worker, signup=here)
    token = services.qr_token(there.activity)
    with pytest.raises(DomainError) as refused:
        services.attendance_scan(by=there.volunteer.user, token=token)
    assert refused.value.code == "checked_in_elsewhere"
