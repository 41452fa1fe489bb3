"""The shared readers of what a user typed (core/workflow.py): every app's services read text and
whole numbers through them, so a refusal names its field and never becomes a 500."""

from __future__ import annotations

from typing import Any

import pytest

from shequ.core.errors import DomainError
from shequ.core.workflow import int_value, text_value


@pytest.mark.parametrize(
    ("raw", "required", "read"),
    [
        ("  家门口  ", False, "家门口"),
        (None, False, ""),
        ("", False, ""),
        (12, True, "12"),
        ("五个字以内", True, "五个字以内"),
    ],
)
def test_text_is_trimmed(raw: Any, required: bool, read: str) -> None:
    assert text_value(raw, field="name", limit=5, required=required) == read


@pytest.mark.parametrize(
    ("raw", "required", "code", "reason"),
    [
        (None, True, "required", "required"),
        ("   ", True, "required", "required"),
        ("六个字太长了", False, "too_long", "long"),
    ],
)
def test_text_refusals_name_the_field(raw: Any, required: bool, code: str, reason: str) -> None:
    with pytest.raises(DomainError) as refused:
        text_value(raw, field="name", limit=5, required=required)
    assert refused.value.code == code
    assert refused.value.fields == {"name": reason}


@pytest.mark.parametrize(("raw", "read"), [("42", 42), (" -3 ", -3), (7, 7)])
def test_a_whole_number_is_read(raw: Any, read: int) -> None:
    assert int_value(raw, field="version") == read


@pytest.mark.parametrize("raw", ["abc", "1.5", "", True, "9" * 19])
def test_what_is_no_whole_number_is_refused_not_a_500(raw: Any) -> None:
    with pytest.raises(DomainError) as refused:
        int_value(raw, field="version")
    assert refused.value.code == "not_a_number"
    assert refused.value.fields == {"version": "number"}
