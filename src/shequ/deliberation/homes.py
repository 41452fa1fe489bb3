"""What residents do themselves on meetings, decisions and proposals (vote, sign in, co-sign, rate,
object) reaches the areas that contain their home, not only their building. The access layer's
resident role reaches its own building (the area of the assignment); these rules widen it to every area
above that building, never sideways, for the action the policy gives the resident role."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shequ.core import access
from shequ.core.workflow import Grant


def _homes(user: Any, resource: str, action: str) -> list[str]:
    """The areas where the user holds a role the policy gives `action` on `resource` (a resident's
    building)."""
    return access.paths_for(user, resource, action)


def over_home(user: Any, area: Any, *, resource: str = "meeting", action: str = "vote") -> bool:
    """The area is the user's home area or one that contains it."""
    return any(path.startswith(area.path) for path in _homes(user, resource, action))


def home_q(user: Any, field: str = "area__path", *, resource: str = "meeting", action: str = "vote") -> Q:
    """Rows whose area is the user's home area or one above it."""
    prefixes = {path[:i] for path in _homes(user, resource, action) for i in range(4, len(path) + 1, 4)}
    if not prefixes:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": sorted(prefixes)})


def lives_here(resource: str, action: str) -> Grant:
    """A grant of a rule table's action to whoever holds `action` on an area below the object's."""
    return Grant("lives_here", lambda user, obj: over_home(user, obj.area, resource=resource, action=action))


LIVES_HERE = lives_here("meeting", "vote")
SIGNS_HERE = lives_here("proposal", "sign")
