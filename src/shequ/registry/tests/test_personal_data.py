"""ID numbers and phones: GB 11643 validation, encryption at rest, blind index, masking, scoped search."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest
from django.db import connection

from conftest import Tree, login_client, make_area, make_user, token_client
from shequ.core import crypto
from shequ.core.errors import DomainError
from shequ.core.idnumber import check_digit, id_number_problem, make_id_number, mask_id_number, mask_phone
from shequ.core.roles import Role
from shequ.registry import selectors
from shequ.registry.services import ID_CONTEXT, seal_personal_data


def test_the_published_gb11643_example_is_valid() -> None:
    assert id_number_problem("11010519491231002X") is None
    assert check_digit("11010519491231002") == "X"


@pytest.mark.parametrize(
    "value, problem",
    [
        ("110105194912310021", "checksum"),
        ("11010519491331002X", "birth_date"),  # month 13
        ("11010519490230002X", "birth_date"),  # 30 February
        ("1101051949123100", "format"),
        ("11010519491231002Y", "format"),
        (make_id_number("110105", date(2030, 1, 1), 1, "M"), "birth_date"),  # born in the future
    ],
)
def test_invalid_id_numbers_are_refused_with_their_reason(value: str, problem: str) -> None:
    assert id_number_problem(value, today=date(2026, 11, 22)) == problem


def test_lower_case_x_and_spaces_are_normalised() -> None:
    assert id_number_problem(" 11010519491231002x ") is None


def test_generated_numbers_carry_birth_date_and_gender() -> None:
    value = make_id_number("440605", date(1988, 2, 29), 7, "F")
    sealed = seal_personal_data(id_number=value)
    assert sealed.birth_date == date(1988, 2, 29)
    assert sealed.gender == "F"


def test_masking_shows_region_and_last_four_only() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13800138000") == "138****8000"


def test_a_bad_phone_is_refused() -> None:
    with pytest.raises(DomainError) as err:
        seal_personal_data(id_number="11010519491231002X", phone="12345")
    assert err.value.code == "phone_format"


def test_encryption_round_trips_and_binds_the_column(settings: Any) -> None:
    token = crypto.encrypt("11010519491231002X", context=ID_CONTEXT)
    assert "11010519491231002X" not in token
    assert crypto.decrypt(token, context=ID_CONTEXT) == "11010519491231002X"
    with pytest.raises(Exception):  # noqa: B017 - any failure: a value moved to another column must not decrypt
        crypto.decrypt(token, context="registry.resident.phone")


def test_the_same_value_encrypts_differently_each_time() -> None:
    assert crypto.encrypt("x", context="c") != crypto.encrypt("x", context="c")


def test_key_rotation_keeps_old_values_readable(settings: Any) -> None:
    old_token = crypto.encrypt("11010519491231002X", context=ID_CONTEXT)
    new_key = base64.b64encode(b"n" * 32).decode()
    settings.ENCRYPTION_KEYS = f"k2:{new_key},{settings.ENCRYPTION_KEYS}"
    new_token = crypto.encrypt("11010519491231002X", context=ID_CONTEXT)
    assert crypto.key_id_of(new_token) == "k2"
    assert crypto.key_id_of(old_token) == "dev1"
    assert crypto.decrypt(old_token, context=ID_CONTEXT) == crypto.decrypt(new_token, context=ID_CONTEXT)


def test_the_blind_index_matches_equal_values_only() -> None:
    a = crypto.blind_index("11010519491231002X", context=ID_CONTEXT)
    assert a == crypto.blind_index("11010519491231002X", context=ID_CONTEXT)
    assert a != crypto.blind_index("11010519491231003X", context=ID_CONTEXT)
    assert a != crypto.blind_index("11010519491231002X", context="other")


@pytest.mark.django_db
def test_no_plaintext_id_number_or_phone_is_stored(tree: Tree, resident_factory: Any) -> None:
    person = resident_factory(tree.building, phone="13912345678")
    full = crypto.decrypt(person.id_number_encrypted, context=ID_CONTEXT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_resident WHERE id = %s", [person.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert full not in row
    assert "13912345678" not in row


@pytest.mark.django_db
def test_search_finds_by_name_last_four_whole_id_and_phone(tree: Tree, resident_factory: Any) -> None:
    person = resident_factory(tree.building, name="张三丰", phone="13912345678")
    full = crypto.decrypt(person.id_number_encrypted, context=ID_CONTEXT)
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    for q in ("张三", full[-4:], full, full.lower(), "13912345678"):
        assert list(selectors.residents_for(staff, q=q)) == [person], q
    assert list(selectors.residents_for(staff, q="13900000000")) == []


@pytest.mark.django_db
def test_search_never_crosses_into_another_community(tree: Tree, resident_factory: Any) -> None:
    resident_factory(tree.other_building, name="沥西居民", phone="13700000001")
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="staff")
    api = token_client(staff)
    for q in ("沥西居民", "13700000001"):
        assert list(selectors.residents_for(staff, q=q)) == []
        found = api.post("/api/residents/search", {"q": q}, content_type="application/json")
        assert found.json()["count"] == 0


@pytest.mark.django_db
def test_lists_and_pages_show_masked_numbers_only(tree: Tree, resident_factory: Any) -> None:
    person = resident_factory(tree.building, phone="13912345678")
    full = crypto.decrypt(person.id_number_encrypted, context=ID_CONTEXT)
    worker = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    client = login_client(worker)
    for url in ("/residents/", f"/residents/{person.pk}/", f"/api/residents/{person.pk}", "/api/residents"):
        body = client.get(url).content.decode()
        assert full not in body, url
        assert "13912345678" not in body, url
        assert mask_id_number(full) in body, url
        assert "139****5678" in body, url


@pytest.mark.django_db
def test_a_building_head_sees_the_residents_of_that_building_only(tree: Tree, resident_factory: Any) -> None:
    own = resident_factory(tree.building, name="本楼居民")
    neighbour_building = make_area(tree.grid, "隔壁楼")
    resident_factory(neighbour_building, name="隔壁居民")
    head = make_user(Role.BUILDING_HEAD, tree.building, username="louzhang")
    assert list(selectors.residents_for(head)) == [own]
    volunteer = make_user(Role.VOLUNTEER, tree.community, username="vol")
    assert login_client(volunteer).get("/residents/").status_code == 403
