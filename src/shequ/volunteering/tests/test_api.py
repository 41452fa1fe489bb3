"""The volunteering API: the same rules as the pages, answered as {code, message} with the status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from conftest import Tree, token_client
from shequ.volunteering import services
from shequ.volunteering.tests.conftest import END, NOW, START, People

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_an_organiser_creates_and_publishes_an_activity_with_shifts(
    clock: Any, tree: Tree, people: People, venue: Any
) -> None:
    client = token_client(people.worker)
    body = {
        "area_id": tree.community.pk,
        "title": "长者义剪",
        "kind": "volunteer_service",
        "starts_at": START.isoformat(),
        "ends_at": END.isoformat(),
        "capacity": 10,
        "venue_id": venue.pk,
        "shifts": [
            {
                "name": "上午班",
                "starts_at": START.isoformat(),
                "ends_at": (START + timedelta(hours=1)).isoformat(),
                "capacity": 4,
            },
        ],
    }
    r = client.post("/api/activities", body, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "draft"
    assert data["capacity"] == 4
    assert data["venue_name"] == "党群服务中心活动室"
    assert data["can_manage"] is True
    assert data["shifts"][0]["name"] == "上午班"
    r = client.post("/api/activities", body, content_type="application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "venue_booked"
    r = client.post(f"/api/activities/{data['id']}/publish", {"version": 1}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "published"
    r = client.post("/api/activities", body | {"organiser": 1}, content_type="application/json")
    assert r.status_code == 422  # unknown fields are refused


def test_a_volunteer_signs_up_scans_and_reads_their_record_through_the_api(
    clock: Any, make_activity: Any, people: People, volunteer_factory: Any
) -> None:
    activity = make_activity(capacity=1)
    v, w = volunteer_factory(), volunteer_factory()
    r = token_client(v.user).post(
        f"/api/activities/{activity.pk}/signups", {}, content_type="application/json"
    )
    assert r.status_code == 201
    assert r.json()["status"] == "confirmed"
    r = token_client(w.user).post(
        f"/api/activities/{activity.pk}/signups", {}, content_type="application/json"
    )
    assert r.json()["status"] == "waitlisted"
    detail = token_client(w.user).get(f"/api/activities/{activity.pk}").json()
    assert detail["my_signup"]["waitlist_position"] == 1
    assert detail["confirmed"] == 1
    clock.move_to(START)
    token = services.qr_token(activity)
    r = token_client(w.user).post("/api/check-in", {"token": token}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "waitlisted"
    r = token_client(v.user).post("/api/check-in", {"token": token}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["action"] == "checked_in"
    clock.move_to(END)
    token = services.qr_token(activity)
    r = token_client(v.user).post("/api/check-in", {"token": token}, content_type="application/json")
    assert r.json() | {"checked_in_at": None, "checked_out_at": None} == {
        "action": "checked_out",
        "activity_id": activity.pk,
        "checked_in_at": None,
        "checked_out_at": None,
        "minutes": 180,
    }
    signups = token_client(people.worker).get(f"/api/activities/{activity.pk}/signups").json()["items"]
    hours_id = next(s["hours"]["id"] for s in signups if s["hours"])
    r = token_client(people.worker).post(f"/api/service-hours/{hours_id}/confirm")
    assert r.status_code == 200
    assert r.json()["status"] == "confirmed"
    r = token_client(people.worker).post(
        f"/api/service-hours/{hours_id}/correct",
        {"version": r.json()["version"], "minutes": 90, "reason": "中途离开"},
        content_type="application/json",
    )
    assert r.json()["minutes"] == 90
    assert r.json()["corrections"][0]["reason"] == "中途离开"
    me = token_client(v.user).get("/api/volunteers/me").json()
    assert (me["minutes"], me["points"]) == (90, 15)
    assert token_client(v.user).get(f"/api/activities/{activity.pk}/signups").status_code == 403
    assert token_client(people.other_worker).post(f"/api/service-hours/{hours_id}/confirm").status_code == 404


def test_registering_through_the_api_checks_the_phone_and_the_account(
    clock: Any, tree: Tree, people: People
) -> None:
    client = token_client(people.worker)
    r = client.post(
        "/api/volunteers",
        {"area_id": tree.community.pk, "name": "外来", "phone": "1"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "phone_format"
    r = client.post(
        "/api/volunteers",
        {"area_id": tree.community.pk, "name": "外来", "phone": "13800138000", "username": "nobody"},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = client.post(
        "/api/volunteers",
        {"area_id": tree.community.pk, "name": "外来", "phone": "13800138000"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json()["verified"] is False
    volunteer_id = r.json()["id"]
    assert client.post(f"/api/volunteers/{volunteer_id}/verify").json()["verified"] is True
    r = client.post(
        f"/api/volunteers/{volunteer_id}/redemptions",
        {"item": "大米", "points": 5},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "points_short"
    assert token_client(people.other_worker).get(f"/api/volunteers/{volunteer_id}").status_code == 404
