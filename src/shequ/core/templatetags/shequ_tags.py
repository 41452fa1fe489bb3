"""Small display helpers for templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def changes(value: Any) -> list[tuple[str, Any]]:
    """The (field, change) pairs of an audit or history entry. A filter, not `.items` in the template:
    a changed field may itself be called "items" (a resource's items), which `.items` would look up."""
    return list(value.items()) if isinstance(value, dict) else []


@register.filter
def change(value: Any) -> str:
    """An audit change [old, new] as "old → new", with "—" for nothing."""

    def show(v: Any) -> str:
        return "—" if v is None or v == "" else str(v)

    if isinstance(value, list) and len(value) == 2:
        return f"{show(value[0])} → {show(value[1])}"
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    return show(value)
