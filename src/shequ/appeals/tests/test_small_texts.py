"""Small texts a new user reads (issue 15): a title cut from the description ends with "…" at a
phrase boundary; the public board masks people, not the buildings of the area tree."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import Tree
from shequ.appeals import services
from shequ.appeals.models import Appeal, Stage
from shequ.appeals.tests.conftest import People, fresh
from shequ.appeals.text import anonymise
from shequ.core.texts import cut_text

CUTS = [
    ("楼下路面有个大坑", 30, "楼下路面有个大坑"),  # fits: whole
    (
        "楼下路面有个大坑，晚上看不清容易摔倒，已经有两位老人摔过了，请尽快处理",
        30,
        "楼下路面有个大坑，晚上看不清容易摔倒，已经有两位老人摔过了…",
    ),
    (
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二",
        30,
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九…",
    ),
    ("路灯坏了，\n很黑", 30, "路灯坏了， 很黑"),  # one line
    ("Street light broken near gate three and nobody fixed it yet", 30, "Street light broken near gate…"),
]


@pytest.mark.parametrize(("text", "limit", "title"), CUTS)
def test_a_cut_text_ends_with_an_ellipsis_at_a_phrase_boundary(text: str, limit: int, title: str) -> None:
    assert cut_text(text, limit) == title
    assert len(cut_text(text, limit)) <= limit


@pytest.mark.django_db
def test_a_title_made_from_a_long_description_ends_with_an_ellipsis(report: Any) -> None:
    appeal = report(
        description="楼下路面有个大坑，晚上看不清容易摔倒，已经有两位老人摔过了很多次，请尽快处理"
    )
    assert appeal.title == "楼下路面有个大坑，晚上看不清容易摔倒…"


def test_a_building_named_in_the_text_is_not_masked_but_its_room_is() -> None:
    out = anonymise("布匹市场1座302室的楼道灯坏了，王先生反映", places=["布匹市场1座", "第1网格"])
    assert out.startswith("布匹市场1座")
    assert "302" not in out
    assert "王先生" not in out


@pytest.mark.django_db
def test_the_public_board_shows_the_building_and_masks_the_person(
    report: Any, people: People, tree: Tree
) -> None:
    assert tree.building.name == "布匹市场1座"
    appeal = report(description="布匹市场1座门口的路灯坏了，3-302的李阿姨说晚上很黑")
    Appeal.objects.filter(pk=appeal.pk).update(stage=Stage.CLOSED, result="已更换布匹市场1座门口的路灯")
    services.appeal_publish(appeal=fresh(appeal), by=people.community_staff, version=fresh(appeal).version)
    board = Client().get(f"/public/{tree.community.code}/appeals/").content.decode()
    assert "布匹市场1座门口的路灯坏了" in board
    assert "已更换布匹市场1座门口的路灯" in board
    assert "布匹市场***" not in board
    assert "李阿姨" not in board
    assert "3-302" not in board
