"""Deliberation API: the same selectors, services and rule table as the pages — one endpoint per
action of the MEETING table, its body built from the table."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import create_model

from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages
from shequ.core.http import ApiRequest
from shequ.deliberation import resolvers, selectors
from shequ.deliberation.models import Base, Meeting, MeetingKind, MeetingMode
from shequ.deliberation.services import meetings
from shequ.deliberation.views import ACTIONS, VERSIONED
from shequ.deliberation.workflow import MEETING

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


def _action_endpoint(name: str, service: Callable[..., Any]) -> None:
    """POST /meetings/{id}/<action>: the body is the action's fields (+ version), parsed by the table."""
    body = create_model(
        "Meeting" + "".join(p.capitalize() for p in name.split("_")) + "Body",
        __base__=MEETING.input_schema(name),
        version=(int | None, None),
    )

    def endpoint(request: ApiRequest, meeting_id: int, data: body) -> Meeting:  # type: ignore[valid-type]
        meeting = selectors.meeting_for(request.auth, meeting_id)
        raw = data.dict()  # type: ignore[attr-defined]
        args = MEETING.parse(name, raw, user=request.auth, obj=meeting)
        version = raw.get("version") if name in VERSIONED else None
        if name in VERSIONED and version is None:
            from shequ.core.workflow import version_of

            version_of(raw)  # refuses: the version is required for a change of state
        service(by=request.auth, meeting=meeting, version=version, **args)
        return selectors.meeting_for(request.auth, meeting_id)

    endpoint.__name__ = f"meeting_{name}"
    router.post(
        f"/meetings/{{int:meeting_id}}/{name}",
        response=DeliberationMeetingOut,
        operation_id=f"deliberation_meeting_{name}",
    )(endpoint)


for _name, _service in ACTIONS.items():
    _action_endpoint(_name, _service)
