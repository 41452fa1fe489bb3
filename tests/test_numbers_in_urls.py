"""Searches and exports whose query travels in the URL refuse a whole ID number or phone (issue 13,
finding 10): households, organisations and volunteers accepted one, the residents' search refuses (API)
or tokenises it (page). The rule is the residents' one, registry.search.holds_number."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.core.idnumber import make_id_number
from shequ.core.models import AuditEntry
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number("440605", date(1980, 5, 17), 7, "M")
NUMBERS = {"id_number": ID_NUMBER, "phone": "13912345678", "passport": "E12345678"}
PAGES = [
    "/households/",
    "/households/export.xlsx",
    "/organisations/",
    "/organisations/export.xlsx",
    "/volunteers/",
]
API = [
    "/api/households",
    "/api/households/export",
    "/api/organisations",
    "/api/organisations/export",
    "/api/volunteers",
]


@pytest.fixture
def staff(tree: Tree) -> object:
    return make_user(Role.COMMUNITY_STAFF, tree.community, "shequ")


@pytest.mark.parametrize("number", NUMBERS.values(), ids=NUMBERS.keys())
def test_a_whole_number_in_the_url_is_refused_and_nothing_is_exported(staff: object, number: str) -> None:
    page, api = login_client(staff), token_client(staff)  # type: ignore[arg-type]
    exports = AuditEntry.objects.filter(action="export").count()
    for url in PAGES:
        response = page.get(url, {"q": number})
        assert response.status_code == 400, url
        assert "不能在此搜索" in response.content.decode()
    for url in API:
        response = api.get(url, {"q": number})
        assert response.status_code == 400, url
        assert response.json()["code"] == "number_in_url"
        assert response.json()["field"] == "q"
    assert AuditEntry.objects.filter(action="export").count() == exports


@pytest.mark.parametrize("q", ["布匹市场", "1201", "红马甲", "Zhang"])
def test_names_addresses_and_room_numbers_are_still_searched(staff: object, q: str) -> None:
    page, api = login_client(staff), token_client(staff)  # type: ignore[arg-type]
    for url in PAGES:
        assert page.get(url, {"q": q}).status_code == 200, url
    for url in API:
        assert api.get(url, {"q": q}).status_code == 200, url
