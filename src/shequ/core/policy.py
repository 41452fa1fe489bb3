"""Who may do what: the one declaration of every resource, its area, and the roles per action.

Every model of every Shequ app is either declared here as a resource or listed in UNSCOPED with
the reason; a test fails otherwise. The permission-matrix tests are generated from this table.
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


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in [
        Resource(
            "area",
            "core.Area",
            "path",
            {
                "view": Rule(ALL),
                "create": Rule(ADMINS),
                "update": Rule(ADMINS, below_only=True),
                "delete": Rule(ADMINS, below_only=True),
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
        Resource(
            "household",
            "registry.Household",
            "area__path",
            {"view": Rule(ADMINS | FRONT_LINE), "create": Rule(REGISTRARS)},
        ),
        Resource(
            "resident",
            "registry.Resident",
            "area__path",
            {
                "view": Rule(ADMINS | FRONT_LINE),
                "create": Rule(REGISTRARS),
                "update": Rule(REGISTRARS),
                # Full ID numbers and phones: those who serve the person face to face.
                "reveal": Rule(CARERS),
                # Records of children under 14 (PIPL art. 28): only those who serve them.
                "view_minor": Rule(CARERS),
                "export": Rule(ADMINS | CARERS),
                "import": Rule(REGISTRARS),
            },
        ),
        # Disability, assistance, health, correction…: details only for those who serve the person.
        Resource(
            "special_group",
            "registry.Disability",
            "resident__area__path",
            {"view": Rule(CARERS), "update": Rule(CARERS)},
        ),
        Resource(
            "organisation",
            "registry.Organisation",
            "area__path",
            {
                "view": Rule(ALL - {R.RESIDENT}),
                "create": Rule(ADMINS | {R.SOCIAL_WORKER}),
                "update": Rule(ADMINS | {R.SOCIAL_WORKER}),
            },
        ),
        # The resource register (社区资源): known to all who work in the area; kept by its staff.
        Resource(
            "resource",
            "resources.Resource",
            "area__path",
            {
                "view": Rule(ALL - {R.RESIDENT}),
                "create": Rule(ADMINS | {R.SOCIAL_WORKER}),
                "update": Rule(ADMINS | {R.SOCIAL_WORKER}),
                "delete": Rule(ADMINS | {R.SOCIAL_WORKER}),
            },
        ),
    ]
}

# Models reached only through another object, with the reason they need no area scope.
UNSCOPED: dict[str, str] = {
    "registry.ResidentEvent": "a resident's history, read only through the resident (scoped)",
    "registry.Assistance": "a special group: reached through its resident, under special_group",
    "registry.LeftBehindChild": "a special group: reached through its resident, under special_group",
    "registry.Veteran": "a special group: reached through its resident, under special_group",
    "registry.Supervision": "a special group: reached through its resident, under special_group",
    "registry.Pregnancy": "a special group: reached through its resident, under special_group",
    "registry.ChronicIllness": "a special group: reached through its resident, under special_group",
    "registry.BuildingProfile": "part of its building (an area, scoped)",
    "resources.Venue": "part of its resource (shares its key), reached only through it, under resource",
    "core.User": "seen only through role assignments (scoped) or by the user themself",
    "core.ApiToken": "belongs to one user; only that user issues and uses it",
    "core.ImportJob": "belongs to the user who uploaded it; only that user reaches it (views check)",
    "core.ImportRow": "part of its import job",
    "core.AuditHead": "the audit chain's newest link, one row written only by audit_log",
    "core.SecondFactor": "belongs to one user: read only at that user's sign-in; reset by their admin",
    "core.RecoveryCode": "belongs to one user: digests, read only at that user's sign-in",
}


def rule_for(resource: str, action: str) -> Rule | None:
    return RESOURCES[resource].actions.get(action)
