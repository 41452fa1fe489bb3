"""The shared rules of core/idnumber.py: how phone numbers are read and how a child's name is masked,
the same for every app that takes or shows them."""

from __future__ import annotations

import pytest

from shequ.core.errors import DomainError
from shequ.core.idnumber import clean_phone, mask_name, normalise_phone


@pytest.mark.parametrize(
    ("name", "shown"),
    [("李小明", "李**"), ("李明", "李**"), ("欧阳小明明", "欧**"), ("李", "李**"), ("", "")],
)
def test_a_childs_name_shows_its_first_character_and_not_its_length(name: str, shown: str) -> None:
    assert mask_name(name) == shown


@pytest.mark.parametrize(
    ("typed", "mobile_only", "written"),
    [
        ("", False, ""),
        ("  ", True, ""),
        ("138 0013 8000", True, "13800138000"),
        ("138-0013-8000", False, "13800138000"),
        ("12345678901", False, None),  # no mobile begins with 12
        ("1380013800", True, None),  # ten digits
        ("0757-86001234", True, None),  # a landline where only a mobile will do
        ("0757 86001234", False, "0757-86001234"),
        ("（0757）86001234", False, "0757-86001234"),
        ("075786001234", False, "0757-86001234"),
        ("010-61234567-801", False, "010-61234567-801"),
        ("86001234", False, "86001234"),
        ("400-123-4567", False, "400-123-4567"),
        ("0757-06001234", False, None),  # a local number never begins with 0
        ("12345", False, None),
    ],
)
def test_a_phone_number_has_one_written_form(typed: str, mobile_only: bool, written: str | None) -> None:
    assert normalise_phone(typed, mobile_only=mobile_only) == written


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({}, "phone_format", "phone"),
        ({"mobile_only": True}, "phone_format", "phone"),
        ({"field": "fax"}, "fax_format", "fax"),
        ({"field": "contact_phone", "code": "phone_format"}, "phone_format", "contact_phone"),
    ],
)
def test_a_refused_phone_names_its_field(kwargs: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        clean_phone("12345", **kwargs)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert refused.value.fields == {field: "format"}


def test_a_mobile_only_refusal_says_what_a_mobile_number_is() -> None:
    with pytest.raises(DomainError) as refused:
        clean_phone("0757-86001234", mobile_only=True)
    assert "11" in str(refused.value.message)
    assert "0757" not in str(refused.value.message)
