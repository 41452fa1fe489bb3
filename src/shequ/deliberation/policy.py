"""Who may do what in deliberation: its resources and the roles per action (form: core/policy.py)."""

from __future__ import annotations

from shequ.core.policy import ADMINS, ALL, R, Resource, Rule, declare, unscoped

declare(
    # Meetings (议事会、联席会议) of a building, grid, community or street: seen by all who work in the
    # area; called, run and closed by its staff and social workers, who also put topics on the agenda,
    # record votes and decisions; attendance is also taken at the door by grid workers and building
    # heads.
    Resource(
        "meeting",
        "deliberation.Meeting",
        "area__path",
        {
            "view": Rule(ALL - {R.RESIDENT}),
            "manage": Rule(ADMINS | {R.SOCIAL_WORKER}),
            "attend": Rule(ADMINS | {R.SOCIAL_WORKER, R.GRID_WORKER, R.BUILDING_HEAD}),
            # A resident casts their own vote online, on a meeting of the building they live in.
            "vote": Rule(frozenset({R.RESIDENT})),
        },
    ),
)

declare(
    # Residents' proposals (居民提议): seen by all of the area (a resident, of their own building);
    # made and co-signed by residents; put on an agenda or withdrawn by the staff.
    Resource(
        "proposal",
        "deliberation.Proposal",
        "area__path",
        {
            "view": Rule(ALL),
            "create": Rule(frozenset({R.RESIDENT})),
            "sign": Rule(frozenset({R.RESIDENT})),
            "schedule": Rule(ADMINS | {R.SOCIAL_WORKER}),
            "withdraw": Rule(ADMINS | {R.SOCIAL_WORKER}),
        },
    ),
)

unscoped(
    {
        "deliberation.Topic": "part of its meeting's agenda (scoped through the meeting)",
        "deliberation.Attendance": "part of its meeting (scoped through the meeting)",
        "deliberation.Vote": "part of its meeting (scoped through the meeting)",
        "deliberation.RollEntry": "the owners on the roll of its vote (scoped through the meeting)",
        "deliberation.Ballot": "part of its vote; who voted is read through the meeting, how never alone",
        "deliberation.Signature": "a co-signature of its proposal (scoped through the proposal)",
        "deliberation.Minutes": "the record of its meeting (scoped through the meeting)",
        "deliberation.Amendment": "an attendee's amendment to its minutes (scoped through the meeting)",
        "deliberation.Decision": "part of its meeting (scoped through the meeting)",
        "deliberation.Milestone": "a step of its decision's follow-up (scoped through the meeting)",
        "deliberation.MilestonePhoto": "a photo of its milestone (scoped through the meeting)",
        "deliberation.PostingPhoto": "a photo of its decision's paper notice (scoped through the meeting)",
        "deliberation.Objection": "a resident's objection to its decision (scoped through the meeting)",
        "deliberation.Evaluation": "a resident's rating of its decision (scoped through the meeting)",
    }
)
