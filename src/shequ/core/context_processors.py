"""What every page's shell needs: the user's roles and the navigation entries they may use. The
entries are registered by each app (core/extensions.py), so core knows none of them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shequ.core import access
from shequ.core.extensions import nav_entries


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entries = [e for e in nav_entries() if e.visible(user)]
    return {
        # For templates that show a link only where its section is open to the user (nav.residents).
        "nav": {e.key: True for e in entries},
        "nav_entries": [
            {
                "key": e.key,
                "testid": e.key.replace("_", "-"),
                "label": e.label,
                "url": reverse(e.url_name),
                "tab": e.tab,
                "section": e.section,
            }
            for e in entries
        ],
        "held_roles": access.held_roles(user),
    }
