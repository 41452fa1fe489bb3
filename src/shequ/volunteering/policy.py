"""Who may do what in volunteering: its resources and the roles per action (form: core/policy.py)."""

from __future__ import annotations

from shequ.core.policy import ADMINS, ALL, R, Resource, Rule, declare, unscoped

declare(
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
)

unscoped(
    {
        "volunteering.Shift": "part of its activity (scoped)",
        "volunteering.SignUp": "part of its activity; a volunteer reaches only their own (selectors)",
        "volunteering.Attendance": "part of its sign-up",
        "volunteering.ServiceHours": "part of its sign-up; read through its activity or volunteer (scoped)",
        "volunteering.HoursCorrection": "the history of its service hours",
        "volunteering.Redemption": "part of its volunteer (scoped)",
        "volunteering.PointEntry": "the points ledger of its volunteer (scoped)",
        "volunteering.ActivityReport": "part of its activity (scoped)",
        "volunteering.ReportPhoto": "part of its activity report; served by a view that checks the activity",
        "volunteering.ServiceRecord": "part of its activity; counted by area through the activity's scope",
        "volunteering.GroupMeeting": "part of its 1+1+5 group (scoped)",
        "volunteering.GroupProblem": "part of its 1+1+5 group (scoped)",
        "volunteering.GroupAction": "part of a problem of its 1+1+5 group (scoped)",
        "volunteering.Attendee": "part of its activity (scoped); the resident is checked when added",
    }
)
