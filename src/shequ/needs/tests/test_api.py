"""The needs API: the same rules as the pages, with {code, message} refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import Tree, token_client
from shequ.needs import services
from shequ.needs.models import Need, Survey
from shequ.needs.tests.conftest import People
from shequ.registry.models import Resident

pytestmark = pytest.mark.django_db


def test_a_visit_with_needs_is_logged_and_listed(people: People, elder: Resident, today: date) -> None:
    client = token_client(people.grid_worker)
    r = client.post(
        "/api/visits",
        {
            "resident_id": elder.pk,
            "purpose": "care",
            "needs": [{"category": "elderly_care", "description": "送餐"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["household_id"] == elder.household_id
    assert body["subject"] == "黄婆婆"
    assert [n["category"] for n in body["needs"]] == ["elderly_care"]
    listed = client.get("/api/visits", {"from": today.isoformat(), "purpose": "care"}).json()
    assert [v["id"] for v in listed["items"]] == [body["id"]]
    assert client.get("/api/visits", {"to": (today - timedelta(days=1)).isoformat()}).json()["count"] == 0


def test_unknown_fields_and_a_place_typed_in_are_refused(people: People, elder: Resident, tree: Tree) -> None:
    r = token_client(people.grid_worker).post(
        "/api/visits",
        {"resident_id": elder.pk, "area_id": tree.far_building.pk},
        content_type="application/json",
    )
    assert r.status_code == 422


def test_needs_are_raised_and_closed_with_a_version(people: People, elder: Resident) -> None:
    client = token_client(people.staff)
    r = client.post(
        "/api/needs",
        {"resident_id": elder.pk, "category": "legal", "description": "遗嘱咨询", "source": "walk_in"},
        content_type="application/json",
    )
    assert r.status_code == 201
    need_id = r.json()["id"]
    closed = client.post(
        f"/api/needs/{need_id}/close",
        {"version": 1, "status": "met", "outcome": "已转介法律援助"},
        content_type="application/json",
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "met"
    stale = client.post(
        f"/api/needs/{need_id}/close",
        {"version": 1, "status": "withdrawn", "outcome": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert client.get("/api/needs", {"status": "met"}).json()["count"] == 1


def test_another_community_gets_404_for_needs_here(people: People, elder: Resident) -> None:
    need = services.need_raise(
        by=people.staff, resident=elder, category="health", description="x", source="walk_in"
    )
    client = token_client(people.other_staff)
    assert client.get(f"/api/needs/{need.pk}").status_code == 404
    r = client.post(
        f"/api/needs/{need.pk}/close",
        {"version": 1, "status": "met", "outcome": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert client.get("/api/needs").json()["count"] == 0
    assert Need.objects.get().status == "open"


def test_a_bad_area_filter_is_404(people: People, tree: Tree) -> None:
    assert token_client(people.staff).get("/api/needs", {"area": tree.far_community.pk}).status_code == 404


def test_a_resident_answers_once_through_the_api(people: People, survey: Survey, home: Resident) -> None:
    client = token_client(people.resident)
    listed = client.get("/api/surveys").json()
    assert [s["id"] for s in listed["items"]] == [survey.pk]
    assert listed["items"][0]["share_satisfied"] is None
    r = client.post(f"/api/surveys/{survey.pk}/responses", {"score": 5}, content_type="application/json")
    assert r.status_code == 201
    assert r.json()["on_paper"] is False
    again = client.post(f"/api/surveys/{survey.pk}/responses", {"score": 2}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_answered"
    staff = token_client(people.staff).get(f"/api/surveys/{survey.pk}").json()
    assert (staff["responses"], staff["satisfied"], staff["share_satisfied"]) == (1, 1, 1.0)


def test_staff_type_in_paper_answers_and_list_them(
    people: People, survey: Survey, home: Resident, today: date
) -> None:
    client = token_client(people.grid_worker)
    r = client.post(
        f"/api/surveys/{survey.pk}/responses",
        {"resident_id": home.pk, "score": 2, "comment": "电梯常坏"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json()["on_paper"] is True
    rows = client.get("/api/survey-responses", {"survey": survey.pk, "satisfied": False}).json()
    assert rows["count"] == 1
    assert rows["items"][0]["comment"] == "电梯常坏"
    assert token_client(people.other_staff).get("/api/survey-responses").json()["count"] == 0


def test_surveys_are_created_through_the_api_by_the_right_role(
    people: People, tree: Tree, today: date
) -> None:
    body = {
        "area_id": tree.community.pk,
        "title": "单位满意度",
        "respondents": "units",
        "opens_on": today.isoformat(),
        "closes_on": today.isoformat(),
    }
    assert (
        token_client(people.worker).post("/api/surveys", body, content_type="application/json").status_code
        == 201
    )
    mine = {**body, "area_id": tree.grid.pk}  # their own grid: seen, but surveys are not theirs to make
    r = token_client(people.grid_worker).post("/api/surveys", mine, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
