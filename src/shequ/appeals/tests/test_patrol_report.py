"""Reporting on patrol in one typed line: the category guessed from the words (a keyword model of the
taxonomy), the place from the last report, the channel from the role, no contact fields for staff
on their own patrol, the camera opened from the form."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client
from shequ.appeals.models import Appeal, Category
from shequ.appeals.suggest import KEYWORDS, suggest
from shequ.appeals.tests.conftest import People

pytestmark = pytest.mark.django_db

# What a worker or resident types -> the category the words say.
SUGGESTED = {
    "消防通道被杂物堵住了": "safety_hazard",
    "楼道里有人私拉电线给电动车充电": "safety_hazard",
    "垃圾桶满了好几天没人清运，很臭": "environment",
    "巷口路灯坏了，晚上漆黑一片": "roads_facilities",
    "小区门口乱停车，挡住了出入口": "parking",
    "电梯又停了，物业没人管": "property",
    "楼上装修噪音太大，邻居吵架": "neighbour_dispute",
    "独居老人想报名助餐": "elderly_care",
    "想咨询低保怎么办理": "policy_question",
}


@pytest.mark.parametrize("text", list(SUGGESTED))
def test_the_words_suggest_the_category(text: str) -> None:
    assert suggest(text) == SUGGESTED[text]


def test_a_text_without_known_words_suggests_nothing() -> None:
    assert suggest("你好") is None


def test_only_the_active_categories_are_suggested() -> None:
    assert suggest("消防通道被杂物堵住了", codes=["environment"]) == "environment"


def test_every_keyword_category_is_one_of_the_seeded_taxonomy(db: Any) -> None:
    seeded = set(Category.objects.values_list("code", flat=True))
    assert set(KEYWORDS) - seeded == set()


def test_a_grid_worker_reports_with_one_typed_line(people: People, tree: Tree) -> None:
    client = login_client(people.grid_worker)
    r = client.post("/appeals/new/", {"area": tree.building.pk, "description": "消防通道被杂物堵住了"})
    assert r.status_code == 302
    appeal = Appeal.objects.get(reporter=people.grid_worker)
    assert (appeal.category.code, appeal.channel, appeal.priority) == ("safety_hazard", "patrol", "normal")


def test_words_the_model_does_not_know_are_filed_under_other(people: People, tree: Tree) -> None:
    login_client(people.grid_worker).post(
        "/appeals/new/", {"area": tree.building.pk, "description": "你好你好"}
    )
    assert Appeal.objects.get(reporter=people.grid_worker).category.code == "other"


def test_a_category_chosen_by_hand_wins(people: People, tree: Tree) -> None:
    login_client(people.grid_worker).post(
        "/appeals/new/",
        {"area": tree.building.pk, "category": "parking", "description": "消防通道被杂物堵住了"},
    )
    assert Appeal.objects.get(reporter=people.grid_worker).category.code == "parking"


def test_the_form_offers_the_place_of_the_last_report(people: People, tree: Tree, report: Any) -> None:
    report(by=people.grid_worker, area=tree.building)
    html = login_client(people.grid_worker).get("/appeals/new/").content.decode()
    assert f'<option value="{tree.building.pk}" selected>' in html


def test_on_patrol_the_contact_fields_wait_under_more(people: People, tree: Tree) -> None:
    html = login_client(people.grid_worker).get("/appeals/new/").content.decode()
    assert 'class="contact-fields"' in html


def test_a_resident_sees_the_contact_fields_at_once(people: People, tree: Tree) -> None:
    html = login_client(people.resident).get("/appeals/new/").content.decode()
    assert 'class="contact-fields"' not in html


def test_the_photo_field_opens_the_camera_and_is_shrunk_before_upload(people: People, tree: Tree) -> None:
    html = login_client(people.grid_worker).get("/appeals/new/").content.decode()
    assert 'capture="environment"' in html
    assert "data-shrink" in html


def test_typing_shows_the_category_the_words_suggest(people: People, tree: Tree) -> None:
    r = login_client(people.grid_worker).get(
        "/appeals/similar/", {"area": tree.building.pk, "category": "", "description": "消防通道被杂物堵住了"}
    )
    assert "安全隐患" in r.content.decode()


def test_a_form_refused_lists_its_errors_at_the_top_with_links(people: People, tree: Tree) -> None:
    r = login_client(people.grid_worker).post("/appeals/new/", {"area": tree.building.pk, "description": ""})
    assert 'href="#id_description"' in r.content.decode()
