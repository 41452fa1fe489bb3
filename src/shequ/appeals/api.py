"""Appeals API: the queue, a resident's own appeals, report, every step of the closed loop, the
public board (no login), notifications and figures — the same selectors and services as the pages."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shequ.appeals import resolvers, rules, selectors, services
from shequ.appeals.models import Appeal, Category, Channel, Level, Priority
from shequ.appeals.workflow import APPEAL, available
from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages
from shequ.core.crypto import decrypt
from shequ.core.http import ApiRequest
from shequ.core.workflow import int_value, version_of

router = Router(tags=["appeals"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    default_level: str


class AppealOut(Schema):
    id: int
    title: str
    category: str
    category_name: str
    stage: str
    level: str
    priority: str
    channel: str
    area_id: int
    area_name: str
    handling_area_id: int
    handler: str
    deadline_at: datetime | None
    overdue: bool
    reported_at: datetime
    version: int

    # Resolvers rather than dotted aliases: an alias is looked up through a template Variable for
    # every row, a resolver is one attribute read.
    @staticmethod
    def resolve_category(obj: Appeal) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Appeal) -> str:
        return obj.category.name

    @staticmethod
    def resolve_area_name(obj: Appeal) -> str:
        return obj.area.name

    @staticmethod
    def resolve_handler(obj: Appeal) -> str:
        return str(obj.handler_user or obj.handler_organisation or obj.handler_team or "")

    @staticmethod
    def resolve_overdue(obj: Appeal) -> bool:
        return obj.is_overdue(timezone.now())


class StepOut(Schema):
    at: datetime
    action: str
    actor_name: str
    from_stage: str
    to_stage: str
    from_level: str
    to_level: str
    note: str


class EvaluationOut(Schema):
    score: int
    comment: str
    at: datetime


class AppealPhotoOut(Schema):
    """A photo of the appeal; its url is the API's own, so a bearer-token client can fetch it."""

    id: int
    kind: Literal["report", "result"] = Field(description="report: the problem; result: the work done")
    width: int
    height: int
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("api:appeal_photo", kwargs={"photo_id": obj.pk})


def _user(context: Any) -> Any:
    return context["request"].auth


class AppealDetailOut(AppealOut):
    """One appeal as its reader may see it: the contact only where they may, and the actions open
    to them now."""

    description: str
    latitude: Decimal | None
    longitude: Decimal | None
    result: str
    rejection_reason: str
    merged_into_id: int | None
    contact_name: str | None
    contact_phone: str | None
    contact_withheld: bool
    published_at: datetime | None
    public_summary: str
    public_result: str
    for_deliberation: bool
    steps: list[StepOut]
    evaluation: EvaluationOut | None
    photos: list[AppealPhotoOut]
    actions: list[str]

    @staticmethod
    def resolve_steps(obj: Appeal, context: Any) -> Any:
        return selectors.steps_for(_user(context), obj)

    @staticmethod
    def resolve_photos(obj: Appeal) -> Any:
        return selectors.photos_of(obj)

    @staticmethod
    def resolve_evaluation(obj: Appeal) -> Any:
        return getattr(obj, "evaluation", None)

    @staticmethod
    def resolve_contact_name(obj: Appeal, context: Any) -> str | None:
        return obj.contact_name if rules.may_see_contact(_user(context), obj) else None

    @staticmethod
    def resolve_contact_phone(obj: Appeal, context: Any) -> str | None:
        if not obj.contact_phone_encrypted or not rules.may_see_contact(_user(context), obj):
            return None
        return decrypt(obj.contact_phone_encrypted, context=services.CONTACT_CONTEXT)

    @staticmethod
    def resolve_actions(obj: Appeal, context: Any) -> list[str]:
        return available(_user(context), obj)


class SimilarOut(Schema):
    id: int
    title: str
    stage: str
    reported_at: datetime
    score: float


class PublicAppealOut(Schema):
    id: int
    category: str = Field(alias="category.name")
    place: str = Field(alias="place_name")
    summary: str = Field(alias="public_summary")
    result: str = Field(alias="public_result")
    reported_at: datetime
    closed_at: datetime | None
    published_at: datetime
    score: int | None

    @staticmethod
    def resolve_score(obj: Appeal) -> int | None:
        evaluation = getattr(obj, "evaluation", None)
        return evaluation.score if evaluation else None


class NotificationOut(Schema):
    id: int
    appeal_id: int | None
    action: str
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_read(obj: Any) -> bool:
        return obj.read_at is not None


class AppealIn(Input):
    area_id: int
    category: str = Field(max_length=40)
    description: str = Field(max_length=2000)
    title: str = Field("", max_length=80)
    channel: Channel | None = None
    priority: Priority = Priority.NORMAL
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)
    contact_withheld: bool = False


@router.get("/appeals/categories", response=list[CategoryOut])
def category_list(request: ApiRequest) -> QuerySet[Category]:
    return selectors.categories()


class AppealDeadlineIn(Input):
    category: str = Field(max_length=40)
    priority: Priority
    stage: str = Field(max_length=16)
    hours: int | str


class AppealDeadlineOut(Schema):
    category: str
    priority: str
    stage: str
    hours: int
    set_for_category: bool


@router.get("/appeals/deadlines", response=list[AppealDeadlineOut])
def deadline_list(request: ApiRequest) -> list[AppealDeadlineOut]:
    """The stage deadlines of every category in use, the defaults where none is set."""
    return [
        AppealDeadlineOut(
            category=row.category.code, priority=row.priority, stage=stage, hours=hours, set_for_category=own
        )
        for row in selectors.deadlines_for(request.auth)
        for stage, hours, own in row.hours
    ]


