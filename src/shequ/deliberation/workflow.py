"""The rule tables of deliberation (core/workflow.py): one per workflow. Services check them before
they write, pages draw their buttons and forms from them, the API has one endpoint per action."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.workflow import Action, Field, Grant, Guard, Workflow
from shequ.deliberation import resolvers
from shequ.deliberation.homes import LIVES_HERE, SIGNS_HERE
from shequ.deliberation.models import (
    Base,
    Choice,
    DecisionStatus,
    MeetingStatus,
    MinutesStatus,
    ProposalStatus,
    VoteMethod,
    VoteRule,
    VoteStatus,
    VoteUnit,
)

DRAFT, NOTIFIED, IN_SESSION, CLOSED = (
    MeetingStatus.DRAFT.value,
    MeetingStatus.NOTIFIED.value,
    MeetingStatus.IN_SESSION.value,
    MeetingStatus.CLOSED.value,
)
# The agenda can change until the meeting closes; a closed or cancelled meeting is a record.
AGENDA_OPEN = (DRAFT, NOTIFIED, IN_SESSION)


def _options(choices: Any) -> Any:
    return lambda: [(k, str(v)) for k, v in choices.choices]


_bases = _options(Base)


MEETING = Workflow(
    "meeting",
    [
        Action(
            "notify",
            _("Send the notice"),
            permission="manage",
            sources=(DRAFT,),
            target=NOTIFIED,
            style="primary",
        ),
        Action(
            "open",
            _("Open the meeting"),
            permission="manage",
            sources=(NOTIFIED,),
            target=IN_SESSION,
            style="primary",
        ),
        Action(
            "close",
            _("Close the meeting"),
            permission="manage",
            sources=(IN_SESSION,),
            target=CLOSED,
            confirm=_("Close the meeting? Attendance and votes can no longer be recorded."),
        ),
        Action(
            "cancel",
            _("Cancel the meeting"),
            permission="manage",
            sources=(DRAFT, NOTIFIED),
            target=MeetingStatus.CANCELLED.value,
            style="danger",
            confirm=_("Cancel the meeting? Its venue booking is released."),
        ),
        Action(
            "add_topic",
            _("Put a topic on the agenda"),
            permission="manage",
            sources=AGENDA_OPEN,
            fields=(
                Field("title", _("Title"), required=True, max_length=200),
                Field("description", _("Description"), kind="textarea", max_length=4000),
                Field(
                    "appeal",
                    _("From appeal no."),
                    kind="ref",
                    resolve=resolvers.appeal,
                    help=_("The appeal's number, when the topic comes from a resident's appeal."),
                ),
                Field("participants_base", _("Who takes part"), kind="choice", choices=_bases),
            ),
        ),
        Action(
            "attend",
            _("Record attendance"),
            permission="attend",
            sources=(IN_SESSION,),
            fields=(
                Field("resident", _("Resident no."), kind="ref", required=True, resolve=resolvers.resident),
                Field("proxy_name", _("Came by proxy (name)"), max_length=50),
                Field("is_delegate", _("Group delegate"), kind="bool"),
            ),
        ),
        Action(
            "open_vote",
            _("Put a question to the vote"),
            permission="manage",
            sources=(IN_SESSION,),
            fields=(
                Field("question", _("Question"), required=True, max_length=300),
                Field("topic", _("Topic no."), kind="ref", resolve=resolvers.meeting_topic),
                Field("method", _("Method"), kind="choice", required=True, choices=_options(VoteMethod)),
                Field("unit", _("One vote per"), kind="choice", required=True, choices=_options(VoteUnit)),
                Field("rule", _("Rule"), kind="choice", required=True, choices=_options(VoteRule)),
                Field("secret", _("Secret vote (who voted is kept, not how)"), kind="bool"),
            ),
        ),
        Action(
            "write_minutes",
            _("Write the minutes"),
            permission="manage",
            sources=(IN_SESSION, CLOSED),
            guards=(
                Guard(
                    "one_record",
                    lambda _u, m: not m.minutes.filter(corrects=None).exists(),
                    _("The minutes of this meeting are written; correct them instead."),
                    code="minutes_exist",
                    status=409,
                ),
            ),
            fields=(Field("text", _("Minutes"), kind="textarea", required=True, max_length=20_000),),
        ),
        Action(
            "decide",
            _("Record a decision"),
            permission="manage",
            sources=(IN_SESSION, CLOSED),
            fields=(
                Field("text", _("Decision"), kind="textarea", required=True, max_length=4000),
                Field("responsible", _("Responsible (督办)"), required=True, max_length=100),
                Field("deadline", _("Deadline (YYYY-MM-DD)"), max_length=10),
                Field(
                    "vote",
                    _("Vote no."),
                    kind="ref",
                    resolve=resolvers.meeting_vote,
                    help=_("The closed vote the decision rests on; none when agreed by consultation."),
                ),
                Field("topic", _("Topic no."), kind="ref", resolve=resolvers.meeting_topic),
            ),
        ),
    ],
    state_of=lambda m: m.status,
    state_label=lambda m: str(m.get_status_display()),
)


def _has_voted(user: Any, vote: Any) -> bool:
    from shequ.deliberation.selectors import voter_key

    key = voter_key(vote, getattr(user, "resident_record", None))
    return key is not None and vote.ballots.filter(voter=key).exists()


def _method_is(method: str) -> Any:
    return lambda _user, vote: vote.method == method


BALLOTS_ONLY = Guard(
    "ballots_only",
    _method_is(VoteMethod.BALLOT),
    _("This vote is taken by a show of hands."),
    code="not_a_ballot",
    status=400,
)
HANDS_ONLY = Guard(
    "hands_only",
    _method_is(VoteMethod.HANDS),
    _("This vote is taken by ballots."),
    code="not_hands",
    status=400,
)
ROLL_ONLY = Guard(
    "roll_only",
    lambda _user, vote: vote.by_floor_area,
    _("Only a vote by floor area has a roll of owners."),
    code="no_roll",
    status=400,
)
OPEN = (VoteStatus.OPEN.value,)

VOTE = Workflow(
    "meeting",  # a vote is checked on its meeting's place (Vote.area)
    [
        Action(
            "cast",
            _("Vote"),
            permission="vote",
            grants=(LIVES_HERE,),
            sources=OPEN,
            style="primary",
            fields=(Field("choice", _("Your vote"), kind="choice", required=True, choices=_options(Choice)),),
            guards=(
                BALLOTS_ONLY,
                Guard(
                    "not_twice",
                    lambda u, v: not _has_voted(u, v),
                    _("A vote has already been cast for you or your household."),
                    code="already_voted",
                    status=409,
                ),
            ),
        ),
        Action(
            "record",
            _("Record a paper ballot"),
            permission="manage",
            sources=OPEN,
            fields=(
                Field("resident", _("Resident no."), kind="ref", required=True, resolve=resolvers.resident),
                Field("choice", _("Vote"), kind="choice", required=True, choices=_options(Choice)),
            ),
            guards=(BALLOTS_ONLY,),
        ),
        Action(
            "enrol",
            _("Put an owner on the roll"),
            permission="manage",
            sources=OPEN,
            fields=(
                Field(
                    "resident",
                    _("Owner (resident no.)"),
                    kind="ref",
                    required=True,
                    resolve=resolvers.resident,
                ),
                Field(
                    "floor_area",
                    _("Exclusive floor area (m²)"),
                    max_length=12,
                    help=_("Left empty: the household record's."),
                ),
            ),
            guards=(ROLL_ONLY,),
        ),
        Action(
            "enrol_registry",
            _("Fill the roll from the household records"),
            permission="manage",
            sources=OPEN,
            guards=(ROLL_ONLY,),
        ),
        Action(
            "count_hands",
            _("Enter the show of hands"),
            permission="manage",
            sources=OPEN,
            fields=(
                Field("votes_for", _("For"), kind="int", required=True, min_value=0, max_value=100_000),
                Field(
                    "votes_against", _("Against"), kind="int", required=True, min_value=0, max_value=100_000
                ),
                Field(
                    "votes_abstain",
                    _("Abstaining"),
                    kind="int",
                    required=True,
                    min_value=0,
                    max_value=100_000,
                ),
                Field("counted_by", _("Counted by"), required=True, max_length=50),
            ),
            guards=(HANDS_ONLY,),
        ),
        Action(
            "close",
            _("Close the vote"),
            permission="manage",
            sources=OPEN,
            target=VoteStatus.CLOSED.value,
            confirm=_("Close the vote? The result is shown once it is closed."),
        ),
    ],
    state_of=lambda v: v.status,
    state_label=lambda v: str(v.get_status_display()),
)

VALID_ONLY = Guard(
    "valid_only",
    lambda _u, d: d.valid,
    _("A decision that is not valid is not posted as the community's decision."),
    code="not_valid",
    status=400,
)


POSTED = Guard(
    "posted_only",
    lambda _u, d: d.posted_at is not None,
    _("The decision is not posted."),
    code="not_posted",
    status=400,
)


def _objection_window_open(_user: Any, decision: Any) -> bool:
    from django.utils import timezone

    return decision.objection_until is not None and timezone.localdate() <= decision.objection_until


def _has_objected(user: Any, decision: Any) -> bool:
    resident = getattr(user, "resident_record", None)
    return resident is not None and decision.objections.filter(resident=resident).exists()


def _has_evaluated(user: Any, decision: Any) -> bool:
    resident = getattr(user, "resident_record", None)
    return resident is not None and decision.evaluations.filter(rater=f"resident:{resident.pk}").exists()


DECISION = Workflow(
    "meeting",  # a decision is checked on its meeting's place (Decision.area)
    [
        Action(
            "post",
            _("Post on the public page"),
            permission="manage",
            sources=(DecisionStatus.ADOPTED.value, DecisionStatus.DONE.value),
            guards=(VALID_ONLY,),
            fields=(
                Field(
                    "summary",
                    _("Public text"),
                    kind="textarea",
                    max_length=4000,
                    help=_("Left empty: the decision's text. Names, phones and room numbers are taken out."),
                ),
                Field("days", _("Posted for (days)"), kind="int", min_value=1, max_value=90),
                Field("objection_days", _("Objections within (days)"), kind="int", min_value=0, max_value=90),
            ),
        ),
        Action(
            "done",
            _("Mark as implemented"),
            permission="manage",
            sources=(DecisionStatus.ADOPTED.value,),
            target=DecisionStatus.DONE.value,
        ),
        Action(
            "notice_photo",
            _("Add the photo of the paper notice"),
            permission="manage",
            sources=(DecisionStatus.ADOPTED.value, DecisionStatus.DONE.value),
            guards=(POSTED,),
            fields=(Field("photos", _("Photos of the notice on the board"), kind="files"),),
        ),
        Action(
            "object",
            _("Object to the decision"),
            permission="vote",
            grants=(LIVES_HERE,),
            sources=(DecisionStatus.ADOPTED.value, DecisionStatus.DONE.value),
            guards=(
                POSTED,
                Guard(
                    "in_window",
                    _objection_window_open,
                    _("The window for objections has closed."),
                    code="objection_window_closed",
                    status=409,
                ),
                Guard(
                    "not_twice",
                    lambda u, d: not _has_objected(u, d),
                    _("You have objected to this decision."),
                    code="already_objected",
                    status=409,
                ),
            ),
            fields=(Field("text", _("Your objection"), kind="textarea", required=True, max_length=1000),),
        ),
        Action(
            "add_milestone",
            _("Add a follow-up milestone"),
            permission="manage",
            sources=(DecisionStatus.ADOPTED.value,),
            guards=(VALID_ONLY,),
            fields=(
                Field("title", _("Milestone"), required=True, max_length=200),
                Field("owner", _("Owner"), required=True, max_length=100),
                Field("due", _("Due (YYYY-MM-DD)"), required=True, max_length=10),
            ),
        ),
        Action(
            "evaluate",
            _("Rate the implementation"),
            permission="vote",
            grants=(LIVES_HERE,),
            sources=(DecisionStatus.DONE.value,),
            style="primary",
            guards=(
                VALID_ONLY,
                Guard(
                    "not_twice",
                    lambda u, d: not _has_evaluated(u, d),
                    _("You have rated this decision."),
                    code="already_evaluated",
                    status=409,
                ),
            ),
            fields=(
                Field("score", _("Score (1–5)"), kind="int", required=True, min_value=1, max_value=5),
                Field("comment", _("Comment"), kind="textarea", max_length=500),
            ),
        ),
    ],
    state_of=lambda d: d.status,
    state_label=lambda d: str(d.get_status_display()),
)


MILESTONE = Workflow(
    "meeting",  # a milestone is checked on its meeting's place (Milestone.area)
    [
        Action(
            "progress",
            _("Report progress"),
            permission="manage",
            sources=("open",),
            style="primary",
            fields=(
                Field("progress", _("Progress (%)"), kind="int", required=True, min_value=0, max_value=100),
                Field("note", _("What was done"), kind="textarea", max_length=2000),
                Field("photos", _("Photos"), kind="files"),
            ),
        ),
    ],
    state_of=lambda m: "done" if m.done_at is not None else "open",
    state_label=lambda m: str(_("Done") if m.done_at is not None else _("Under way")),
)


def _window_open(_user: Any, minutes: Any) -> bool:
    from django.utils import timezone

    return minutes.amend_until is None or timezone.now() <= minutes.amend_until


def _attended(user: Any, minutes: Any) -> bool:
    resident = getattr(user, "resident_record", None)
    return resident is not None and minutes.meeting.attendances.filter(resident=resident).exists()


# Those present at the meeting propose amendments to its minutes, whatever their role.
ATTENDED = Grant("attended", _attended)

NOT_FROZEN = Guard(
    "not_frozen",
    lambda _u, m: m.status != MinutesStatus.FROZEN,
    _("The minutes are frozen and signed: record a correction instead."),
    code="minutes_frozen",
    status=409,
)

MINUTES = Workflow(
    "meeting",  # minutes are checked on their meeting's place (Minutes.area)
    [
        Action(
            "amend",
            _("Amend the minutes"),
            permission="manage",
            guards=(
                NOT_FROZEN,
                Guard(
                    "in_window",
                    _window_open,
                    _("The window for amendments has closed."),
                    code="amend_window_closed",
                    status=409,
                ),
            ),
            fields=(Field("text", _("Minutes"), kind="textarea", required=True, max_length=20_000),),
        ),
        Action(
            "propose_amendment",
            _("Propose an amendment"),
            permission="manage",
            grants=(ATTENDED,),
            sources=(MinutesStatus.AMENDING.value,),
            style="primary",
            guards=(
                Guard(
                    "in_window",
                    _window_open,
                    _("The window for amendments has closed."),
                    code="amend_window_closed",
                    status=409,
                ),
            ),
            fields=(Field("text", _("Your amendment"), kind="textarea", required=True, max_length=2000),),
        ),
        Action(
            "open_amendments",
            _("Open for amendments"),
            permission="manage",
            sources=(MinutesStatus.DRAFT.value,),
            target=MinutesStatus.AMENDING.value,
            fields=(
                Field("days", _("Days for amendments"), kind="int", required=True, min_value=1, max_value=30),
            ),
        ),
        Action(
            "freeze",
            _("Freeze and sign"),
            permission="manage",
            sources=(MinutesStatus.DRAFT.value, MinutesStatus.AMENDING.value),
            target=MinutesStatus.FROZEN.value,
            confirm=_("Freeze the minutes? They can then only be corrected by a new, linked record."),
        ),
        Action(
            "correct",
            _("Record a correction"),
            permission="manage",
            sources=(MinutesStatus.FROZEN.value,),
            fields=(Field("text", _("Correction"), kind="textarea", required=True, max_length=20_000),),
        ),
    ],
    state_of=lambda m: m.status,
    state_label=lambda m: str(m.get_status_display()),
)


def _has_signed(user: Any, proposal: Any) -> bool:
    from shequ.deliberation.selectors import signer_key

    key = signer_key(proposal, getattr(user, "resident_record", None))
    return key is not None and proposal.signatures.filter(signer=key).exists()


GATHERING = (ProposalStatus.OPEN.value, ProposalStatus.QUALIFIED.value)

PROPOSAL = Workflow(
    "proposal",
    [
        Action(
            "sign",
            _("Co-sign"),
            permission="sign",
            grants=(SIGNS_HERE,),
            sources=(ProposalStatus.OPEN.value,),
            style="primary",
            guards=(
                Guard(
                    "not_twice",
                    lambda u, p: not _has_signed(u, p),
                    _("You have signed it."),
                    code="already_signed",
                    status=409,
                ),
            ),
        ),
        Action(
            "schedule",
            _("Put on the agenda"),
            permission="schedule",
            sources=GATHERING,
            target=ProposalStatus.SCHEDULED.value,
            fields=(
                Field(
                    "meeting",
                    _("Meeting no."),
                    kind="ref",
                    required=True,
                    resolve=resolvers.meeting_for_proposal,
                ),
            ),
        ),
        Action(
            "withdraw",
            _("Withdraw"),
            permission="withdraw",
            sources=GATHERING,
            target=ProposalStatus.WITHDRAWN.value,
            style="danger",
            confirm=_("Withdraw the proposal?"),
        ),
    ],
    state_of=lambda p: p.status,
    state_label=lambda p: str(p.get_status_display()),
)
