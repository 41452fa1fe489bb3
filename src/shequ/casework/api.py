"""Casework API: the same selectors, services and rule table as the pages. One endpoint per action of
the case's rule table (workflow.CASE), built from its input schema. Notes have their own endpoint,
checked and audited on every read; no other answer carries a note."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import create_model

from shequ.casework import resolvers, selectors, services
from shequ.casework.group_workflow import GROUP
from shequ.casework.models import Case, Group, Referral, Scale, Source, SupervisionLink, SupervisionSession
from shequ.casework.summary import case_summary_pdf
from shequ.casework.workflow import CASE
from shequ.core.api import Input, Pages
from shequ.core.http import ApiRequest

router = Router(tags=["casework"])


class CaseOut(Schema):
    id: int
    area_id: int
    resident_id: int | None
    household_id: int | None
    client_name: str
    source: str
    appeal_id: int | None
    problem: str
    owner: str
    stage: str
    risk: str
    opened_on: date
    closed_on: date | None
    closure_reason: str
    goals_met: str
    version: int

    @staticmethod
    def resolve_owner(obj: Case) -> str:
        return obj.owner.username


class CaseGoalOut(Schema):
    text: str


class CaseTaskOut(Schema):
    text: str
    due_on: date
    done_on: date | None


class CasePlanOut(Schema):
    id: int
    submitted_at: datetime
    approved_at: datetime | None
    goals: list[CaseGoalOut]
    tasks: list[CaseTaskOut]

    @staticmethod
    def resolve_goals(obj: Any) -> Any:
        return list(obj.goals.all())

    @staticmethod
    def resolve_tasks(obj: Any) -> Any:
        return list(obj.tasks.all())


class CaseAssessmentOut(Schema):
    health: int
    income: int
    family: int
    social_support: int
    safety: int
    risk: str
    summary: str
    assessed_on: date


class CaseContactOut(Schema):
    id: int
    on: date
    kind: str
    summary: str
    service: bool


class CaseTieOut(Schema):
    id: int
    kind: str
    name: str
    relation: str
    gender: str
    strength: str
    stress: bool
    flow: str


class CaseEventOut(Schema):
    action: str
    from_stage: str
    to_stage: str
    at: datetime


class CaseDetailOut(CaseOut):
    plan: CasePlanOut | None
    assessment: CaseAssessmentOut | None
    contacts: list[CaseContactOut]
    ties: list[CaseTieOut]
    events: list[CaseEventOut]
    actions: list[str]

    @staticmethod
    def resolve_plan(obj: Case) -> Any:
        return obj.plans.order_by("-submitted_at", "-id").first()

    @staticmethod
    def resolve_assessment(obj: Case) -> Any:
        return obj.assessments.first()

    @staticmethod
    def resolve_contacts(obj: Case) -> Any:
        return list(obj.contacts.all()[:200])

    @staticmethod
    def resolve_ties(obj: Case) -> Any:
        return list(obj.ties.all())

    @staticmethod
    def resolve_events(obj: Case) -> Any:
        return list(obj.events.all())

    @staticmethod
    def resolve_actions(obj: Case, context: Any) -> list[str]:
        return [a.name for a in CASE.available(context["request"].auth, obj)]


class CaseIn(Input):
    source: Source
    problem: str = Field(max_length=300)
    resident_id: int | None = None
    household_id: int | None = None
    appeal_id: int | None = None
    referred_by: str = Field("", max_length=100)


class CaseNoteOut(Schema):
    id: int
    text: str
    written_by: str
    written_at: datetime


class SupervisionOut(Schema):
    id: int
    area_id: int
    supervisor: str
    worker: str

    @staticmethod
    def resolve_supervisor(obj: SupervisionLink) -> str:
        return obj.supervisor.username

    @staticmethod
    def resolve_worker(obj: SupervisionLink) -> str:
        return obj.worker.username


class SupervisionIn(Input):
    area_id: int
    supervisor: str = Field(max_length=150)
    worker: str = Field(max_length=150)


@router.get("/casework/cases", response=list[CaseOut])
@paginate(Pages)
def case_list(
    request: ApiRequest, stage: str = "", risk: str = "", mine: bool = False, q: str = ""
) -> QuerySet[Case]:
    return selectors.cases_for(request.auth, stage=stage, risk=risk, mine=mine, q=q)


@router.post("/casework/cases", response={201: CaseDetailOut})
def case_open(request: ApiRequest, data: CaseIn) -> Status[Case]:
    user = request.auth
    case = services.case_open(
        by=user,
        source=data.source,
        problem=data.problem,
        resident=resolvers.resident(user, None, data.resident_id) if data.resident_id else None,
        household=resolvers.household(user, None, data.household_id) if data.household_id else None,
        appeal=resolvers.appeal(user, None, data.appeal_id) if data.appeal_id else None,
        referred_by=data.referred_by,
    )
    return Status(201, selectors.case_for(user, case.pk))


@router.get("/casework/cases/{int:case_id}", response=CaseDetailOut)
def case_detail(request: ApiRequest, case_id: int) -> Case:
    return selectors.case_for(request.auth, case_id)


@router.get("/casework/cases/{int:case_id}/notes", response=list[CaseNoteOut])
def case_notes(request: ApiRequest, case_id: int) -> Any:
    return services.notes_read(by=request.auth, case=selectors.case_for(request.auth, case_id))


@router.get("/casework/cases/{int:case_id}/summary.pdf", response={200: None})
def case_summary(request: ApiRequest, case_id: int) -> HttpResponse:
    """The case's PDF summary: audited; its notes only for a reader who may read them."""
    case = selectors.case_for(request.auth, case_id)
    response = HttpResponse(case_summary_pdf(by=request.auth, case=case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}.pdf"'
    return response


def _action_endpoint(name: str) -> Callable[..., Any]:
    body = create_model(
        "Casework" + "".join(p.capitalize() for p in name.split("_")) + "In",
        __base__=CASE.input_schema(name),
        version=(int, ...),
    )

    def endpoint(request: ApiRequest, case_id: int, data: body) -> Case:  # type: ignore[valid-type]
        user = request.auth
        case = selectors.case_for(user, case_id)
        raw = data.dict()  # type: ignore[attr-defined]
        values = CASE.parse(name, raw, user=user, obj=case)
        services.ACTIONS[name](by=user, case=case, version=raw["version"], **values)
        return selectors.case_for(user, case_id)

    endpoint.__name__ = f"case_{name}"
    return endpoint


for _name, _action in CASE.actions.items():
    router.post(
        f"/casework/cases/{{int:case_id}}/{_name}",
        response=CaseDetailOut,
        operation_id=f"casework_case_{_name}",
        summary=str(_action.label),
    )(_action_endpoint(_name))


class ReferralOut(Schema):
    id: int
    to_kind: str
    note: str
    created_at: datetime
    client_name: str
    problem: str
    risk: str
    case_worker: str
    assessment: CaseAssessmentOut | None

    @staticmethod
    def resolve_client_name(obj: Referral) -> str:
        return obj.case.client_name

    @staticmethod
    def resolve_problem(obj: Referral) -> str:
        return obj.case.problem

    @staticmethod
    def resolve_risk(obj: Referral) -> str:
        return obj.case.risk

    @staticmethod
    def resolve_case_worker(obj: Referral) -> str:
        return obj.case.owner.username

    @staticmethod
    def resolve_assessment(obj: Referral) -> Any:
        # Health and family are sensitive: shared only with the client's separate consent.
        return obj.case.assessments.first() if obj.consent.sensitive else None


@router.get("/casework/referrals", response=list[ReferralOut])
@paginate(Pages)
def referral_list(request: ApiRequest) -> QuerySet[Referral]:
    """The cases referred to the caller, still in force."""
    return selectors.referrals_received_for(request.auth).select_related("consent", "case__owner")


@router.get("/casework/referrals/{int:referral_id}", response=ReferralOut)
def referral_detail(request: ApiRequest, referral_id: int) -> Referral:
    return services.referral_received(by=request.auth, referral_id=referral_id)


class SessionOut(Schema):
    id: int
    supervisor: str
    worker: str
    held_on: date
    hours: Decimal
    topics: str
    case_ids: list[int]
    signed: bool

    @staticmethod
    def resolve_supervisor(obj: SupervisionSession) -> str:
        return obj.supervisor.username

    @staticmethod
    def resolve_worker(obj: SupervisionSession) -> str:
        return obj.worker.username

    @staticmethod
    def resolve_case_ids(obj: SupervisionSession) -> list[int]:
        return [c.pk for c in obj.cases.all()]


class SessionIn(Input):
    link_id: int
    held_on: date
    hours: Decimal = Field(gt=0, le=8)
    topics: str = Field(max_length=500)
    case_ids: list[int] = Field(default_factory=list, max_length=50)


class CaseloadOut(Schema):
    worker: str
    open_cases: int
    high: int
    medium: int
    low: int
    unassessed: int
    overdue_tasks: int
    escalated_tasks: int
    hours: Decimal
    quota: Decimal
    behind: bool


@router.get("/casework/supervision/sessions", response=list[SessionOut])
@paginate(Pages)
def session_list(request: ApiRequest) -> QuerySet[SupervisionSession]:
    return selectors.sessions_for(request.auth)


@router.post("/casework/supervision/sessions", response={201: SessionOut})
def session_record(request: ApiRequest, data: SessionIn) -> Status[SupervisionSession]:
    user = request.auth
    session = services.session_record(
        by=user,
        link=selectors.link_for(user, data.link_id),
        held_on=data.held_on,
        hours=data.hours,
        topics=data.topics,
        case_ids=data.case_ids,
    )
    return Status(201, session)


@router.post("/casework/supervision/sessions/{int:session_id}/sign", response=SessionOut)
def session_sign(request: ApiRequest, session_id: int) -> SupervisionSession:
    from shequ.core.errors import NotFound

    session = selectors.sessions_for(request.auth).filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    return services.session_sign(by=request.auth, session=session)


@router.get("/casework/caseload", response=list[CaseloadOut])
def caseload(request: ApiRequest) -> list[dict[str, Any]]:
    """Each supervisee's open cases by risk, overdue tasks and supervision hours this month."""
    return [
        {
            "worker": r.worker_username,
            "behind": r.behind,
            **{k: getattr(r, k) for k in CaseloadOut.model_fields if k not in ("worker", "behind")},
        }
        for r in selectors.caseloads_for(request.auth)
    ]


@router.get("/casework/supervision", response=list[SupervisionOut])
@paginate(Pages)
def supervision_list(request: ApiRequest) -> QuerySet[SupervisionLink]:
    return selectors.links_for(request.auth)


@router.post("/casework/supervision", response={201: SupervisionOut})
def supervision_create(request: ApiRequest, data: SupervisionIn) -> Status[SupervisionLink]:
    user = request.auth
    link = services.supervision_link(
        by=user,
        area=resolvers.area(user, None, data.area_id),
        supervisor=resolvers.user_by_name(user, None, data.supervisor),
        worker=resolvers.user_by_name(user, None, data.worker),
    )
    return Status(201, link)


@router.delete("/casework/supervision/{int:link_id}", response={204: None})
def supervision_delete(request: ApiRequest, link_id: int) -> Status[None]:
    services.supervision_unlink(by=request.auth, link=selectors.link_for(request.auth, link_id))
    return Status(204, None)


# --- group work -------------------------------------------------------------------------------


class WorkGroupOut(Schema):
    id: int
    area_id: int
    name: str
    aims: str
    planned_sessions: int
    scale: str
    owner: str
    stage: str
    aims_met: str
    outcome: str
    closed_on: date | None
    version: int

    @staticmethod
    def resolve_owner(obj: Group) -> str:
        return obj.owner.username


class GroupMemberOut(Schema):
    id: int
    resident_id: int
    name: str
    case_id: int | None
    attended: int
    score_before: int | None
    score_after: int | None
    left: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.shown_name)

    @staticmethod
    def resolve_attended(obj: Any) -> int:
        return int(obj.attended_n)

    @staticmethod
    def resolve_left(obj: Any) -> bool:
        return obj.left_at is not None


