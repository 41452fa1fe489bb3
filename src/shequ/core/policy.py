"""Who may do what: the declaration of every resource, its area, and the roles per action.

Core declares its own resources here; each app declares its own in `<app>/policy.py` with the same
`declare()`. Every model of every Shequ app is either declared as a resource or listed as unscoped
with the reason; a test fails otherwise. The permission-matrix tests are generated from this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shequ.core.roles import Role

R = Role
ALL = frozenset(Role)
ADMINS = frozenset({R.DISTRICT_ADMIN, R.STREET_OFFICIAL, R.COMMUNITY_STAFF})
FRONT_LINE = frozenset({R.SOCIAL_WORKER, R.GRID_WORKER, R.BUILDING_HEAD})
CARERS = frozenset({R.COMMUNITY_STAFF, R.SOCIAL_WORKER, R.GRID_WORKER})
REGISTRARS = frozenset({R.COMMUNITY_STAFF, R.GRID_WORKER})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    # The object must lie strictly below the area of the role (you manage what is under you).
    below_only: bool = False


@dataclass(frozen=True)
class Resource:
    name: str
    model: str  # "app_label.ModelName"
    path_field: str  # lookup from the model to its area's materialised path
    actions: dict[str, Rule] = field(default_factory=dict)


# Filled by declare() and unscoped(): core's own resources below, each app's in its policy.py
# (loaded by ShequAppConfig.ready, core/apps.py), so that adding an app needs no edit here.
RESOURCES: dict[str, Resource] = {}
# Models reached only through another object, with the reason they need no area scope.
UNSCOPED: dict[str, str] = {}


def declare(*resources: Resource) -> None:
    """An app declares its resources; a name declared twice with another meaning is a mistake."""
    for resource in resources:
        known = RESOURCES.get(resource.name)
        if known is not None and known != resource:
            raise ValueError(f"resource {resource.name!r} is declared twice")
        RESOURCES[resource.name] = resource


def unscoped(reasons: dict[str, str]) -> None:
    """An app lists its models that are reached only through a scoped one, each with the reason."""
    UNSCOPED.update(reasons)


def rule_for(resource: str, action: str) -> Rule | None:
    return RESOURCES[resource].actions.get(action)


declare(
    Resource(
        "area",
        "core.Area",
        "path",
        {
            "view": Rule(ALL),
            "create": Rule(ADMINS),
            "update": Rule(ADMINS, below_only=True),
            "delete": Rule(ADMINS, below_only=True),
            "import": Rule(ADMINS),  # buildings from a file: each row still needs "create"
        },
    ),
    Resource(
        "assignment",
        "core.RoleAssignment",
        "area__path",
        {
            "view": Rule(ADMINS),
            "create": Rule(ADMINS),
            "delete": Rule(ADMINS),
        },
    ),
    Resource("audit", "core.AuditEntry", "area_path", {"view": Rule(ADMINS)}),
    # Sensitive-access grants (minors, bulk exports, case notes): asked for by those who serve the
    # area, approved by a street official or district administrator senior to the requester, never
    # by the requester (core/grants.py adds those checks and each kind's own gate).
    Resource(
        "sensitive_grant",
        "core.SensitiveAccessGrant",
        "area__path",
        {
            "view": Rule(ADMINS | CARERS),
            "request": Rule(ADMINS | CARERS),
            "approve": Rule(frozenset({R.DISTRICT_ADMIN, R.STREET_OFFICIAL})),
        },
    ),
)

unscoped(
    {
        "core.User": "seen only through role assignments (scoped) or by the user themself",
        "core.ApiToken": "belongs to one user; only that user issues and uses it",
        "core.ImportJob": "belongs to the user who uploaded it; only that user reaches it (views check)",
        "core.ImportRow": "part of its import job",
        "core.AuditHead": "the audit chain's newest link, one row written only by audit_log",
        "core.SecondFactor": "belongs to one user: read only at that user's sign-in; reset by their admin",
        "core.RecoveryCode": "belongs to one user: digests, read only at that user's sign-in",
    }
)
