"""What every page's shell needs: the user's roles and the navigation entries they may use. The
entries are registered by each app (core/extensions.py), so core knows none of them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shequ.core import access
from shequ.core.extensions import NavEntry, nav_entries_for

# A phone's bottom bar: at most five places, the last always "更多" (more): the other entries and the
# account's menu (password, sign out) are there.
TAB_SLOTS = 5


def tab_keys(entries: list[NavEntry]) -> list[str]:
    """The entries on the phone's bottom bar: the first four the user may use by their `tab` rank."""
    ranked = sorted((e for e in entries if e.tab is not None), key=lambda e: (e.tab or 0, e.order, e.key))
    return [e.key for e in ranked[: TAB_SLOTS - 1]]


def _current(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entries = nav_entries_for(user)
    tabs = tab_keys(entries)
    rows = []
    for e in entries:
        url = reverse(e.url_name)
        rows.append(
            {
                "key": e.key,
                "testid": e.key.replace("_", "-"),
                "label": e.label,
                "url": url,
                "tab": e.key in tabs,
                "tab_place": tabs.index(e.key) + 1 if e.key in tabs else 0,
                "section": e.section,
                "current": _current(request.path, url),
            }
        )
    return {
        # For templates that show a link only where its section is open to the user (nav.residents).
        "nav": {e.key: True for e in entries},
        "nav_entries": rows,
        "held_roles": access.held_roles(user),
    }
