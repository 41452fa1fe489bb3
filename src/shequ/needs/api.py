"""Needs API: home visits, needs, satisfaction surveys and their answers — the same selectors and
services as the pages."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages
from shequ.core.http import ApiRequest
from shequ.needs import selectors, services
from shequ.needs.models import (
    Need,
    NeedCategory,
    NeedSource,
    Respondents,
    Survey,
    SurveyResponse,
    Visit,
    VisitPurpose,
)
from shequ.registry import selectors as registry

router = Router(tags=["needs"])
# The lists' date filters are ?from= and ?to=, as on the pages (so one link fits both).
FROM = Query(None, alias="from")
TO = Query(None, alias="to")


class SubjectOut(Schema):
    """What a visit and a need share: where, and whom it is about (a resident, a household or a unit)."""

    id: int
    area_id: int
    area_name: str = Field(alias="area.name")
    resident_id: int | None
    household_id: int | None
    organisation_id: int | None
    subject: str

    @staticmethod
    def resolve_subject(obj: Need | Visit) -> str:
        return selectors.subject_name(obj)


class NeedOut(SubjectOut):
    category: str
    description: str
    source: str
    visit_id: int | None
    appeal_id: int | None
    raised_on: date
    status: str
    closed_on: date | None
    outcome: str
    version: int


class VisitOut(SubjectOut):
    visited_on: date
    purpose: str
    notes: str
    visited_by_id: int


class VisitDetailOut(VisitOut):
    needs: list[NeedOut]

    @staticmethod
    def resolve_needs(obj: Visit) -> Any:
        return list(obj.needs.select_related("area", "resident", "household", "organisation").order_by("id"))


class NeedDraftIn(Input):
    category: NeedCategory
    description: str = Field(max_length=services.MAX_DESCRIPTION)


class SubjectIn(Input):
    resident_id: int | None = None
    household_id: int | None = None
    organisation_id: int | None = None


class VisitIn(SubjectIn):
    visited_on: date | None = None
    purpose: VisitPurpose = VisitPurpose.ROUTINE
    notes: str = Field("", max_length=services.MAX_NOTES)
    needs: list[NeedDraftIn] = Field(default_factory=list, max_length=services.MAX_NEEDS_PER_VISIT)
    key: UUID | None = Field(
        None, description="the client's own id of this visit: sent again, the visit saved first is answered"
    )


class NeedIn(SubjectIn):
    category: NeedCategory
    description: str = Field(max_length=services.MAX_DESCRIPTION)
    source: NeedSource = NeedSource.WALK_IN
    raised_on: date | None = None
    visit_id: int | None = None
    appeal_id: int | None = None


class NeedCloseIn(Input):
    version: int
    status: str = Field(max_length=16)
    outcome: str = Field(max_length=services.MAX_OUTCOME)
    closed_on: date | None = None


class SurveyOut(Schema):
    id: int
    area_id: int
    area_name: str
    title: str
    respondents: str
    opens_on: date
    closes_on: date
    responses: int
    satisfied: int
    share_satisfied: float | None


class SurveyIn(Input):
    area_id: int
    title: str = Field(max_length=100)
    respondents: Respondents
    opens_on: date
    closes_on: date


class ResponseOut(Schema):
    id: int
    survey_id: int
    area_id: int
    resident_id: int | None
    organisation_id: int | None
    respondent: str
    score: int
    satisfied: bool
    comment: str
    answered_on: date
    on_paper: bool

    @staticmethod
    def resolve_respondent(obj: SurveyResponse) -> str:
        return selectors.subject_name(obj)

    @staticmethod
    def resolve_on_paper(obj: SurveyResponse) -> bool:
        return obj.recorded_by_id is not None


class ResponseIn(Input):
    """Leave resident_id and organisation_id out to answer for yourself (a resident whose account is
    linked to their record); staff give one of them to type in a paper answer."""

    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=services.MAX_COMMENT)
    resident_id: int | None = None
    organisation_id: int | None = None
    answered_on: date | None = None


def _subject(request: ApiRequest, data: SubjectIn) -> dict[str, Any]:
    user = request.auth
    found: dict[str, Any] = {}
    if data.resident_id is not None:
        found["resident"] = registry.resident_for(user, data.resident_id, full=False)
    if data.household_id is not None:
        found["household"] = access.get_for(user, "household", "view", pk=data.household_id)
    if data.organisation_id is not None:
        found["organisation"] = access.get_for(user, "organisation", "view", pk=data.organisation_id)
    return found


def _filters(
    request: ApiRequest, area: int | None, date_from: date | None, date_to: date | None
) -> dict[str, Any]:
    return {
        "area": core_selectors.area_for(request.auth, area) if area else None,
        "date_from": date_from,
        "date_to": date_to,
    }


def _survey_out(survey: Survey) -> SurveyOut:
    summary = selectors.survey_summary(survey)
    return SurveyOut(
        id=survey.pk,
        area_id=survey.area_id,
        area_name=survey.area.name,
        title=survey.title,
        respondents=survey.respondents,
        opens_on=survey.opens_on,
        closes_on=survey.closes_on,
        responses=summary.responses,
        satisfied=summary.satisfied,
        share_satisfied=summary.share_satisfied,
    )


# --- visits ---------------------------------------------------------------------------------------


@router.get("/visits", response=list[VisitOut])
@paginate(Pages)
def visit_list(
    request: ApiRequest,
    area: int | None = None,
    date_from: date | None = FROM,
    date_to: date | None = TO,
    purpose: str = "",
    mine: bool = False,
) -> QuerySet[Visit]:
    return selectors.visits_for(
        request.auth, purpose=purpose[:20], mine=mine, **_filters(request, area, date_from, date_to)
    )


@router.get("/visits/{int:visit_id}", response=VisitDetailOut)
def visit_detail(request: ApiRequest, visit_id: int) -> Visit:
    return selectors.visit_for(request.auth, visit_id)


@router.post("/visits", response={201: VisitDetailOut})
def visit_create(request: ApiRequest, data: VisitIn) -> Status[Visit]:
    visit = services.visit_log(
        by=request.auth,
        visited_on=data.visited_on,
        purpose=data.purpose,
        notes=data.notes,
        needs=[services.NeedDraft(n.category, n.description) for n in data.needs],
        key=data.key,
        **_subject(request, data),
    )
    return Status(201, selectors.visit_for(request.auth, visit.pk))


# --- needs ----------------------------------------------------------------------------------------


@router.get("/needs", response=list[NeedOut])
@paginate(Pages)
def need_list(
    request: ApiRequest,
    area: int | None = None,
    date_from: date | None = FROM,
    date_to: date | None = TO,
    status: str = "",
    category: str = "",
    source: str = "",
) -> QuerySet[Need]:
    return selectors.needs_for(
        request.auth,
        status=status[:16],
        category=category[:20],
        source=source[:16],
        **_filters(request, area, date_from, date_to),
    )


@router.get("/needs/{int:need_id}", response=NeedOut)
def need_detail(request: ApiRequest, need_id: int) -> Need:
    return selectors.need_for(request.auth, need_id)


@router.post("/needs", response={201: NeedOut})
def need_create(request: ApiRequest, data: NeedIn) -> Status[Need]:
    visit = selectors.visit_for(request.auth, data.visit_id) if data.visit_id else None
    appeal = None
    if data.appeal_id:
        from shequ.appeals.selectors import appeal_for

        appeal = appeal_for(request.auth, data.appeal_id)
    need = services.need_raise(
        by=request.auth,
        category=data.category,
        description=data.description,
        source=data.source,
        raised_on=data.raised_on,
        visit=visit,
        appeal=appeal,
        **_subject(request, data),
    )
    return Status(201, selectors.need_for(request.auth, need.pk))


@router.post("/needs/{int:need_id}/close", response=NeedOut)
def need_close(request: ApiRequest, need_id: int, data: NeedCloseIn) -> Need:
    need = selectors.need_for(request.auth, need_id)
    services.need_close(
        by=request.auth,
        need=need,
        version=data.version,
        status=data.status,
        outcome=data.outcome,
        closed_on=data.closed_on,
    )
    return selectors.need_for(request.auth, need_id)


# --- surveys --------------------------------------------------------------------------------------


@router.get("/surveys", response=list[SurveyOut])
@paginate(Pages)
def survey_list(
    request: ApiRequest,
    area: int | None = None,
    date_from: date | None = FROM,
    date_to: date | None = TO,
    respondents: str = "",
) -> list[SurveyOut]:
    """Surveys of the caller's areas with their figures; for a resident, the surveys of their home."""
    user = request.auth
    if access.paths_for(user, "survey", "view"):
        qs = selectors.surveys_for(
            user, respondents=respondents[:16], **_filters(request, area, date_from, date_to)
        )
        return [_survey_out(s) for s in qs[:500]]
    return [_survey_out(item.survey) for item in selectors.surveys_of_home(user)]


