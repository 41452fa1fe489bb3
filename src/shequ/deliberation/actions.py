"""One way from a request to a service, for each of deliberation's rule tables: the table, how the
object it acts on is found for a user, and the service of each of its actions. The pages (`views.py`)
and the API (`api.py`, one endpoint per action, generated from this list) both call `perform`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shequ.core.workflow import Workflow, version_of
from shequ.deliberation import selectors
from shequ.deliberation.models import Decision, Meeting, Milestone, Minutes, Proposal, Vote
from shequ.deliberation.services import (
    attendance,
    decisions,
    evaluations,
    followup,
    meetings,
    minutes,
    proposals,
    topics,
    votes,
)
from shequ.deliberation.workflow import DECISION, MEETING, MILESTONE, MINUTES, PROPOSAL, VOTE


@dataclass(frozen=True)
class Acts:
    """A table and the services of its actions. `noun` is the service's keyword for the object and
    the API's path (`/api/<noun>s/{id}/<action>`); `versioned` the actions that need the version the
    user saw (those that move the object's state; adding to it does not)."""

    table: Workflow
    noun: str
    model: type[Any]
    get: Callable[[Any, int], Any]
    services: Mapping[str, Callable[..., Any]]
    versioned: frozenset[str] = field(default_factory=frozenset)

    @property
    def plural(self) -> str:
        return "minutes" if self.noun == "minutes" else f"{self.noun}s"


MEETING_ACTS = Acts(
    MEETING,
    "meeting",
    Meeting,
    selectors.meeting_for,
    {
        "notify": meetings.meeting_notify,
        "open": meetings.meeting_open,
        "close": meetings.meeting_close,
        "cancel": meetings.meeting_cancel,
        "add_topic": topics.topic_add,
        "attend": attendance.attendance_record,
        "open_vote": votes.vote_open,
        "decide": decisions.decision_record,
        "write_minutes": minutes.minutes_write,
    },
    frozenset({"notify", "open", "close", "cancel"}),
)
VOTE_ACTS = Acts(
    VOTE,
    "vote",
    Vote,
    selectors.vote_for,
    {
        "cast": votes.vote_cast,
        "record": votes.vote_record,
        "enrol": votes.vote_enrol,
        "enrol_registry": votes.vote_enrol_registry,
        "count_hands": votes.vote_count_hands,
        "close": votes.vote_close,
    },
    frozenset({"count_hands", "close"}),
)
DECISION_ACTS = Acts(
    DECISION,
    "decision",
    Decision,
    selectors.decision_for,
    {
        "post": decisions.decision_post,
        "done": decisions.decision_done,
        "add_milestone": followup.milestone_add,
        "evaluate": evaluations.decision_evaluate,
        "object": evaluations.decision_object,
        "notice_photo": decisions.decision_notice_photo,
    },
    frozenset({"post", "done"}),
)
MILESTONE_ACTS = Acts(
    MILESTONE,
    "milestone",
    Milestone,
    selectors.milestone_for,
    {"progress": followup.milestone_progress},
    frozenset({"progress"}),
)
MINUTES_ACTS = Acts(
    MINUTES,
    "minutes",
    Minutes,
    selectors.minutes_for,
    {
        "amend": minutes.minutes_amend,
        "propose_amendment": minutes.minutes_propose_amendment,
        "open_amendments": minutes.minutes_open_amendments,
        "freeze": minutes.minutes_freeze,
        "correct": minutes.minutes_correct,
    },
    frozenset({"amend", "open_amendments", "freeze", "correct"}),
)
PROPOSAL_ACTS = Acts(
    PROPOSAL,
    "proposal",
    Proposal,
    selectors.proposal_for,
    {
        "sign": proposals.proposal_sign,
        "schedule": proposals.proposal_schedule,
        "withdraw": proposals.proposal_withdraw,
    },
    frozenset({"schedule", "withdraw"}),
)

TABLES: tuple[Acts, ...] = (
    MEETING_ACTS,
    VOTE_ACTS,
    DECISION_ACTS,
    MILESTONE_ACTS,
    MINUTES_ACTS,
    PROPOSAL_ACTS,
)


def perform(acts: Acts, action: str, *, by: Any, obj: Any, data: Mapping[str, Any], files: Any = None) -> Any:
    """Parse the input of `action` as the table says (a posted form or an API body) and call its
    service; the refusals are the table's and the service's."""
    values = acts.table.parse(action, data, user=by, obj=obj, files=files)
    version = version_of(data) if action in acts.versioned else None
    return acts.services[action](by=by, version=version, **{acts.noun: obj}, **values)
