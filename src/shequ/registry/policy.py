"""Who may do what in registry: its resources and the roles per action (form: core/policy.py)."""

from __future__ import annotations

from shequ.core.policy import (
    ADMINS,
    ALL,
    CARERS,
    FRONT_LINE,
    REGISTRARS,
    R,
    Resource,
    Rule,
    declare,
    unscoped,
)

declare(
    # A resident's request to correct what is held on them: seen and resolved by the staff who keep
    # the register of their area (the resident sees their own through "my data").
    Resource(
        "correction",
        "registry.CorrectionRequest",
        "resident__area__path",
        {"view": Rule(ADMINS | REGISTRARS), "resolve": Rule(REGISTRARS)},
    ),
    Resource(
        "household",
        "registry.Household",
        "area__path",
        {
            "view": Rule(ADMINS | FRONT_LINE),
            "create": Rule(REGISTRARS),
            "export": Rule(ADMINS | CARERS),
            "import": Rule(REGISTRARS),
        },
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
            "export": Rule(ADMINS | CARERS),
            "import": Rule(ADMINS | {R.SOCIAL_WORKER}),
        },
    ),
)

unscoped(
    {
        "registry.ResidentEvent": "a resident's history, read only through the resident (scoped)",
        "registry.Assistance": "a special group: reached through its resident, under special_group",
        "registry.LeftBehindChild": "a special group: reached through its resident, under special_group",
        "registry.Veteran": "a special group: reached through its resident, under special_group",
        "registry.Supervision": "a special group: reached through its resident, under special_group",
        "registry.Pregnancy": "a special group: reached through its resident, under special_group",
        "registry.ChronicIllness": "a special group: reached through its resident, under special_group",
        "registry.BuildingProfile": "part of its building (an area, scoped)",
    }
)
