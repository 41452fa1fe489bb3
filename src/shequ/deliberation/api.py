"""Deliberation API: the same selectors, services and rule table as the pages — one endpoint per
action of the MEETING table, its body built from the table."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import create_model

from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages
from shequ.core.errors import NotFound
from shequ.core.http import ApiRequest
from shequ.core.workflow import Workflow, version_of
from shequ.deliberation import resolvers, selectors
from shequ.deliberation.models import (
    Base,
    Decision,
    Meeting,
    MeetingKind,
    MeetingMode,
    Minutes,
    Proposal,
    Vote,
)
from shequ.deliberation.services import meetings, proposals
from shequ.deliberation.views import (
    ACTIONS,
    DECISION_ACTIONS,
    MINUTES_ACTIONS,
    PROPOSAL_ACTIONS,
    VERSIONED,
    VOTE_ACTIONS,
    VOTE_VERSIONED,
)
from shequ.deliberation.workflow import DECISION, MEETING, MINUTES, PROPOSAL, VOTE

router = Router(tags=["deliberation"])


class DeliberationQuorumOut(Schema):
    present: int
    eligible: int
    needed: int
    met: bool


class DeliberationTopicOut(Schema):
    id: int
    position: int
    title: str
    description: str
    source: str
    appeal_id: int | None
    participants_base: str


class DeliberationResultOut(Schema):
    votes_for: int
    votes_against: int
    votes_abstain: int
    cast: int
    present: int
    passed: bool
    owners_total: int
    area_total: Decimal
    area_voting: Decimal
    area_for: Decimal
    participation_by_owners: bool | None = None
    participation_by_area: bool | None = None
    consent_by_owners: bool | None = None
    consent_by_area: bool | None = None


def _result(vote: Vote) -> dict[str, Any] | None:
    outcome = selectors.vote_result(vote)
    if outcome is None:
        return None  # hidden until the vote closes
    out = {k: getattr(outcome, k) for k in DeliberationResultOut.model_fields if hasattr(outcome, k)}
    if outcome.art278 is not None:
        for k in ("participation_by_owners", "participation_by_area", "consent_by_owners", "consent_by_area"):
            out[k] = getattr(outcome.art278, k)
    return out


class DeliberationVoteOut(Schema):
    id: int
    meeting_id: int
    topic_id: int | None
    question: str
    method: str
    unit: str
    rule: str
    secret: bool
    status: str
    counted_by: str
    version: int
    result: DeliberationResultOut | None
    actions: list[str]

    @staticmethod
    def resolve_result(obj: Vote) -> Any:
        return _result(obj)

    @staticmethod
    def resolve_actions(obj: Vote, context: Any) -> list[str]:
        return [a.name for a in VOTE.available(context["request"].auth, obj)]


class DeliberationDecisionOut(Schema):
    id: int
    topic_id: int | None
    vote_id: int | None
    method: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    text: str
    responsible: str
    deadline: date | None
    valid: bool
    invalid_reason: str
    status: str
    posted_at: datetime | None
    posted_until: date | None
    objection_until: date | None
    public_text: str
    version: int


class DeliberationMinutesOut(Schema):
    id: int
    text: str
    status: str
    amend_until: datetime | None
    frozen_at: datetime | None
    signed_by: str
    corrects_id: int | None
    version: int


class DeliberationMeetingOut(Schema):
    id: int
    area_id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    venue_id: int | None
    place: str
    chair: str
    recorder: str
    quorum_base: str
    quorum_numerator: int
    quorum_denominator: int
    quorum_strict: bool
    delegates_expected: int | None
    status: str
    version: int
    quorum: DeliberationQuorumOut
    topics: list[DeliberationTopicOut]
    attendance: int
    actions: list[str]
    votes: list[DeliberationVoteOut]
    decisions: list[DeliberationDecisionOut]
    minutes: list[DeliberationMinutesOut]

    @staticmethod
    def resolve_minutes(obj: Meeting) -> Any:
        return list(obj.minutes.all())

    @staticmethod
    def resolve_votes(obj: Meeting) -> Any:
        return list(obj.votes.all())

    @staticmethod
    def resolve_decisions(obj: Meeting) -> Any:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_quorum(obj: Meeting) -> Any:
        return selectors.meeting_quorum(obj)

    @staticmethod
    def resolve_topics(obj: Meeting) -> Any:
        return list(obj.topics.all())

    @staticmethod
    def resolve_attendance(obj: Meeting) -> int:
        return obj.attendances.count()

    @staticmethod
    def resolve_actions(obj: Meeting, context: Any) -> list[str]:
        return [a.name for a in MEETING.available(context["request"].auth, obj)]


class DeliberationMeetingListOut(Schema):
    id: int
    area_id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str


class DeliberationMeetingIn(Input):
    area_id: int
    kind: MeetingKind
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    chair: str = Field(max_length=50)
    recorder: str = Field(max_length=50)
    mode: MeetingMode = MeetingMode.IN_PERSON
    venue_id: int | None = None
    place: str = Field("", max_length=200)
    quorum_base: Base = Base.PERSONS
    quorum_numerator: int = Field(1, ge=1, le=100)
    quorum_denominator: int = Field(2, ge=1, le=100)
    quorum_strict: bool = True
    delegates_expected: int | None = Field(None, ge=1, le=100_000)


@router.get("/meetings", response=list[DeliberationMeetingListOut])
@paginate(Pages)
def meeting_list(
    request: ApiRequest, area: int | None = None, status: str = "", q: str = ""
) -> QuerySet[Meeting]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.meetings_for(request.auth, area=area_obj, status=status, q=q[:50])


@router.get("/meetings/{int:meeting_id}", response=DeliberationMeetingOut)
def meeting_detail(request: ApiRequest, meeting_id: int) -> Meeting:
    return selectors.meeting_for(request.auth, meeting_id)


@router.post("/meetings", response={201: DeliberationMeetingOut})
def meeting_create(request: ApiRequest, data: DeliberationMeetingIn) -> Status[Meeting]:
    area = core_selectors.area_for(request.auth, data.area_id)
    venue = resolvers.venue(request.auth, None, data.venue_id) if data.venue_id is not None else None
    fields = data.dict(exclude={"area_id", "venue_id"})
    meeting = meetings.meeting_create(by=request.auth, area=area, venue=venue, **fields)
    return Status(201, selectors.meeting_for(request.auth, meeting.pk))


def _body(table: Workflow, prefix: str, name: str) -> Any:
    """The action's fields (from the table) and the version the caller saw."""
    return create_model(
        prefix + "".join(p.capitalize() for p in name.split("_")) + "Body",
        __base__=table.input_schema(name),
        version=(int | None, None),
    )


