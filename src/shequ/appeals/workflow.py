"""The appeal loop's one rule table: every action a person takes on an appeal, with its permission (an
action of the policy, policy.py), the stages it starts from and leads to, its input and the rules
beside the role that may refuse it (guards) or let someone act without it (grants).

The services check it before they write, the page draws its buttons and parses its posts with it, the
API builds one endpoint per action from it, and the permission matrix probes every action in it
(tests/matrix_probes.py). The scheduled job's steps (warn, overdue, escalate at a deadline) and the
report itself are not in it: nobody presses a button for them.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shequ.appeals import resolvers, rules
from shequ.appeals.models import FINISHED_STAGES, OPEN_STAGES, Appeal, Stage
from shequ.core.workflow import Action, Field, Grant, Guard, Workflow

MAX_NOTE = 1000
MAX_TEXT = 2000
ESCALATABLE = (Stage.REPORTED, Stage.ACCEPTED, Stage.DISPATCHED, Stage.IN_PROGRESS)

# --- the rules beside the role --------------------------------------------------------------------

AT_LEVEL = Guard(
    "at_answering_level",
    rules.at_answering_level,
    lambda a: str(
        _("This appeal now lies with the %(level)s level; only that level or above can act on it.")
        % {"level": a.get_level_display()}
    ),
    code="forbidden",
)
HANDLER = Guard(
    "handler_or_answering_level",
    rules.handler_or_triager,
    _("Only the person it was dispatched to, or the level answering for it, can do this."),
    code="forbidden",
)
REPORTER_OR_CALL_BACK = Guard(
    "reporter_or_call_back",
    lambda u, a: rules.is_reporter(u, a) or rules.evaluated_on_behalf(a),
    _("Only the person who reported it can evaluate it."),
    code="forbidden",
)
BELOW_TOP = Guard(
    "below_top_level",
    lambda u, a: rules.next_level(a.level) is not None,
    _("The district is the top level; there is no level to escalate to."),
    code="top_level",
    status=400,
)
FINISHED = Guard(
    "finished",
    lambda u, a: a.stage in FINISHED_STAGES,
    _("Only a closed appeal can be published."),
    code="publish_not_closed",
    status=400,
)
NOT_PUBLISHED = Guard(
    "not_published",
    lambda u, a: a.published_at is None,
    _("It is already on the public board."),
    code="already_published",
    status=409,
)
PUBLISHED = Guard(
    "published",
    lambda u, a: a.published_at is not None,
    _("It is not on the public board."),
    code="not_published",
    status=409,
)
NOT_MARKED = Guard(
    "not_marked",
    lambda u, a: not a.for_deliberation,
    _("It is already marked for the joint meeting."),
    code="already_marked",
    status=409,
)
MARKED = Guard(
    "marked",
    lambda u, a: a.for_deliberation,
    _("It is not marked for the joint meeting."),
    code="not_marked",
    status=409,
)
NOT_OWN_REPORT = Guard(
    "not_own_report",
    # A report staff recorded for a caller or a visitor (热线, 来访) is the caller's, not theirs.
    lambda u, a: not rules.is_reporter(u, a) or rules.evaluated_on_behalf(a),
    _("You reported it yourself: another person of the answering level accepts or rejects it."),
    code="own_report",
)
NOT_OWN_WORK = Guard(
    "not_own_work",
    lambda u, a: not rules.did_the_work(u, a),
    _("You did this work yourself: the reporter or another verifier checks it."),
    code="own_work",
)
REPORTER = Grant("reporter", rules.is_reporter)  # verifies and evaluates what they reported
# The person or volunteer team it was dispatched to works on it whatever their role (a volunteer).
DISPATCHED_TO = Grant("dispatched_to", rules.works_on_it)


# --- the inputs ---------------------------------------------------------------------------------------


NOTE_HELP, NOTE_LABEL = _("Note (optional)"), _("Note")


def note(help: str | Promise = NOTE_HELP, label: str | Promise = NOTE_LABEL) -> Field:
    return Field("note", label, kind="textarea", max_length=MAX_NOTE, help=help)


def reason(help: str | Promise) -> Field:
    return Field(
        "reason",
        _("Reason"),
        kind="textarea",
        required=True,
        max_length=MAX_NOTE,
        help=help,
    )


S = Stage


def triage(name: str, label: str | Promise, *, guards: tuple[Guard, ...] = (), **rest: Any) -> Action:
    """An action of the level answering for the appeal (受理, 派单, 办结…): the triage permission, and
    only at that level or above."""
    return Action(name, label, permission="triage", guards=(AT_LEVEL, *guards), **rest)


def text(name: str, label: str | Promise, help: str | Promise, *, required: bool = False) -> Field:
    return Field(name, label, kind="textarea", required=required, max_length=MAX_TEXT, help=help)


APPEAL = Workflow(
    "appeal",
    [
        triage(
            "accept",
            _("Accept"),
            sources=(S.REPORTED,),
            target=S.ACCEPTED,
            fields=(note(),),
            guards=(NOT_OWN_REPORT,),
            style="primary",
        ),
        triage(
            "reject",
            _("Reject"),
            sources=(S.REPORTED, S.ACCEPTED),
            target=S.REJECTED,
            fields=(reason(_("Reason (the reporter is told)")),),
            guards=(NOT_OWN_REPORT,),
        ),
        triage(
            "merge",
            _("Merge into a duplicate"),
            sources=(S.REPORTED, S.ACCEPTED),
            target=S.MERGED,
            button=_("Merge"),
            fields=(
                Field(
                    "into_id",
                    _("Appeal number"),
                    kind="ref",
                    required=True,
                    max_length=20,
                    resolve=resolvers.merge_target,
                    help=_("Number of the appeal it repeats"),
                ),
                note(),
            ),
        ),
        triage(
            "dispatch",
            _("Dispatch"),
            sources=(S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS),
            target=S.DISPATCHED,
            style="primary",
            fields=(
                # One of the three; the page offers both in one list (views.py).
                Field("user_id", _("Handler"), kind="ref", max_length=20, resolve=resolvers.dispatch_person),
                Field(
                    "organisation_id",
                    _("Teams and units"),
                    kind="ref",
                    max_length=20,
                    resolve=resolvers.dispatch_organisation,
                ),
                Field(
                    "team_id", _("Volunteer team"), kind="ref", max_length=20, resolve=resolvers.dispatch_team
                ),
                note(_("Instructions (optional)"), _("Instructions")),
            ),
        ),
        Action(
            "start",
            _("Start work"),
            permission="handle",
            sources=(S.DISPATCHED,),
            target=S.IN_PROGRESS,
            fields=(note(),),
            guards=(HANDLER,),
            grants=(DISPATCHED_TO,),
            style="primary",
        ),
        Action(
            "handle",
            _("Report the result"),
            permission="handle",
            sources=(S.IN_PROGRESS,),
            target=S.HANDLED,
            button=_("Handled"),
            guards=(HANDLER,),
            grants=(DISPATCHED_TO,),
            style="primary",
            fields=(
                text("result", _("Handling result"), _("What was done"), required=True),
                Field("photos", _("Photos of the result"), kind="files"),
            ),
        ),
        Action(
            "rework",
            _("Send back for rework"),
            permission="verify",
            sources=(S.HANDLED,),
            target=S.IN_PROGRESS,
            button=_("Send back"),
            fields=(reason(_("What is still wrong")),),
            grants=(REPORTER,),
        ),
        Action(
            "verify",
            _("Verify"),
            permission="verify",
            sources=(S.HANDLED,),
            target=S.VERIFIED,
            button=_("The work is done"),
            fields=(note(),),
            grants=(REPORTER,),
            guards=(NOT_OWN_WORK,),
            style="primary",
        ),
        triage(
            "close", _("Close"), sources=(S.VERIFIED,), target=S.CLOSED, fields=(note(),), style="primary"
        ),
        triage(
            "reopen",
            _("Reopen"),
            sources=(S.CLOSED,),
            target=S.ACCEPTED,
            fields=(reason(_("Why it is reopened")),),
        ),
        Action(
            "evaluate",
            _("How satisfied are you?"),
            permission="evaluate",
            sources=(S.CLOSED,),
            target=S.EVALUATED,
            button=_("Evaluate"),
            grants=(REPORTER,),
            guards=(REPORTER_OR_CALL_BACK,),
            style="primary",
            fields=(
                Field("score", _("Satisfaction"), kind="int", required=True, min_value=1, max_value=5),
                Field(
                    "comment",
                    _("Comment"),
                    kind="textarea",
                    max_length=MAX_NOTE,
                    help=_("Comment (optional)"),
                ),
            ),
        ),
        # The stage stays, or goes back to accepted when it was with a handler (services/loop.py).
        triage(
            "escalate",
            _("Escalate to the level above"),
            sources=ESCALATABLE,
            button=_("Escalate"),
            fields=(reason(_("Why this level cannot solve it")),),
            guards=(BELOW_TOP,),
        ),
        Action(
            "publish",
            _("Publish on the public board"),
            permission="publish",
            button=_("Publish"),
            guards=(FINISHED, NOT_PUBLISHED),
            style="primary",
            help=_("Names, phones, ID and room numbers are removed before publishing."),
            fields=(
                text(
                    "summary", _("Public summary"), _("Public summary (empty: the description, anonymised)")
                ),
                text("result", _("Public result"), _("Public result (empty: the result, anonymised)")),
            ),
        ),
        Action(
            "unpublish",
            _("Public notice"),
            permission="publish",
            button=_("Take off the public board"),
            guards=(PUBLISHED,),
        ),
        # The seam to deliberation: the meetings' agenda reads what is marked (selectors.appeals_for_agenda).
        triage(
            "mark_for_meeting",
            _("Joint meeting"),
            sources=OPEN_STAGES,
            button=_("Put on the next joint meeting's agenda"),
            guards=(NOT_MARKED,),
        ),
        triage(
            "unmark_for_meeting",
            _("Joint meeting"),
            sources=OPEN_STAGES,
            button=_("Take off the joint meeting's agenda"),
            guards=(MARKED,),
        ),
    ],
    state_of=lambda a: str(a.stage),
    state_label=lambda a: str(a.get_stage_display()),
)

# Every action that moves the stage, and where it leads (the bench replays these).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    a.name: (a.sources, a.target) for a in APPEAL.actions.values() if a.target is not None
}


def available(user: object, appeal: Appeal) -> list[str]:
    """The actions this user may take on this appeal now (its buttons; the API's `actions`)."""
    return [a.name for a in APPEAL.available(user, appeal)]
