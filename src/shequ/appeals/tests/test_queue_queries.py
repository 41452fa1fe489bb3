"""The appeal queue, page and API: the same number of queries for 10 appeals as for 100 (no query per
row, whatever the page shows of each), and each row shows what its appeal holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Tree, login_client, token_client
from shequ.appeals.models import Appeal, Stage
from shequ.appeals.tests.conftest import People

pytestmark = pytest.mark.django_db


def _more_like(appeal: Appeal, n: int, people: People) -> None:
    """n copies of `appeal`, every other one dispatched to a person (the handler the row names)."""
    fields = {
        f.attname: getattr(appeal, f.attname) for f in Appeal._meta.concrete_fields if not f.primary_key
    }
    copies = []
    for i in range(n):
        copy = Appeal(**fields)
        copy.title = f"路灯不亮 {i}"
        if i % 2:
            copy.stage = Stage.DISPATCHED
            copy.handler_user = people.grid_worker
        copies.append(copy)
    Appeal.objects.bulk_create(copies)


def _queries(client: Any, url: str) -> int:
    client.get(url)  # a session's or token's first use records it: measure a steady request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


@pytest.mark.parametrize("url", ["/appeals/?page=1", "/api/appeals?page=1"])
def test_the_queue_costs_the_same_queries_for_ten_appeals_or_a_hundred(
    url: str, report: Any, people: People, tree: Tree
) -> None:
    user = people.street_official
    client = token_client(user) if url.startswith("/api/") else login_client(user)
    first = report()
    _more_like(first, 9, people)
    ten = _queries(client, url)
    _more_like(first, 90, people)
    hundred = _queries(client, url)
    assert hundred == ten


def test_the_queue_page_stays_within_its_query_budget(
    report: Any, people: People, django_assert_max_num_queries: Any
) -> None:
    _more_like(report(), 60, people)
    client = login_client(people.street_official)
    client.get("/appeals/?page=1")
    # session, user, roles, categories, count, the page, home areas, open by grid (2), unread
    with django_assert_max_num_queries(10):
        client.get("/appeals/?page=1")


def test_each_queue_row_shows_its_appeals_link_stage_place_and_handler(
    report: Any, people: People, tree: Tree
) -> None:
    first = report()
    _more_like(first, 3, people)
    body = login_client(people.street_official).get("/appeals/?page=1").content.decode()
    dispatched = Appeal.objects.filter(handler_user=people.grid_worker).first()
    assert dispatched is not None
    assert f'href="/appeals/{dispatched.pk}/">#{dispatched.pk} {dispatched.title}</a>' in body
    assert str(people.grid_worker) in body
    assert tree.building.name in body
    assert f'data-stage="{Stage.DISPATCHED}"' in body


def test_each_api_row_names_its_category_place_and_handler(report: Any, people: People, tree: Tree) -> None:
    first = report()
    _more_like(first, 2, people)
    items = token_client(people.street_official).get("/api/appeals").json()["items"]
    by_id = {i["id"]: i for i in items}
    dispatched = Appeal.objects.get(handler_user=people.grid_worker)
    assert by_id[dispatched.pk]["handler"] == str(people.grid_worker)
    assert by_id[first.pk]["handler"] == ""
    assert by_id[first.pk]["category"] == first.category.code
    assert by_id[first.pk]["category_name"] == first.category.name
    assert by_id[first.pk]["area_name"] == tree.building.name
