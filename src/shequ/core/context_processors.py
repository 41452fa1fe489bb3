"""What every page's shell needs: the user's roles and areas, and which sections to show."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shequ.core import access


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = access.held_roles(user)
    return {
        "nav": {
            "areas": bool(access.paths_for(user, "area", "view")),
            "residents": bool(access.paths_for(user, "resident", "view")),
            "resources": bool(access.paths_for(user, "resource", "view")),
            # Everyone who holds a role reports appeals; staff also see the queue.
            "appeals": bool(held),
            # Everyone sees activities; volunteers also their own record (volunteering/selectors).
            "activities": bool(held),
            "volunteers": bool(access.paths_for(user, "volunteer", "view")),
            "people": bool(access.paths_for(user, "assignment", "view")),
            "audit": bool(access.paths_for(user, "audit", "view")),
        },
        "held_roles": held,
    }