@router.put("/appeals/deadlines", response=AppealDeadlineOut)
def deadline_set(request: ApiRequest, data: AppealDeadlineIn) -> AppealDeadlineOut:
    """Set one stage deadline of a category (district administrators)."""
    row = services.category_set_deadline(
        by=request.auth,
        category=resolvers.category(data.category),
        priority=data.priority,
        stage=data.stage,
        hours=int_value(data.hours, field="hours"),
    )
    return AppealDeadlineOut(
        category=row.category.code,
        priority=row.priority,
        stage=row.stage,
        hours=row.hours,
        set_for_category=True,
    )


@router.get("/appeals", response=list[AppealOut])
@paginate(Pages)
def appeal_list(
    request: ApiRequest,
    area: int | None = None,
    waiting: bool = False,
    category: str = "",
    stage: str = "",
    level: Level | None = None,
    overdue: bool = False,
    q: str = "",
    order: str = "deadline",
) -> QuerySet[Appeal]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    queue = selectors.appeals_for(
        request.auth,
        area=area_obj,
        waiting=waiting,
        category=category[:40],
        stage=stage[:16],
        level=level or "",
        overdue=overdue,
        q=q[:50],
        order=order[:12],
    )
    return selectors.queue_listed(queue)


@router.get("/appeals/mine", response=list[AppealOut])
@paginate(Pages)
def appeal_mine(request: ApiRequest) -> QuerySet[Appeal]:
    return selectors.queue_listed(selectors.appeals_reported_by(request.auth))


@router.get("/appeals/similar", response=list[SimilarOut])
def appeal_similar(
    request: ApiRequest,
    area_id: int,
    category: str,
    text: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> list[SimilarOut]:
    """Open appeals likely the same as the one being typed (for the report form). Titles are
    anonymised: a resident learns that it is known, not who reported it."""
    area = core_selectors.area_for(request.auth, area_id)
    access.require(request.auth, "appeal", "create", path=area.path)
    found = selectors.similar_appeals(
        area=area,
        category=resolvers.category(category[:40]),
        text=text[:2000],
        latitude=latitude,
        longitude=longitude,
    )
    return [
        SimilarOut(
            id=s.appeal.pk,
            title=services.public_texts(s.appeal, summary=s.appeal.title)[0],
            stage=s.appeal.stage,
            reported_at=s.appeal.reported_at,
            score=s.score,
        )
        for s in found
    ]


@router.post("/appeals", response={201: AppealDetailOut})
def appeal_report(request: ApiRequest, data: AppealIn) -> Status[Appeal]:
    area = core_selectors.area_for(request.auth, data.area_id)
    fields = data.dict(exclude={"area_id", "category"})
    appeal = services.appeal_report(
        by=request.auth, area=area, category=resolvers.category(data.category), **fields
    )
    return Status(201, selectors.appeal_for(request.auth, appeal.pk))


@router.get("/appeals/photos/{int:photo_id}", response={200: None}, url_name="appeal_photo")
def appeal_photo(request: ApiRequest, photo_id: int) -> FileResponse:
    """A photo of an appeal the caller may see, as JPEG (the page's photo link needs a session)."""
    found = selectors.photo_for(request.auth, photo_id)
    response = FileResponse(found.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="appeal-{found.appeal_id}-{found.pk}.jpg"'
    return response


@router.get("/appeals/{int:appeal_id}", response=AppealDetailOut)
def appeal_detail(request: ApiRequest, appeal_id: int) -> Appeal:
    return selectors.appeal_for(request.auth, appeal_id)


def _action_endpoint(name: str) -> None:
    """One endpoint per action of the rule table: its input from the table, parsed as the page
    parses it, then the same service."""
    action = APPEAL.action(name)
    body_schema = APPEAL.input_schema(name, versioned=True)

    def endpoint(request: ApiRequest, appeal_id: int, data: body_schema) -> Appeal:  # type: ignore[valid-type]
        appeal = selectors.appeal_for(request.auth, appeal_id)
        body: dict[str, Any] = data.dict()  # type: ignore[attr-defined]
        version = version_of(body)
        values = APPEAL.parse(name, body, user=request.auth, obj=appeal)
        services.appeal_act(action=name, appeal=appeal, by=request.auth, version=version, **values)
        return selectors.appeal_for(request.auth, appeal_id)

    endpoint.__name__ = f"appeal_{name}"
    router.post(
        f"/appeals/{{int:appeal_id}}/{name}",
        response=AppealDetailOut,
        summary=str(action.label),
        operation_id=f"appeal_{name}",
    )(endpoint)


for _name in APPEAL.actions:
    _action_endpoint(_name)


class NotificationsReadIn(Input):
    appeal_id: int | None = None


class NotificationsReadOut(Schema):
    read: int


@router.get("/appeals/notifications", response=list[NotificationOut])
@paginate(Pages)
def notification_list(request: ApiRequest) -> Any:
    return selectors.notifications_for(request.auth)


@router.post("/appeals/notifications/read", response=NotificationsReadOut)
def notifications_read(request: ApiRequest, data: NotificationsReadIn) -> NotificationsReadOut:
    """Mark the caller's notifications read: all, or those of one appeal they may see."""
    appeal = selectors.appeal_for(request.auth, data.appeal_id) if data.appeal_id is not None else None
    return NotificationsReadOut(read=services.notifications_read(by=request.auth, appeal=appeal))


@router.get("/public/communities/{code}/appeals", response=list[PublicAppealOut], auth=None)
@paginate(Pages)
def public_board(request: ApiRequest, code: str) -> Any:
    """The community's public notices (公示): anonymised, readable without signing in."""
    community = selectors.public_community(code[:12])
    return selectors.public_board(community)