@router.get("/surveys/{int:survey_id}", response=SurveyOut)
def survey_detail(request: ApiRequest, survey_id: int) -> SurveyOut:
    user = request.auth
    if access.paths_for(user, "survey", "view"):
        return _survey_out(selectors.survey_for(user, survey_id))
    return _survey_out(selectors.survey_to_answer(user, survey_id).survey)


@router.post("/surveys", response={201: SurveyOut})
def survey_create(request: ApiRequest, data: SurveyIn) -> Status[SurveyOut]:
    area = core_selectors.area_for(request.auth, data.area_id)
    survey = services.survey_create(
        by=request.auth,
        area=area,
        title=data.title,
        respondents=data.respondents,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
    )
    return Status(201, _survey_out(survey))


@router.get("/survey-responses", response=list[ResponseOut])
@paginate(Pages)
def response_list(
    request: ApiRequest,
    survey: int | None = None,
    area: int | None = None,
    date_from: date | None = FROM,
    date_to: date | None = TO,
    satisfied: bool | None = None,
) -> QuerySet[SurveyResponse]:
    survey_obj = selectors.survey_for(request.auth, survey) if survey else None
    return selectors.responses_for(
        request.auth, survey=survey_obj, satisfied=satisfied, **_filters(request, area, date_from, date_to)
    )


@router.post("/surveys/{int:survey_id}/responses", response={201: ResponseOut})
def response_create(request: ApiRequest, survey_id: int, data: ResponseIn) -> Status[SurveyResponse]:
    user = request.auth
    respondent: dict[str, Any] = {}
    if data.resident_id is not None:
        respondent["resident"] = registry.resident_for(user, data.resident_id, full=False)
    if data.organisation_id is not None:
        respondent["organisation"] = access.get_for(user, "organisation", "view", pk=data.organisation_id)
    if respondent:
        survey = selectors.survey_for(user, survey_id)
    else:
        survey = selectors.survey_to_answer(user, survey_id).survey
    response = services.response_record(
        by=user,
        survey=survey,
        score=data.score,
        comment=data.comment,
        answered_on=data.answered_on,
        **respondent,
    )
    return Status(201, response)
