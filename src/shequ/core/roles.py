"""The roles a user can hold on an area. What each role may do is declared in policy.py."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import AreaKind


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    STREET_OFFICIAL = "street_official", _("Street official")
    COMMUNITY_STAFF = "community_staff", _("Community worker")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_HEAD = "building_head", _("Building / lane head")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESIDENT = "resident", _("Resident")
    EVALUATOR = "evaluator", _("Third-party evaluator")


# The kinds of area each role can be held on.
ROLE_AREA_KINDS: dict[Role, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset({AreaKind.DISTRICT}),
    Role.STREET_OFFICIAL: frozenset({AreaKind.STREET}),
    Role.COMMUNITY_STAFF: frozenset({AreaKind.COMMUNITY}),
    Role.SOCIAL_WORKER: frozenset({AreaKind.STREET, AreaKind.COMMUNITY}),
    Role.GRID_WORKER: frozenset({AreaKind.GRID}),
    Role.BUILDING_HEAD: frozenset({AreaKind.BUILDING}),
    Role.VOLUNTEER: frozenset({AreaKind.COMMUNITY}),
    Role.RESIDENT: frozenset({AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.BUILDING}),
    Role.EVALUATOR: frozenset({AreaKind.DISTRICT, AreaKind.STREET, AreaKind.COMMUNITY}),
}

# Staff roles will sign in with a second factor (issue 9).
STAFF_ROLES = frozenset(set(Role) - {Role.VOLUNTEER, Role.RESIDENT})

# Which roles each role may grant, on areas inside its own. Nobody grants a role above their own.
GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.DISTRICT_ADMIN: frozenset(Role),
    Role.STREET_OFFICIAL: frozenset(
        {
            Role.STREET_OFFICIAL,
            Role.COMMUNITY_STAFF,
            Role.SOCIAL_WORKER,
            Role.GRID_WORKER,
            Role.BUILDING_HEAD,
            Role.VOLUNTEER,
            Role.RESIDENT,
        }
    ),
    Role.COMMUNITY_STAFF: frozenset({Role.GRID_WORKER, Role.BUILDING_HEAD, Role.VOLUNTEER, Role.RESIDENT}),
}

# Seniority, for approvals (a sensitive-access grant is approved by someone senior to the requester,
# or by a district administrator): lower is more senior.
RANK: dict[Role, int] = {
    Role.DISTRICT_ADMIN: 0,
    Role.STREET_OFFICIAL: 1,
    Role.COMMUNITY_STAFF: 2,
    Role.SOCIAL_WORKER: 3,
    Role.GRID_WORKER: 4,
    Role.BUILDING_HEAD: 5,
    Role.VOLUNTEER: 6,
    Role.RESIDENT: 7,
    Role.EVALUATOR: 7,
}
