"""The resident list, page and API: a bounded number of queries whatever the page holds, and the same
rows, masks and special-group tags as reading each person on their own."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Tree, login_client, make_user, token_client
from shequ.core.roles import Role
from shequ.registry import selectors, services
from shequ.registry.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: Tree) -> Any:
    return make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")


def _people(resident_factory: Any, tree: Tree, staff: Any, n: int) -> list[Resident]:
    """n adults in the community, every third in a special group (two groups for every sixth)."""
    people = [
        resident_factory(tree.building, name=f"居民{i}", born=date(1960 + i % 30, 3, 1)) for i in range(n)
    ]
    for i, person in enumerate(people):
        if i % 3 == 0:
            services.special_group_set(
                by=staff, resident=person, group="veteran", served_from=1978, served_to=1982
            )
        if i % 6 == 0:
            services.special_group_set(by=staff, resident=person, group="chronic", conditions="高血压")
    return people


def _queries(client: Any, url: str) -> tuple[int, Any]:
    # The first request of a session or token also records it was used (a write every few minutes).
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured), response


@pytest.mark.parametrize("url", ["/residents/", "/api/residents"])
def test_the_list_costs_the_same_queries_for_three_people_or_a_full_page(
    url: str, tree: Tree, staff: Any, resident_factory: Any
) -> None:
    client = token_client(staff) if url.startswith("/api/") else login_client(staff)
    _people(resident_factory, tree, staff, 3)
    few, _response = _queries(client, url)
    _people(resident_factory, tree, staff, 47)  # 50 in all: one full page
    many, _response = _queries(client, url)
    assert many == few


def test_the_list_page_stays_within_its_query_budget(
    tree: Tree, staff: Any, resident_factory: Any, django_assert_max_num_queries: Any
) -> None:
    _people(resident_factory, tree, staff, 50)
    client = login_client(staff)
    client.get("/residents/")  # the session's first touch writes it; measure a steady page
    # session, user, roles, count, one page of residents with their buildings
    with django_assert_max_num_queries(6):
        response = client.get("/residents/")
    assert response.content.count(b'class="masked"') == 2 * 50


def test_the_api_stays_within_its_query_budget(
    tree: Tree, staff: Any, resident_factory: Any, django_assert_max_num_queries: Any
) -> None:
    _people(resident_factory, tree, staff, 50)
    client = token_client(staff)
    client.get("/api/residents")  # the token's first use records it (a write every few minutes)
    # token, roles, count, one page (its special groups answered in the same query)
    with django_assert_max_num_queries(4):
        response = client.get("/api/residents")
    assert len(response.json()["items"]) == 50


def test_the_api_list_shows_what_each_persons_own_record_shows(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    people = _people(resident_factory, tree, staff, 12)
    items = token_client(staff).get("/api/residents").json()["items"]
    assert sorted(i["id"] for i in items) == sorted(p.pk for p in people)
    for item in items:
        person = Resident.objects.get(pk=item["id"])  # a fresh object: nothing prefetched
        assert item["groups"] == selectors.group_tags(person)
        assert item["id_number_masked"] == selectors.masked(person)["id_number"]
        assert item["phone_masked"] == selectors.masked(person)["phone"]
        assert "****" in item["id_number_masked"]
    tagged = {i["id"]: i["groups"] for i in items}
    assert "veteran" in tagged[people[0].pk]
    assert "chronic" in tagged[people[0].pk]
    assert "veteran" not in tagged[people[1].pk]


def test_the_list_page_still_shows_building_and_masks_and_nothing_outside(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    inside = resident_factory(tree.building, name="园内人")
    resident_factory(tree.far_building, name="远方人")
    body = login_client(staff).get("/residents/").content.decode()
    assert f'<a href="{reverse("registry:resident", args=[inside.pk])}">园内人</a>' in body
    assert tree.building.name in body
    assert selectors.masked(inside)["id_number"] in body
    assert "远方人" not in body


@pytest.mark.parametrize("url", ["/residents/", "/api/residents"])
def test_the_list_decrypts_each_shown_field_once(
    url: str, tree: Tree, staff: Any, resident_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _people(resident_factory, tree, staff, 12)  # adults, each with an ID number and a phone
    client = token_client(staff) if url.startswith("/api/") else login_client(staff)
    client.get(url)
    calls: list[str] = []
    real = selectors.decrypt

    def counted(value: Any, *, context: str) -> str:
        calls.append(context)
        return real(value, context=context)

    monkeypatch.setattr(selectors, "decrypt", counted)
    response = client.get(url)
    assert response.status_code == 200
    assert len(calls) == 2 * len(people)  # the masked ID number and the masked phone, nothing else


def _export(client: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:resident_export"))
    assert response.status_code == 200
    return len(captured), response


def test_the_export_costs_the_same_queries_for_ten_people_or_forty(
    tree: Tree, staff: Any, resident_factory: Any
) -> None:
    client = login_client(staff)
    _people(resident_factory, tree, staff, 10)
    _export(client)  # the session's first touch
    ten, _response = _export(client)
    _people(resident_factory, tree, staff, 30)
    forty, _response = _export(client)
    assert forty == ten


def test_an_export_writes_one_audit_entry_and_decrypts_each_exported_field_once(
    tree: Tree, staff: Any, resident_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shequ.core.models import AuditAction, AuditEntry

    people = _people(resident_factory, tree, staff, 12)
    client = login_client(staff)
    client.get("/residents/")
    calls: list[str] = []
    real = selectors.decrypt

    def counted(value: Any, *, context: str) -> str:
        calls.append(context)
        return real(value, context=context)

    monkeypatch.setattr(selectors, "decrypt", counted)
    before = AuditEntry.objects.count()
    _export(client)
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.order_by("-id").first().action == AuditAction.EXPORT  # type: ignore[union-attr]
    assert len(calls) == 2 * len(people)
