"""Template filters of the needs pages."""

from __future__ import annotations

from typing import Any

from django import template

from shequ.needs.selectors import subject_name

register = template.Library()


@register.filter
def subject(record: Any) -> str:
    """Whom a visit, need or answer is about; a child under 14 by the first character only."""
    return subject_name(record)
