"""The appeals API: report, the loop with versions, refusals as {code, message} with 4xx, scoping,
unknown fields refused, and the public board without login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import Tree, token_client
from shequ.appeals import services
from shequ.appeals.models import Appeal, Channel, Stage
from shequ.appeals.tests.conftest import People

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, data: dict) -> Any:
    return client.post(url, data, content_type="application/json")


def test_a_resident_reports_and_follows_their_appeal(people: People, tree: Tree) -> None:
    client = token_client(people.resident)
    r = post(
        client,
        "/api/appeals",
        {"area_id": tree.building.pk, "category": "environment", "description": "垃圾桶满了"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["stage"] == "reported"
    assert body["level"] == "estate"
    assert [s["action"] for s in body["steps"]] == ["report"]
    assert body["actions"] == []  # a resident does not triage their own report
    mine = client.get("/api/appeals/mine").json()["items"]
    assert [a["id"] for a in mine] == [body["id"]]
    assert client.get("/api/appeals").json()["items"] == []  # no queue for residents


def test_unknown_fields_are_refused(people: People, tree: Tree) -> None:
    client = token_client(people.resident)
    r = post(
        client,
        "/api/appeals",
        {"area_id": tree.building.pk, "category": "environment", "description": "x", "stage": "closed"},
    )
    assert r.status_code == 422
    assert not Appeal.objects.exists()


def test_the_loop_through_the_api_with_versions(people: People, tree: Tree, report: Any) -> None:
    appeal = report()
    gw = token_client(people.grid_worker)
    body = post(gw, f"/api/appeals/{appeal.pk}/accept", {"version": appeal.version}).json()
    assert body["stage"] == "accepted"
    assert "dispatch" in body["actions"]
    body = post(
        gw,
        f"/api/appeals/{appeal.pk}/dispatch",
        {"version": body["version"], "user_id": people.grid_worker.pk},
    ).json()
    body = post(gw, f"/api/appeals/{appeal.pk}/start", {"version": body["version"]}).json()
    body = post(
        gw, f"/api/appeals/{appeal.pk}/handle", {"version": body["version"], "result": "已清理"}
    ).json()
    resident = token_client(people.resident)
    body = post(resident, f"/api/appeals/{appeal.pk}/verify", {"version": body["version"]}).json()
    body = post(gw, f"/api/appeals/{appeal.pk}/close", {"version": body["version"]}).json()
    r = post(resident, f"/api/appeals/{appeal.pk}/evaluate", {"version": body["version"], "score": 5})
    assert r.status_code == 200
    assert r.json()["stage"] == "evaluated"
    assert r.json()["evaluation"]["score"] == 5


def test_a_stale_version_is_a_409_and_an_illegal_step_a_400(people: People, report: Any) -> None:
    appeal = report()
    gw = token_client(people.grid_worker)
    assert post(gw, f"/api/appeals/{appeal.pk}/accept", {"version": appeal.version}).status_code == 200
    r = post(gw, f"/api/appeals/{appeal.pk}/reject", {"version": appeal.version, "reason": "重复"})
    assert r.status_code == 409
    assert r.json()["code"] == "conflict"
    r = post(gw, f"/api/appeals/{appeal.pk}/close", {"version": appeal.version + 1})
    assert r.status_code == 400
    assert r.json()["code"] == "illegal_transition"
    assert Appeal.objects.get(pk=appeal.pk).stage == Stage.ACCEPTED


def test_outside_the_area_an_appeal_does_not_exist(people: People, report: Any) -> None:
    appeal = report()
    far = token_client(people.far_street_official)
    assert far.get(f"/api/appeals/{appeal.pk}").status_code == 404
    assert post(far, f"/api/appeals/{appeal.pk}/accept", {"version": appeal.version}).status_code == 404
    neighbour = token_client(people.neighbour)
    assert neighbour.get(f"/api/appeals/{appeal.pk}").status_code == 404


def test_the_queue_filters(people: People, report: Any) -> None:
    report()
    report(code="parking", description="车位被占")
    staff = token_client(people.community_staff)
    items = staff.get("/api/appeals", {"category": "parking"}).json()["items"]
    assert [i["category"] for i in items] == ["parking"]
    assert staff.get("/api/appeals", {"level": "nowhere"}).status_code == 422


def test_similar_appeals_are_suggested_anonymised(people: People, tree: Tree, report: Any) -> None:
    report(
        title="王先生家门口302室路灯坏了", code="roads_facilities", description="王先生家门口302室的路灯坏了"
    )
    client = token_client(people.neighbour)
    r = client.get(
        "/api/appeals/similar",
        {"area_id": tree.building.pk, "category": "roads_facilities", "text": "门口的路灯坏了"},
    )
    assert r.status_code == 200
    [item] = r.json()
    assert "王先生" not in item["title"]
    assert "302" not in item["title"]


def test_the_public_board_needs_no_login_and_shows_no_names(people: People, tree: Tree, report: Any) -> None:
    appeal = report(
        by=people.community_staff,
        channel=Channel.HOTLINE,
        contact_name="王先生",
        description="王先生反映3-302门口积水",
    )
    Appeal.objects.filter(pk=appeal.pk).update(stage=Stage.CLOSED, result="已疏通下水道")
    services.appeal_publish(
        appeal=Appeal.objects.get(pk=appeal.pk), by=people.community_staff, version=appeal.version
    )
    r = Client().get(f"/api/public/communities/{tree.community.code}/appeals")
    assert r.status_code == 200
    [item] = r.json()["items"]
    assert item["place"] == tree.grid.name
    assert "王先生" not in item["summary"]
    assert "3-302" not in item["summary"]
    assert "积水" in item["summary"]
    assert item["result"] == "已疏通下水道"
    assert set(item) == {
        "id",
        "category",
        "place",
        "summary",
        "result",
        "reported_at",
        "closed_at",
        "published_at",
        "score",
    }
    assert Client().get("/api/public/communities/999999999999/appeals").status_code == 404
