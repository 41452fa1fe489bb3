"""Deliberation API: the same selectors, services and rule table as the pages — one endpoint per
action of the MEETING table, its body built from the table."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from ninja import Field, Form, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import create_model

from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages
from shequ.core.http import ApiRequest
from shequ.deliberation import resolvers, selectors
from shequ.deliberation.actions import TABLES, Acts, perform
from shequ.deliberation.models import (
    Base,
    Decision,
    Meeting,
    MeetingKind,
    MeetingMode,
    Milestone,
    Proposal,
    Vote,
)
from shequ.deliberation.notice import notice_late
from shequ.deliberation.services import meetings, proposals
from shequ.deliberation.workflow import MEETING, PROPOSAL, VOTE

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
    notice_days: int
    notified_at: datetime | None
    notice_late: bool
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
    def resolve_notice_late(obj: Meeting) -> bool:
        return notice_late(obj)

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
    notice_days: int = Field(7, ge=0, le=60)


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


@router.get("/votes/{int:vote_id}", response=DeliberationVoteOut)
def vote_detail(request: ApiRequest, vote_id: int) -> Vote:
    """A vote; its result only once it is closed."""
    return selectors.vote_for(request.auth, vote_id)


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


class DeliberationMilestonePhotoOut(Schema):
    id: int
    width: int
    height: int
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("deliberation:milestone_photo", args=[obj.pk])


class DeliberationMilestoneOut(Schema):
    id: int
    decision_id: int
    title: str
    owner: str
    due: date
    progress: int
    note: str
    done_at: datetime | None
    escalated_at: datetime | None
    version: int
    photos: list[DeliberationMilestonePhotoOut]

    @staticmethod
    def resolve_photos(obj: Milestone) -> Any:
        return list(obj.photos.all())


@router.get("/decisions/{int:decision_id}", response=DeliberationDecisionOut)
def decision_detail(request: ApiRequest, decision_id: int) -> Decision:
    return selectors.decision_for(request.auth, decision_id)


@router.get("/milestones/{int:milestone_id}", response=DeliberationMilestoneOut)
def milestone_detail(request: ApiRequest, milestone_id: int) -> Milestone:
    return selectors.milestone_for(request.auth, milestone_id)


# What an action answers with: the object it acted on, as its reader now sees it.
OUT = {
    "meeting": DeliberationMeetingOut,
    "vote": DeliberationVoteOut,
    "decision": DeliberationDecisionOut,
    "milestone": DeliberationMilestoneOut,
    "minutes": DeliberationMinutesOut,
    "proposal": DeliberationProposalOut,
}


def _action_endpoint(acts: Acts, name: str) -> None:
    """POST /<nouns>/{id}/<action>: one endpoint per action of the rule table, its body the action's
    fields (+ the version the caller saw), parsed by the table as the page parses it, then the same
    service (`actions.perform`). Photos come as form parts (multipart), like the appeals'."""
    action = acts.table.action(name)
    prefix = "".join(p.capitalize() for p in f"{acts.noun}_{name}".split("_"))
    body = create_model(
        f"{prefix}Body", __base__=acts.table.input_schema(name), version=(int | str | None, None)
    )
    takes_files = any(f.kind == "files" for f in action.fields)

    def act(request: ApiRequest, obj_id: int, raw: dict[str, Any]) -> Any:
        obj = acts.get(request.auth, obj_id)
        done = perform(
            acts, name, by=request.auth, obj=obj, data=raw, files=request.FILES if takes_files else None
        )
        # A correction is a new record: answer with it; otherwise with the object acted on.
        pk = done.pk if isinstance(done, acts.model) else obj_id
        return acts.get(request.auth, pk)

    if takes_files:

        def endpoint(request: ApiRequest, obj_id: int, data: Form[body]) -> Any:  # type: ignore[valid-type]
            return act(request, obj_id, data.dict())  # type: ignore[attr-defined]

    else:

        def endpoint(request: ApiRequest, obj_id: int, data: body) -> Any:  # type: ignore[valid-type]
            return act(request, obj_id, data.dict())  # type: ignore[attr-defined]

    endpoint.__name__ = f"{acts.noun}_{name}"
    router.post(
        f"/{acts.plural}/{{int:obj_id}}/{name}",
        response=OUT[acts.noun],
        summary=str(action.label),
        operation_id=f"deliberation_{acts.noun}_{name}",
    )(endpoint)


for _acts in TABLES:
    for _name in _acts.table.actions:
        _action_endpoint(_acts, _name)
