"""Who may do what in resources: its resources and the roles per action (form: core/policy.py)."""

from __future__ import annotations

from shequ.core.policy import ADMINS, ALL, R, Resource, Rule, declare, unscoped

declare(
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
)

unscoped(
    {
        "resources.Venue": "part of its resource (shares its key), reached only through it, under resource",
        "resources.VenueBooking": "a use of its venue; read through the venue's resource (bookings_for)",
    }
)
