"""The group's rule table: the stages of MZ/T 095-2017 (筹备 → 形成 → 转折 → 成熟 → 结束) and every step
of a group's work. Services check it, the group page draws its buttons, the API builds one endpoint
per action from it, the permission matrix probes it. Only the group's worker works the group."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.casework import resolvers
from shequ.casework.models import GoalsMet, GroupStage
from shequ.core.workflow import Action, Field, Guard, Workflow

OPEN = tuple(s for s in GroupStage.values if s != GroupStage.CLOSED)
MEETING = (GroupStage.FORMATION, GroupStage.TRANSITION, GroupStage.MATURITY, GroupStage.ENDING)
MIN_MEMBERS = 2


def _goals_met() -> list[tuple[str, str]]:
    return [(v, str(label)) for v, label in GoalsMet.choices]


def is_group_worker(user: Any, group: Any) -> bool:
    return getattr(user, "pk", None) == group.owner_id


GROUP_WORKER = Guard(
    "group_worker",
    is_group_worker,
    _("Only the group's worker does this."),
    code="not_group_worker",
    status=403,
)
ENOUGH_MEMBERS = Guard(
    "enough_members",
    lambda u, g: g.members.filter(left_at__isnull=True).count() >= MIN_MEMBERS,
    _("A group starts with at least two members."),
    code="too_few_members",
    status=409,
)
HAS_SESSION = Guard(
    "has_session",
    lambda u, g: g.sessions.exists(),
    _("Record a session first."),
    code="no_session",
    status=409,
)


def _next(name: str, label: Any, source: str, target: str, *guards: Guard) -> Action:
    return Action(
        name, label, permission="work", sources=(source,), target=target, guards=(GROUP_WORKER, *guards)
    )


GROUP = Workflow(
    "group",
    [
        Action(
            "add_member",
            _("Add a member"),
            permission="work",
            sources=(GroupStage.PREPARATION, GroupStage.FORMATION),
            guards=(GROUP_WORKER,),
            style="primary",
            fields=(
                Field(
                    "resident", _("Resident no. (from the registry)"), kind="ref", resolve=resolvers.resident
                ),
                Field("case", _("Or a case no. (its client joins)"), kind="ref", resolve=resolvers.case),
            ),
        ),
        Action(
            "remove_member",
            _("A member leaves"),
            permission="work",
            sources=OPEN,
            guards=(GROUP_WORKER,),
            fields=(
                Field("member", _("Member"), kind="ref", required=True, resolve=resolvers.member_of_group),
            ),
        ),
        Action(
            "score_before",
            _("Score before (pre-test)"),
            permission="work",
            sources=(GroupStage.PREPARATION, GroupStage.FORMATION),
            guards=(GROUP_WORKER,),
            fields=(
                Field("member", _("Member"), kind="ref", required=True, resolve=resolvers.member_of_group),
                Field("score", _("Score"), kind="int", required=True),
            ),
        ),
        _next(
            "form", _("Start the group (形成)"), GroupStage.PREPARATION, GroupStage.FORMATION, ENOUGH_MEMBERS
        ),
        Action(
            "session",
            _("Record a session"),
            permission="work",
            sources=MEETING,
            guards=(GROUP_WORKER,),
            style="primary",
            fields=(
                Field("held_on", _("Held on"), required=True, max_length=10, help=_("YYYY-MM-DD")),
                Field("topic", _("Topic of the session"), required=True, max_length=200),
                Field("record", _("Record of the session"), kind="textarea", required=True, max_length=2000),
                Field("present", _("Present"), max_length=2000, help=_("The members who came.")),
            ),
        ),
        _next(
            "to_transition",
            _("Move to transition (转折)"),
            GroupStage.FORMATION,
            GroupStage.TRANSITION,
            HAS_SESSION,
        ),
        _next("to_maturity", _("Move to maturity (成熟)"), GroupStage.TRANSITION, GroupStage.MATURITY),
        _next("to_ending", _("Move to ending (结束)"), GroupStage.MATURITY, GroupStage.ENDING),
        Action(
            "score_after",
            _("Score after (post-test)"),
            permission="work",
            sources=(GroupStage.ENDING,),
            guards=(GROUP_WORKER,),
            fields=(
                Field("member", _("Member"), kind="ref", required=True, resolve=resolvers.member_of_group),
                Field("score", _("Score"), kind="int", required=True),
            ),
        ),
        Action(
            "close",
            _("Record the outcome and close"),
            permission="work",
            sources=(GroupStage.ENDING,),
            target=GroupStage.CLOSED,
            guards=(GROUP_WORKER,),
            style="danger",
            fields=(
                Field("aims_met", _("Aims met"), kind="choice", required=True, choices=_goals_met),
                Field("outcome", _("Outcome"), kind="textarea", required=True, max_length=2000),
            ),
        ),
    ],
    state_of=lambda g: str(g.stage),
    state_label=lambda g: str(g.get_stage_display()),
)
