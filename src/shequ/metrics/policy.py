"""Who may do what in metrics: its resources and the roles per action (form: core/policy.py)."""

from __future__ import annotations

from shequ.core.policy import ADMINS, ALL, R, Resource, Rule, declare

declare(
    # Service metrics (issue 8): an area's dashboard, its figures and the lists behind each number,
    # for those who work in the area and the third-party evaluators; every figure is computed
    # over the records the viewer may see (metrics/compute.py), so a grid worker's dashboard counts
    # their grid. The area is the dashboard's object (core.Area, like "area").
    Resource(
        "dashboard",
        "core.Area",
        "path",
        {"view": Rule(ALL - {R.RESIDENT, R.VOLUNTEER})},
    ),
    # Yearly targets (e.g. party volunteer service ≥ 200 person-times): set by the community for
    # itself, by a street for itself and its communities, by the district for all.
    Resource(
        "target",
        "metrics.YearlyTarget",
        "area__path",
        {"view": Rule(ALL - {R.RESIDENT, R.VOLUNTEER}), "set": Rule(ADMINS)},
    ),
)
