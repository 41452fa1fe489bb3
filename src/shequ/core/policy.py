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
        # Appeals (诉求/事件): seen by those who work in the area; residents see their own (selectors).
        # Triage (accept, reject, merge, dispatch, close, reopen, escalate) also needs a role at the
        # level answering for the appeal or above (services).
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
            },
        ),
        # Volunteering (社工+志愿服务). Volunteers are kept by the staff who organise them; a volunteer
        # also sees their own record (selectors). Published activities are seen by everyone of the area
        # and of the areas below it, drafts only by those who manage them (selectors); volunteers and
        # residents sign up, check in and read their own hours through their own record (services);
        # a resident registers themselves as a volunteer of their own community (services:
        # volunteer_register_self, to be verified under "manage"). The yearly recognition list is
        # read under volunteer "view".
        Resource(
            "volunteer",
            "volunteering.Volunteer",
            "area__path",
            {
                "view": Rule(ADMINS | {R.SOCIAL_WORKER}),
                # register, verify, link an account, record a redemption of points
                "manage": Rule(ADMINS | {R.SOCIAL_WORKER}),
            },
        ),
        Resource(
            "team",
            "volunteering.Team",
            "area__path",
            {"view": Rule(ALL - {R.RESIDENT}), "manage": Rule(ADMINS | {R.SOCIAL_WORKER})},
        ),
        # Party leads youth (党建带团建): the 1+1+5 groups, kept by the social workers who form them.
        Resource(
            "youth_group",
            "volunteering.YouthGroup",
            "area__path",
            {"view": Rule(ADMINS | {R.SOCIAL_WORKER}), "manage": Rule(ADMINS | {R.SOCIAL_WORKER})},
        ),
        Resource(
            "activity",
            "volunteering.Activity",
            "area__path",
            {
                "view": Rule(ALL),
                # create, edit, publish, cancel, finish; attendance from the list, hours, write reports
                "manage": Rule(ADMINS | {R.SOCIAL_WORKER}),
                # read the report (简报) with its photos: the funders and supervisors (street, district,
                # third-party evaluators) and the staff of the area
                "report": Rule(ADMINS | {R.SOCIAL_WORKER, R.EVALUATOR}),
            },
        ),
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
    "appeals.Category": "the appeal taxonomy, the same in the whole district; changed by district admins",
    "appeals.StageDeadline": "part of the taxonomy (deadlines per category, priority and stage)",
    "appeals.AppealStep": "an appeal's history, read only through the appeal (scoped)",
    "appeals.Evaluation": "part of its appeal, read only through it (scoped)",
    "appeals.Photo": "part of its appeal; served only by a view that checks the appeal",
    "appeals.Notification": "belongs to one user, who alone reads it",
    "volunteering.Shift": "part of its activity (scoped)",
    "volunteering.SignUp": "part of its activity; a volunteer reaches only their own (selectors)",
    "volunteering.Attendance": "part of its sign-up",
    "volunteering.ServiceHours": "part of its sign-up; read through the activity or the volunteer (scoped)",
    "volunteering.HoursCorrection": "the history of its service hours",
    "volunteering.Redemption": "part of its volunteer (scoped)",
    "volunteering.PointEntry": "the points ledger of its volunteer (scoped)",
    "volunteering.ActivityReport": "part of its activity (scoped)",
    "volunteering.ReportPhoto": "part of its activity report; served only by a view that checks the activity",
    "volunteering.ServiceRecord": "part of its activity; counted by area through the activity's scope",
    "volunteering.GroupMeeting": "part of its 1+1+5 group (scoped)",
    "volunteering.GroupProblem": "part of its 1+1+5 group (scoped)",
    "volunteering.GroupAction": "part of a problem of its 1+1+5 group (scoped)",
    "core.SecondFactor": "belongs to one user: read only at that user's sign-in; reset by their admin",
    "core.RecoveryCode": "belongs to one user: digests, read only at that user's sign-in",
}


def rule_for(resource: str, action: str) -> Rule | None:
    return RESOURCES[resource].actions.get(action)
