"""A place in a picker is named by its grid and itself, not by indentation dots (issue 15)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import Tree, login_client
from shequ.core.models import Area, subtree_q
from shequ.core.places import place_choices
from shequ.core.roles import Role


@pytest.mark.django_db
def test_each_place_is_named_after_its_parent(tree: Tree) -> None:
    areas = Area.objects.filter(subtree_q(tree.community.path)).order_by("path")
    labels = dict(place_choices(areas))
    assert labels[tree.community.pk] == "平地社区"
    assert labels[tree.grid.pk] == "平地社区 › 第1网格"
    assert labels[tree.building.pk] == "第1网格 › 布匹市场1座"


@pytest.mark.django_db
def test_the_appeal_form_offers_places_without_dots(tree: Tree, user_for: Any) -> None:
    page = login_client(user_for(Role.GRID_WORKER)).get("/appeals/new/").content.decode()
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    assert "第1网格 › 布匹市场1座" in options
    assert not [o for o in options if o.startswith("·")]
