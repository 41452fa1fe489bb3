"""Who may do what in needs: its resources and the roles per action (form: core/policy.py)."""

from __future__ import annotations

from shequ.core.policy import ADMINS, ALL, CARERS, FRONT_LINE, R, Resource, Rule, declare

declare(
    # Needs (走访, 需求, 满意度测评). Home visits are made and read by those who serve the area face to
    # face; the needs they find are raised by them and closed by the staff and workers who act on
    # them. Surveys are seen by those who work in the area and in the areas below it (selectors) and
    # by evaluators; a resident answers the surveys of their home for themselves through the record
    # linked to their account (services), staff type in paper answers under "record".
    Resource(
        "visit",
        "needs.Visit",
        "area_path",
        {"view": Rule(ADMINS | FRONT_LINE), "create": Rule(CARERS | {R.BUILDING_HEAD})},
    ),
    Resource(
        "need",
        "needs.Need",
        "area_path",
        {
            "view": Rule(ADMINS | FRONT_LINE),
            "create": Rule(CARERS | {R.BUILDING_HEAD}),
            "close": Rule(CARERS),
        },
    ),
    Resource(
        "survey",
        "needs.Survey",
        "area_path",
        {
            "view": Rule(ALL - {R.RESIDENT, R.VOLUNTEER}),
            "manage": Rule(ADMINS | {R.SOCIAL_WORKER}),
        },
    ),
    Resource(
        "survey_response",
        "needs.SurveyResponse",
        "area_path",
        {"view": Rule(ADMINS | CARERS), "record": Rule(ADMINS | CARERS)},
    ),
)