class GroupSessionOut(Schema):
    number: int
    held_on: date
    stage: str
    topic: str
    record: str
    present: list[int]

    @staticmethod
    def resolve_present(obj: Any) -> list[int]:
        return [m.pk for m in obj.attended.all()]


class WorkGroupDetailOut(WorkGroupOut):
    members: list[GroupMemberOut]
    sessions: list[GroupSessionOut]
    actions: list[str]

    @staticmethod
    def resolve_members(obj: Group) -> Any:
        return selectors.group_members(obj)

    @staticmethod
    def resolve_sessions(obj: Group) -> Any:
        return list(obj.sessions.prefetch_related("attended"))

    @staticmethod
    def resolve_actions(obj: Group, context: Any) -> list[str]:
        return [a.name for a in GROUP.available(context["request"].auth, obj)]


class WorkGroupIn(Input):
    area_id: int
    name: str = Field(max_length=100)
    aims: str = Field(max_length=1000)
    planned_sessions: int = Field(ge=1, le=50)
    scale: Scale


@router.get("/casework/groups", response=list[WorkGroupOut])
@paginate(Pages)
def group_list(request: ApiRequest, stage: str = "", q: str = "") -> QuerySet[Group]:
    return selectors.groups_for(request.auth, stage=stage, q=q)


