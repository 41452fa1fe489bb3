"""Who may do what in reports: its resources and the roles per action (form: core/policy.py)."""

from __future__ import annotations

from shequ.core.policy import ADMINS, R, Resource, Rule, declare

declare(
    # Monthly and yearly reports (.xlsx, PDF) of a district, street or community: for the offices
    # that report upward and the funders' evaluators. A job belongs to its requester alone (selectors:
    # jobs_for); "view" is downloading one's own report while the area is still within reach. The
    # figures are computed with the requester's scope (reports/services.py: report_build).
    Resource(
        "report",
        "reports.ReportJob",
        "area__path",
        {
            "view": Rule(ADMINS | {R.SOCIAL_WORKER, R.EVALUATOR}),
            "create": Rule(ADMINS | {R.SOCIAL_WORKER, R.EVALUATOR}),
        },
    ),
    # A community's monthly report handed in to its street (issue 16; reports/workflow.py): the
    # community's staff hand it in, the street (or the district) receives it or returns it with a
    # reason; every office above sees which of its communities have handed in.
    Resource(
        "report_submission",
        "reports.ReportSubmission",
        "area_path",
        {
            "view": Rule(ADMINS),
            "submit": Rule(frozenset({R.COMMUNITY_STAFF})),
            "review": Rule(frozenset({R.STREET_OFFICIAL, R.DISTRICT_ADMIN}), below_only=True),
        },
    ),
)