def _meeting_endpoint(name: str, service: Callable[..., Any]) -> None:
    """POST /meetings/{id}/<action>: the body is the action's fields (+ version), parsed by the table."""
    body = _body(MEETING, "Meeting", name)

    def endpoint(request: ApiRequest, meeting_id: int, data: body) -> Meeting:  # type: ignore[valid-type]
        meeting = selectors.meeting_for(request.auth, meeting_id)
        raw = data.dict()  # type: ignore[attr-defined]
        args = MEETING.parse(name, raw, user=request.auth, obj=meeting)
        version = version_of(raw) if name in VERSIONED else None
        service(by=request.auth, meeting=meeting, version=version, **args)
        return selectors.meeting_for(request.auth, meeting_id)

    endpoint.__name__ = f"meeting_{name}"
    router.post(
        f"/meetings/{{int:meeting_id}}/{name}",
        response=DeliberationMeetingOut,
        operation_id=f"deliberation_meeting_{name}",
    )(endpoint)


def _vote_endpoint(name: str, service: Callable[..., Any]) -> None:
    body = _body(VOTE, "Vote", name)

    def endpoint(request: ApiRequest, vote_id: int, data: body) -> Vote:  # type: ignore[valid-type]
        vote = selectors.vote_for(request.auth, vote_id)
        raw = data.dict()  # type: ignore[attr-defined]
        args = VOTE.parse(name, raw, user=request.auth, obj=vote)
        version = version_of(raw) if name in VOTE_VERSIONED else None
        service(by=request.auth, vote=vote, version=version, **args)
        return selectors.vote_for(request.auth, vote_id)

    endpoint.__name__ = f"vote_{name}"
    router.post(
        f"/votes/{{int:vote_id}}/{name}",
        response=DeliberationVoteOut,
        operation_id=f"deliberation_vote_{name}",
    )(endpoint)


for _name, _service in ACTIONS.items():
    _meeting_endpoint(_name, _service)
for _name, _service in VOTE_ACTIONS.items():
    _vote_endpoint(_name, _service)


@router.get("/votes/{int:vote_id}", response=DeliberationVoteOut)
def vote_detail(request: ApiRequest, vote_id: int) -> Vote:
    """A vote; its result only once it is closed."""
    return selectors.vote_for(request.auth, vote_id)


