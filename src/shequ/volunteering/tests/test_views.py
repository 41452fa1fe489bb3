"""The pages, phone first: the activity list and sign-up, the QR page and the scan landing page, the
organiser's attendance list with hours, corrections, the volunteer's record, and the staff pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import Tree, login_client
from shequ.volunteering import services
from shequ.volunteering.models import Activity, HoursCorrection, SignUp, Team, Volunteer
from shequ.volunteering.tests.conftest import END, NOW, START, People, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _scan_path(client: Client, activity: Activity) -> str:
    page = client.get(f"/activities/{activity.pk}/qr/").content.decode()
    m = re.search(r'data-testid="qr-url">http://testserver(/check-in/[^/]+/)<', page)
    assert m, page[:500]
    return m.group(1)


def test_a_volunteer_signs_up_from_the_list_and_sees_their_place(
    clock: Any, make_activity: Any, volunteer_factory: Any
) -> None:
    activity = make_activity(capacity=1)
    first, second = volunteer_factory(), volunteer_factory()
    client = login_client(first.user)
    page = client.get("/activities/")
    assert page.status_code == 200
    assert f'href="/activities/{activity.pk}/"' in page.content.decode()
    r = client.post(f"/activities/{activity.pk}/sign-up/", follow=True)
    assert r.status_code == 200
    assert 'data-testid="signup-status"' in r.content.decode()
    assert SignUp.objects.get(volunteer=first).status == "confirmed"
    r = login_client(second.user).post(f"/activities/{activity.pk}/sign-up/", follow=True)
    assert SignUp.objects.get(volunteer=second).status == "waitlisted"
    assert "1" in re.search(r'data-testid="signup-status">([^<]+)<', r.content.decode()).group(1)


def test_a_refused_sign_up_is_shown_as_a_message_not_an_error_page(
    clock: Any, make_activity: Any, volunteer_factory: Any
) -> None:
    activity = make_activity()
    unverified = volunteer_factory(verified=False)
    r = login_client(unverified.user).post(f"/activities/{activity.pk}/sign-up/", follow=True)
    assert r.status_code == 200
    assert "flash-error" in r.content.decode()
    assert not SignUp.objects.exists()


def test_the_qr_page_shows_an_svg_code_only_to_the_organiser(
    clock: Any, make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity()
    r = login_client(people.worker).get(f"/activities/{activity.pk}/qr/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "<svg" in body
    assert "<path" in body
    assert 'http-equiv="refresh"' in body
    assert login_client(volunteer_factory().user).get(f"/activities/{activity.pk}/qr/").status_code == 403
    assert login_client(people.other_worker).get(f"/activities/{activity.pk}/qr/").status_code == 404


def test_scanning_opens_a_page_where_one_tap_checks_in_and_a_later_tap_checks_out(
    clock: Any, make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity()
    v = volunteer_factory()
    phone = login_client(v.user)
    phone.post(f"/activities/{activity.pk}/sign-up/")
    clock.move_to(START - timedelta(minutes=5))  # a day later: sign in again (idle timeout)
    phone = login_client(v.user)
    path = _scan_path(login_client(people.worker), activity)
    landing = phone.get(path)
    assert landing.status_code == 200
    assert 'data-testid="check-in"' in landing.content.decode()
    assert not SignUp.objects.filter(attendance__isnull=False).exists()  # looking is not checking in
    r = phone.post(path)
    assert r.status_code == 200
    assert 'class="scan-result ok"' in r.content.decode()
    assert fresh(SignUp.objects.get(volunteer=v)).attendance.checked_in_via == "qr"
    r = phone.post(path)  # a second tap straight away
    assert r.status_code == 409
    assert 'class="scan-result refused"' in r.content.decode()
    assert "无需重复扫码" in r.content.decode()
    clock.move_to(END + timedelta(minutes=10))
    phone = login_client(v.user)
    path = _scan_path(login_client(people.worker), activity)
    r = phone.post(path)
    assert r.status_code == 200
    assert SignUp.objects.get(volunteer=v).hours.minutes == 180  # 08:55–12:10 counts 09:00–12:00


def test_a_scan_by_someone_not_signed_up_gets_a_clear_refusal(
    clock: Any, make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity()
    clock.move_to(START)
    path = _scan_path(login_client(people.worker), activity)
    r = login_client(volunteer_factory().user).post(path)
    assert r.status_code == 400
    assert f"你没有报名“{activity.title}”，无法签到。" in r.content.decode()
    assert login_client(volunteer_factory().user).get("/check-in/forged-token/").status_code == 400


def test_the_organiser_checks_in_confirms_and_corrects_hours_from_the_list(
    clock: Any, make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity()
    v = volunteer_factory()
    signup = services.signup_create(by=v.user, activity=activity, now=NOW)
    clock.move_to(START + timedelta(minutes=10))
    organiser = login_client(people.worker)
    assert organiser.post(f"/sign-ups/{signup.pk}/check-in/").status_code == 302
    clock.move_to(START + timedelta(hours=2, minutes=10))
    organiser = login_client(people.worker)
    assert organiser.post(f"/sign-ups/{signup.pk}/check-out/").status_code == 302
    hours = fresh(signup).hours
    assert hours.minutes == 120
    page = organiser.get(f"/activities/{activity.pk}/attendance/").content.decode()
    assert f'data-testid="minutes-{signup.pk}">120<' in page
    assert 'data-testid="confirm-all"' in page
    assert organiser.post(f"/activities/{activity.pk}/hours/confirm/").status_code == 302
    assert fresh(hours).status == "confirmed"
    r = organiser.post(
        f"/service-hours/{hours.pk}/correct/", {"version": fresh(hours).version, "minutes": 150, "reason": ""}
    )
    assert r.status_code == 400  # a reason is required
    r = organiser.post(
        f"/service-hours/{hours.pk}/correct/",
        {"version": fresh(hours).version, "minutes": 150, "reason": "签到晚了半小时"},
    )
    assert r.status_code == 302
    assert HoursCorrection.objects.get(hours=hours).reason == "签到晚了半小时"
    assert fresh(hours).minutes == 150
    # Another community's worker and the volunteer may not touch the list.
    assert login_client(people.other_worker).get(f"/activities/{activity.pk}/attendance/").status_code == 404
    assert login_client(v.user).get(f"/activities/{activity.pk}/attendance/").status_code == 403
    assert login_client(v.user).post(f"/service-hours/{hours.pk}/confirm/").status_code == 404


def test_a_volunteer_reads_their_record_and_staff_read_it_too(
    clock: Any, make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    v = volunteer_factory("黄志明")
    r = login_client(v.user).get("/volunteering/me/")
    assert r.status_code == 200
    assert "黄志明" in r.content.decode()
    assert login_client(people.worker).get(f"/volunteers/{v.pk}/").status_code == 200
    assert login_client(people.other_worker).get(f"/volunteers/{v.pk}/").status_code == 404
    other = volunteer_factory()
    assert login_client(other.user).get(f"/volunteers/{v.pk}/").status_code == 404
    assert login_client(people.worker).get("/volunteering/me/").status_code == 404


def test_staff_register_an_outsider_and_a_resident_and_verify_them(
    clock: Any, tree: Tree, people: People, resident_factory: Any
) -> None:
    client = login_client(people.worker)
    r = client.post("/volunteers/new/", {"area": tree.community.pk, "name": "陈外来", "phone": "123"})
    assert r.status_code == 400
    assert "field-error" in r.content.decode()
    r = client.post("/volunteers/new/", {"area": tree.community.pk, "name": "陈外来", "phone": "13800138000"})
    assert r.status_code == 302
    person = resident_factory(tree.building, name="李居民")
    r = client.post(
        f"/volunteers/new/?resident={person.pk}", {"area": tree.community.pk, "skills": "急救，理发"}
    )
    assert r.status_code == 302
    volunteer = Volunteer.objects.get(resident=person)
    assert volunteer.skills == ["急救", "理发"]
    assert client.post(f"/volunteers/{volunteer.pk}/", {"verify": "1"}).status_code == 302
    assert fresh(volunteer).is_verified


def test_an_organiser_creates_publishes_and_cancels_an_activity_from_the_pages(
    clock: Any, tree: Tree, people: People, venue: Any
) -> None:
    client = login_client(people.worker)
    form = client.get("/activities/new/")
    assert form.status_code == 200
    assert "党群服务中心活动室" in form.content.decode()
    data = {
        "area": tree.community.pk,
        "title": "垃圾分类宣传",
        "kind": "volunteer_service",
        "organiser_kind": "social_worker",
        "starts_at": "2026-12-06T09:00",
        "ends_at": "2026-12-06T11:00",
        "venue": venue.pk,
        "capacity": 20,
        "eligibility": "verified",
        "target_groups": ["all"],
    }
    r = client.post("/activities/new/", data)
    assert r.status_code == 302
    activity = Activity.objects.get(title="垃圾分类宣传")
    assert activity.status == "draft"
    assert activity.venue == venue
    r = client.post("/activities/new/", data | {"title": "撞场活动"})
    assert r.status_code == 400
    assert "field-error" in r.content.decode()  # the venue is booked
    client.post(f"/activities/{activity.pk}/publish/", {"version": activity.version})
    assert fresh(activity).status == "published"
    r = client.post(f"/activities/{activity.pk}/cancel/", {"version": fresh(activity).version, "reason": ""})
    assert r.status_code == 400
    client.post(f"/activities/{activity.pk}/cancel/", {"version": fresh(activity).version, "reason": "台风"})
    assert fresh(activity).status == "cancelled"


def test_teams_and_rankings_pages(clock: Any, tree: Tree, people: People) -> None:
    client = login_client(people.worker)
    r = client.post(
        "/volunteer-teams/", {"area": tree.community.pk, "name": "护河队", "kind": "other", "level": "street"}
    )
    assert r.status_code == 400  # a street team cannot sit in a community
    r = client.post(
        "/volunteer-teams/",
        {"area": tree.community.pk, "name": "护河队", "kind": "other", "level": "community"},
    )
    assert r.status_code == 302
    assert Team.objects.filter(name="护河队").exists()
    assert "护河队" in client.get("/volunteer-teams/").content.decode()
    assert client.get("/volunteer-ranking/", {"start": "2026-01-01", "end": "2026-12-31"}).status_code == 200


def test_finishing_from_the_page_records_who_benefited(
    clock: Any, tree: Tree, make_activity: Any, people: People, volunteer_factory: Any, resident_factory: Any
) -> None:
    activity = make_activity()
    v = volunteer_factory()
    signup = services.signup_create(by=v.user, activity=activity, now=NOW)
    elder = resident_factory(tree.building, name="李婆婆")
    clock.move_to(START)
    services.attendance_check_in(by=people.worker, signup=signup)
    clock.move_to(END + timedelta(minutes=5))
    client = login_client(people.worker)
    page = client.get(f"/activities/{activity.pk}/finish/").content.decode()
    assert elder.household.address in page
    r = client.post(
        f"/activities/{activity.pk}/finish/",
        {"version": fresh(activity).version, "households": [elder.household_id]},
    )
    assert r.status_code == 302
    detail = client.get(f"/activities/{activity.pk}/").content.decode()
    assert 'data-testid="counts"' in detail
