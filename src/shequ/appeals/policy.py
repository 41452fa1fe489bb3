"""Who may do what in appeals: its resources and the roles per action (form: core/policy.py)."""

from __future__ import annotations

from shequ.core.policy import ADMINS, ALL, FRONT_LINE, R, Resource, Rule, declare, unscoped

declare(
    # Appeals (诉求/事件): seen by those who work in the area; residents see their own (selectors).
    # What each action of the loop needs beside the role (the level answering for it, the person it
    # was dispatched to, the reporter) is in the loop's rule table, appeals/workflow.py.
    Resource(
        "appeal",
        "appeals.Appeal",
        "area_path",
        {
            "view": Rule(ALL - {R.RESIDENT, R.VOLUNTEER}),
            # Everyone who lives or works there reports; a third-party evaluator does not.
            "create": Rule(ALL - {R.EVALUATOR}),
            "triage": Rule(ADMINS | {R.GRID_WORKER}),
            "handle": Rule(ADMINS | FRONT_LINE),
            "verify": Rule(ADMINS | {R.GRID_WORKER, R.BUILDING_HEAD}),
            "publish": Rule(ADMINS),
            # Staff record a caller's or visitor's satisfaction on a call-back (回访); the reporter
            # evaluates their own whatever their role (the table's grant).
            "evaluate": Rule(ADMINS),
            # The taxonomy's stage deadlines are the same in the whole district: its administrators
            # set them (any district administrator; the rule is held, not placed).
            "configure": Rule(frozenset({R.DISTRICT_ADMIN})),
        },
    ),
)

unscoped(
    {
        "appeals.Category": "the appeal taxonomy, the same in the whole district; changed by district admins",
        "appeals.StageDeadline": "part of the taxonomy (deadlines per category, priority and stage)",
        "appeals.AppealStep": "an appeal's history, read only through the appeal (scoped)",
        "appeals.Evaluation": "part of its appeal, read only through it (scoped)",
        "appeals.Photo": "part of its appeal; served only by a view that checks the appeal",
        "appeals.Notification": "belongs to one user, who alone reads it",
    }
)