@router.post("/casework/groups", response={201: WorkGroupDetailOut})
def group_open(request: ApiRequest, data: WorkGroupIn) -> Status[Group]:
    user = request.auth
    group = services.group_open(
        by=user,
        area=resolvers.area(user, None, data.area_id),
        name=data.name,
        aims=data.aims,
        planned_sessions=data.planned_sessions,
        scale=data.scale,
    )
    return Status(201, selectors.group_for(user, group.pk))


@router.get("/casework/groups/{int:group_id}", response=WorkGroupDetailOut)
def group_detail(request: ApiRequest, group_id: int) -> Group:
    return selectors.group_for(request.auth, group_id)


def _group_endpoint(name: str) -> Callable[..., Any]:
    body = create_model(
        "CaseworkGroup" + "".join(p.capitalize() for p in name.split("_")) + "In",
        __base__=GROUP.input_schema(name),
        version=(int, ...),
    )

    def endpoint(request: ApiRequest, group_id: int, data: body) -> Group:  # type: ignore[valid-type]
        user = request.auth
        group = selectors.group_for(user, group_id)
        raw = data.dict()  # type: ignore[attr-defined]
        values = GROUP.parse(name, raw, user=user, obj=group)
        services.GROUP_ACTIONS[name](by=user, group=group, version=raw["version"], **values)
        return selectors.group_for(user, group_id)

    endpoint.__name__ = f"group_{name}"
    return endpoint


for _name, _action in GROUP.actions.items():
    router.post(
        f"/casework/groups/{{int:group_id}}/{_name}",
        response=WorkGroupDetailOut,
        operation_id=f"casework_group_{_name}",
        summary=str(_action.label),
    )(_group_endpoint(_name))