def _decision_endpoint(name: str, service: Callable[..., Any]) -> None:
    body = _body(DECISION, "Decision", name)

    def endpoint(request: ApiRequest, decision_id: int, data: body) -> Decision:  # type: ignore[valid-type]
        decision = Decision.objects.filter(
            pk=decision_id, meeting__in=selectors.meetings_for(request.auth)
        ).first()
        if decision is None:
            raise NotFound()
        raw = data.dict()  # type: ignore[attr-defined]
        args = DECISION.parse(name, raw, user=request.auth, obj=decision)
        return service(by=request.auth, decision=decision, version=version_of(raw), **args)

    endpoint.__name__ = f"decision_{name}"
    router.post(
        f"/decisions/{{int:decision_id}}/{name}",
        response=DeliberationDecisionOut,
        operation_id=f"deliberation_decision_{name}",
    )(endpoint)


for _name, _service in DECISION_ACTIONS.items():
    _decision_endpoint(_name, _service)


def _minutes_endpoint(name: str, service: Callable[..., Any]) -> None:
    body = _body(MINUTES, "Minutes", name)

    def endpoint(request: ApiRequest, minutes_id: int, data: body) -> Minutes:  # type: ignore[valid-type]
        record = Minutes.objects.filter(
            pk=minutes_id, meeting__in=selectors.meetings_for(request.auth)
        ).first()
        if record is None:
            raise NotFound()
        raw = data.dict()  # type: ignore[attr-defined]
        args = MINUTES.parse(name, raw, user=request.auth, obj=record)
        return service(by=request.auth, minutes=record, version=version_of(raw), **args)

    endpoint.__name__ = f"minutes_{name}"
    router.post(
        f"/minutes/{{int:minutes_id}}/{name}",
        response=DeliberationMinutesOut,
        operation_id=f"deliberation_minutes_{name}",
    )(endpoint)


for _name, _service in MINUTES_ACTIONS.items():
    _minutes_endpoint(_name, _service)


class DeliberationProposalOut(Schema):
    id: int
    area_id: int
    title: str
    text: str
    base: str
    status: str
    topic_id: int | None
    signed: int
    needed: int
    eligible: int
    version: int
    actions: list[str]

    @staticmethod
    def resolve_signed(obj: Proposal) -> int:
        return selectors.proposal_progress(obj).signed

    @staticmethod
    def resolve_needed(obj: Proposal) -> int:
        return selectors.proposal_progress(obj).needed

    @staticmethod
    def resolve_eligible(obj: Proposal) -> int:
        return selectors.proposal_progress(obj).eligible

    @staticmethod
    def resolve_actions(obj: Proposal, context: Any) -> list[str]:
        return [a.name for a in PROPOSAL.available(context["request"].auth, obj)]


class DeliberationProposalIn(Input):
    area_id: int
    title: str = Field(max_length=200)
    text: str = Field(max_length=4000)
    base: Base = Base.PERSONS


@router.get("/proposals", response=list[DeliberationProposalOut])
@paginate(Pages)
def proposal_list(request: ApiRequest, area: int | None = None, status: str = "") -> QuerySet[Proposal]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.proposals_for(request.auth, area=area_obj, status=status)


@router.get("/proposals/{int:proposal_id}", response=DeliberationProposalOut)
def proposal_detail(request: ApiRequest, proposal_id: int) -> Proposal:
    return selectors.proposal_for(request.auth, proposal_id)


@router.post("/proposals", response={201: DeliberationProposalOut})
def proposal_create(request: ApiRequest, data: DeliberationProposalIn) -> Status[Proposal]:
    area = core_selectors.area_for(request.auth, data.area_id)
    proposal = proposals.proposal_create(
        by=request.auth, area=area, title=data.title, text=data.text, base=data.base
    )
    return Status(201, selectors.proposal_for(request.auth, proposal.pk))


def _proposal_endpoint(name: str, service: Callable[..., Any]) -> None:
    body = _body(PROPOSAL, "Proposal", name)

    def endpoint(request: ApiRequest, proposal_id: int, data: body) -> Proposal:  # type: ignore[valid-type]
        proposal = selectors.proposal_for(request.auth, proposal_id)
        raw = data.dict()  # type: ignore[attr-defined]
        args = PROPOSAL.parse(name, raw, user=request.auth, obj=proposal)
        service(
            by=request.auth, proposal=proposal, version=version_of(raw) if name != "sign" else None, **args
        )
        return selectors.proposal_for(request.auth, proposal_id)

    endpoint.__name__ = f"proposal_{name}"
    router.post(
        f"/proposals/{{int:proposal_id}}/{name}",
        response=DeliberationProposalOut,
        operation_id=f"deliberation_proposal_{name}",
    )(endpoint)


for _name, _service in PROPOSAL_ACTIONS.items():
    _proposal_endpoint(_name, _service)
