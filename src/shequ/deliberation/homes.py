"""Where a signed-in resident lives, for what residents do themselves on meetings, decisions and
proposals of the areas that contain their building (a grid's or the community's, not only their
building's): vote, sign in, co-sign, rate. The access layer's resident role reaches only the building;
these rules widen it to the areas above it, never sideways."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shequ.core.workflow import Grant


def home_path(user: Any) -> str | None:
    """The area path of the building the user's resident record lives in, or None."""
    resident = getattr(user, "resident_record", None)
    if resident is None or resident.status != "active":
        return None
    return str(resident.area.path)


def lives_in(user: Any, area: Any) -> bool:
    path = home_path(user)
    return path is not None and path.startswith(area.path)


def home_q(user: Any, field: str = "area__path") -> Q:
    """Rows whose area contains the user's building (the building and every area above it)."""
    path = home_path(user)
    if path is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": [path[:i] for i in range(4, len(path) + 1, 4)]})


# A resident acts on what lies over their own building, whatever the role's reach.
LIVES_HERE = Grant("lives_here", lambda user, obj: lives_in(user, obj.area))
