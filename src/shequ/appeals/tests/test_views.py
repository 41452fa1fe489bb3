"""The appeals pages: report from a form (with a photo), the queue, a step from a button, a refused
step shown with its reason and what was typed, photos behind access checks, the public board."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client
from shequ.appeals import services
from shequ.appeals.models import Appeal, Channel, Photo, Stage
from shequ.appeals.tests.conftest import People
from shequ.appeals.tests.test_photos import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db


def test_a_resident_reports_with_a_photo_from_the_form(
    people: People, tree: Tree, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = login_client(people.resident)
    page = client.get("/appeals/new/")
    assert page.status_code == 200
    assert 'name="channel"' in page.content.decode()
    assert 'type="hidden" name="channel"' in page.content.decode()
    r = client.post(
        "/appeals/new/",
        {
            "area": tree.building.pk,
            "category": "environment",
            "description": "楼道里堆满杂物，有消防隐患",
            "priority": "normal",
            "channel": "resident",
            "photos": [upload(jpeg_with_gps())],
        },
    )
    appeal = Appeal.objects.get()
    assert r.status_code == 302
    assert r.url == f"/appeals/{appeal.pk}/"
    detail = client.get(r.url).content.decode()
    assert "楼道里堆满杂物" in detail
    assert 'data-action="report"' in detail
    photo = Photo.objects.get(appeal=appeal)
    assert client.get(f"/appeals/photos/{photo.pk}/").status_code == 200
    assert login_client(people.neighbour).get(f"/appeals/photos/{photo.pk}/").status_code == 404
    mine = client.get("/appeals/").content.decode()
    assert f'href="/appeals/{appeal.pk}/"' in mine


def test_a_refused_report_keeps_what_was_typed(people: People, tree: Tree) -> None:
    client = login_client(people.resident)
    r = client.post(
        "/appeals/new/",
        {
            "area": tree.building.pk,
            "category": "environment",
            "description": "垃圾没人收",
            "priority": "normal",
            "contact_phone": "123",
        },
    )
    assert r.status_code == 400
    assert "垃圾没人收" in r.content.decode()
    assert not Appeal.objects.exists()


def test_the_queue_shows_what_waits_and_filters(people: People, report: Any) -> None:
    estate = report()
    community = report(code="policy_question", description="低保怎么办理")
    page = login_client(people.community_staff).get("/appeals/").content.decode()
    assert f'href="/appeals/{community.pk}/"' in page
    assert f'href="/appeals/{estate.pk}/"' not in page
    everything = login_client(people.community_staff).get("/appeals/", {"stage": "open"}).content.decode()
    assert f'href="/appeals/{estate.pk}/"' in everything
    parking = login_client(people.community_staff).get("/appeals/", {"category": "parking"}).content.decode()
    assert f'href="/appeals/{estate.pk}/"' not in parking


def test_a_step_from_a_button_and_a_stale_one_refused_with_the_text_kept(people: People, report: Any) -> None:
    appeal = report()
    client = login_client(people.grid_worker)
    detail = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'data-action="accept"' in detail
    assert 'data-action="escalate"' in detail
    r = client.post(f"/appeals/{appeal.pk}/accept/", {"version": appeal.version})
    assert r.status_code == 302
    r = client.post(f"/appeals/{appeal.pk}/reject/", {"version": appeal.version, "reason": "我写的理由"})
    assert r.status_code == 409
    body = r.content.decode()
    assert 'data-testid="action-error"' in body
    assert "我写的理由" in body  # nothing typed is lost
    r = client.post(f"/appeals/{appeal.pk}/escalate/", {"version": appeal.version, "reason": "保留的文字"})
    assert r.status_code == 409
    assert "保留的文字" in r.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).stage == Stage.ACCEPTED


def test_a_resident_evaluates_from_the_page(people: People, report: Any) -> None:
    appeal = report()
    Appeal.objects.filter(pk=appeal.pk).update(stage=Stage.CLOSED)
    client = login_client(people.resident)
    assert 'data-action="evaluate"' in client.get(f"/appeals/{appeal.pk}/").content.decode()
    r = client.post(
        f"/appeals/{appeal.pk}/evaluate/", {"version": appeal.version, "score": "4", "comment": "满意"}
    )
    assert r.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).evaluation.score == 4


def test_unknown_actions_and_other_peoples_appeals_are_not_found(people: People, report: Any) -> None:
    appeal = report()
    assert (
        login_client(people.grid_worker).post(f"/appeals/{appeal.pk}/explode/", {"version": 1}).status_code
        == 404
    )
    assert login_client(people.neighbour).get(f"/appeals/{appeal.pk}/").status_code == 404
    assert (
        login_client(people.far_street_official)
        .post(f"/appeals/{appeal.pk}/accept/", {"version": 1})
        .status_code
        == 404
    )


def test_the_public_board_page_without_login(
    people: People, tree: Tree, report: Any, resident_factory: Any
) -> None:
    from django.test import Client

    resident_factory(tree.building, name="梁淑仪")
    appeal = report(
        by=people.community_staff,
        channel=Channel.VISIT,
        contact_name="梁淑仪",
        description="梁淑仪来访：5栋门口路灯不亮，电话13800138000",
    )
    Appeal.objects.filter(pk=appeal.pk).update(stage=Stage.CLOSED, result="已更换灯泡")
    services.appeal_publish(
        appeal=Appeal.objects.get(pk=appeal.pk), by=people.community_staff, version=appeal.version
    )
    r = Client().get(f"/public/{tree.community.code}/appeals/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "路灯不亮" in body
    assert "已更换灯泡" in body
    for secret in ("梁淑仪", "13800138000", "5栋"):
        assert secret not in body
    assert Client().get("/public/440604011001/appeals/").content.decode().count('class="notice"') == 0


def test_duplicate_suggestions_as_the_user_types(people: People, tree: Tree, report: Any) -> None:
    report(description="3座门口的下水道堵了，污水漫出来")
    client = login_client(people.neighbour)
    r = client.get(
        "/appeals/similar/",
        {"area": tree.building.pk, "category": "roads_facilities", "description": "门口下水道堵了"},
    )
    assert r.status_code == 200
    assert 'data-testid="similar"' in r.content.decode()
    r = client.get(
        "/appeals/similar/",
        {"area": tree.building.pk, "category": "parking", "description": "门口下水道堵了"},
    )
    assert 'data-testid="similar"' not in r.content.decode()
