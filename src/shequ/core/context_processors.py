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
            # Home visits and needs for those who serve face to face; surveys for those who work in the
            # area, and for a resident the surveys of their home (needs/selectors).
            "visits": bool(access.paths_for(user, "visit", "create")),
            "needs": bool(access.paths_for(user, "need", "view")),
            "surveys": bool(access.paths_for(user, "survey", "view")) or _is_resident(user),
            "metrics": bool(access.paths_for(user, "dashboard", "view")),
            "reports": bool(access.paths_for(user, "report", "create")),
            # Sensitive-access grants (minors, bulk exports); residents' correction requests; a
            # person's own data when their account is linked to their record (registry/rights.py).
            "grants": bool(access.paths_for(user, "sensitive_grant", "view")),
            "corrections": bool(access.paths_for(user, "correction", "view")),
            "my_data": _has_own_record(user, held),
            "people": bool(access.paths_for(user, "assignment", "view")),
            "audit": bool(access.paths_for(user, "audit", "view")),
        },
        "held_roles": held,
    }


def _is_resident(user: Any) -> bool:
    from shequ.needs.services import own_resident

    return own_resident(user) is not None


def _has_own_record(user: Any, held: list[Any]) -> bool:
    """Residents and volunteers may have their own record linked (staff pages need no query for it)."""
    from shequ.core.roles import STAFF_ROLES
    from shequ.registry.models import Resident, ResidentStatus

    if held and all(h.role in STAFF_ROLES for h in held):
        return False
    return Resident.objects.filter(user_id=user.pk).exclude(status=ResidentStatus.ERASED).exists()
