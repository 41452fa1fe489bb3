"""Every read of needs, for the acting user: visits, needs and answers start from the access layer's
scope; surveys are also seen from the areas below them; a resident sees the surveys of their home.

Lists take the same filters (area, from, to, and a status, category or purpose) so that other pages,
the metrics among them, can link to exactly the records behind a figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.models import Area, subtree_q
from shequ.needs.models import (
    SATISFIED_MIN_SCORE,
    Need,
    NeedCategory,
    NeedStatus,
    Respondents,
    Survey,
    SurveyResponse,
    Visit,
    VisitPurpose,
)
from shequ.registry import selectors as registry
from shequ.registry.models import Resident

CLOSED = "closed"  # the status filter for met, unmet and withdrawn together


def _dated(qs: QuerySet, field: str, date_from: date | None, date_to: date | None) -> QuerySet:
    if date_from is not None:
        qs = qs.filter(**{f"{field}__gte": date_from})
    if date_to is not None:
        qs = qs.filter(**{f"{field}__lte": date_to})
    return qs


def _within(qs: QuerySet, area: Area | None) -> QuerySet:
    return qs.filter(subtree_q(area.path, "area_path")) if area is not None else qs


def visits_for(
    user: Any,
    *,
    area: Area | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    purpose: str = "",
    mine: bool = False,
    resident: Resident | None = None,
) -> QuerySet[Visit]:
    """Visits in the user's areas (or only those they made), newest first."""
    qs = access.scope(user, "visit", "view").select_related("area", "resident", "household", "organisation")
    qs = _dated(_within(qs, area), "visited_on", date_from, date_to)
    if purpose in VisitPurpose.values:
        qs = qs.filter(purpose=purpose)
    if mine:
        qs = qs.filter(visited_by_id=user.pk)
    if resident is not None:
        qs = qs.filter(resident=resident)
    return qs.annotate(need_count=Count("needs")).order_by("-visited_on", "-id")


def visit_for(user: Any, visit_id: int) -> Visit:
    visit = visits_for(user).select_related("visited_by").filter(pk=visit_id).first()
    if visit is None:
        raise NotFound()
    return visit


def needs_for(
    user: Any,
    *,
    area: Area | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str = "",
    category: str = "",
    source: str = "",
    resident: Resident | None = None,
) -> QuerySet[Need]:
    """Needs in the user's areas; `status` is one of the statuses or "closed"; dates are the day raised."""
    qs = access.scope(user, "need", "view").select_related("area", "resident", "household", "organisation")
    qs = _dated(_within(qs, area), "raised_on", date_from, date_to)
    if status == CLOSED:
        qs = qs.exclude(status=NeedStatus.OPEN)
    elif status in NeedStatus.values:
        qs = qs.filter(status=status)
    if category in NeedCategory.values:
        qs = qs.filter(category=category)
    if source:
        qs = qs.filter(source=source)
    if resident is not None:
        qs = qs.filter(resident=resident)
    return qs.order_by("-raised_on", "-id")


def need_for(user: Any, need_id: int) -> Need:
    need = (
        needs_for(user)
        .select_related("visit", "appeal", "recorded_by", "closed_by")
        .filter(pk=need_id)
        .first()
    )
    if need is None:
        raise NotFound()
    return need


def _survey_visible_q(user: Any) -> Q:
    """Surveys of the user's areas, and of the areas above the areas they hold (a grid worker sees
    the survey of their community)."""
    paths = access.paths_for(user, "survey", "view")
    if not paths:
        return Q(pk__in=[])
    above = {p[:i] for p in paths for i in range(4, len(p), 4)}
    return access.path_q("area_path", paths) | Q(area_path__in=above)


def surveys_for(
    user: Any,
    *,
    area: Area | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    respondents: str = "",
) -> QuerySet[Survey]:
    """Surveys the user may see; the dates keep those open at some time between them."""
    qs = Survey.objects.filter(_survey_visible_q(user)).select_related("area")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area_path") | Q(area_path__in=area.ancestor_paths()))
    if date_from is not None:
        qs = qs.filter(closes_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(opens_on__lte=date_to)
    if respondents in Respondents.values:
        qs = qs.filter(respondents=respondents)
    return qs.annotate(response_count=Count("responses")).order_by("-opens_on", "-id")


def survey_for(user: Any, survey_id: int) -> Survey:
    survey = surveys_for(user).select_related("created_by").filter(pk=survey_id).first()
    if survey is None:
        raise NotFound()
    return survey


def responses_for(
    user: Any,
    *,
    survey: Survey | None = None,
    area: Area | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    satisfied: bool | None = None,
) -> QuerySet[SurveyResponse]:
    """Answers in the user's areas (where the respondent lives or the unit lies)."""
    qs = access.scope(user, "survey_response", "view").select_related(
        "survey", "area", "resident", "organisation"
    )
    if survey is not None:
        qs = qs.filter(survey=survey)
    qs = _dated(_within(qs, area), "answered_on", date_from, date_to)
    if satisfied is True:
        qs = qs.filter(score__gte=SATISFIED_MIN_SCORE)
    elif satisfied is False:
        qs = qs.filter(score__lt=SATISFIED_MIN_SCORE)
    return qs.order_by("-answered_on", "-id")


@dataclass(frozen=True)
class Summary:
    responses: int
    satisfied: int
    by_score: dict[int, int]

    @property
    def share_satisfied(self) -> float | None:
        """Satisfied ÷ respondents; None when nobody answered (shown as "—", never 0% or 100%)."""
        return self.satisfied / self.responses if self.responses else None

    @property
    def percent(self) -> str:
        share = self.share_satisfied
        return "—" if share is None else f"{share * 100:.1f}%"


def survey_summary(survey: Survey, *, area: Area | None = None) -> Summary:
    """The whole survey's answers in figures (or those from under `area`): aggregates name nobody, so
    whoever may see the survey sees them."""
    qs = _within(SurveyResponse.objects.filter(survey=survey), area)
    rows = dict(qs.order_by().values_list("score").annotate(n=Count("id")).values_list("score", "n"))
    by_score = {s: rows.get(s, 0) for s in range(5, 0, -1)}
    total = sum(by_score.values())
    satisfied = sum(n for s, n in by_score.items() if s >= SATISFIED_MIN_SCORE)
    return Summary(total, satisfied, by_score)


def is_child(resident: Resident) -> bool:
    return resident.birth_date > registry.years_ago(registry.MINOR_AGE)


def shown_name(resident: Resident) -> str:
    """A person's name as these lists show it: a child under 14 by the first character only."""
    if is_child(resident):
        return registry.mask_name(resident.name)
    return resident.name


def subject_name(record: Any) -> str:
    """Whom a visit, need or answer is about, as a list shows it."""
    if getattr(record, "resident", None) is not None:
        return shown_name(record.resident)
    if getattr(record, "household", None) is not None:
        return record.household.address
    if getattr(record, "organisation", None) is not None:
        return record.organisation.name
    return ""


# --- a resident's own surveys --------------------------------------------------------------------


@dataclass(frozen=True)
class ToAnswer:
    survey: Survey
    answered: SurveyResponse | None

    @property
    def is_open(self) -> bool:
        return self.survey.opens_on <= timezone.localdate() <= self.survey.closes_on


def surveys_of_home(user: Any, *, today: date | None = None) -> list[ToAnswer]:
    """The residents' surveys covering the home of the signed-in person (their linked record), open now
    or answered by them, with their own answer."""
    resident = registry.resident_on_account(user, living_here=True)
    if resident is None:
        return []
    today = today or timezone.localdate()
    path = resident.area.path
    homes = [path[:i] for i in range(4, len(path) + 1, 4)]
    surveys = Survey.objects.filter(area_path__in=homes, respondents=Respondents.RESIDENTS).select_related(
        "area"
    )
    answers = {r.survey_id: r for r in SurveyResponse.objects.filter(resident=resident, survey__in=surveys)}
    return [
        ToAnswer(s, answers.get(s.pk))
        for s in surveys.order_by("-opens_on", "-id")
        if s.pk in answers or s.opens_on <= today <= s.closes_on
    ]


def survey_to_answer(user: Any, survey_id: int) -> ToAnswer:
    for item in surveys_of_home(user):
        if item.survey.pk == survey_id:
            return item
    raise NotFound()


# --- the visit form's pick list ------------------------------------------------------------------


def visit_subjects(
    user: Any,
    *,
    area: Area | None = None,
    q: str = "",
    group: str = "",
    since: date | None = None,
) -> QuerySet[Resident]:
    """Residents the user may visit (in their grid, buildings or community), each with the day of
    their last visit; those not visited since `since` first, then by building and household."""
    paths = access.paths_for(user, "visit", "create")
    if not paths:
        return Resident.objects.none()
    # Children are visited with their household (picked from an adult's row), never listed by name.
    qs = registry.residents_for(user, area=area, q=q, group=group).filter(
        access.path_q("area__path", paths), birth_date__lte=registry.years_ago(registry.MINOR_AGE)
    )
    last = (
        Visit.objects.filter(resident=OuterRef("pk"))
        .order_by()
        .values("resident")
        .annotate(m=Max("visited_on"))
    )
    qs = qs.select_related("household").annotate(last_visit=Subquery(last.values("m")[:1]))
    if since is not None:
        qs = qs.annotate(
            seen=Count("visits", filter=Q(visits__visited_on__gte=since)),
        ).order_by("seen", "area__path", "household_id", "id")
    return qs


def visit_areas(user: Any) -> list[Area]:
    """The grids and buildings where the user visits, for the pick list's place filter."""
    paths = access.paths_for(user, "visit", "create")
    if not paths:
        return []
    return list(
        Area.objects.filter(access.path_q("path", paths), kind__in=["grid", "building"]).order_by("path")[
            :300
        ]
    )


def unvisited_this_month(
    user: Any, *, today: date | None = None, limit: int = 5
) -> tuple[list[Resident], int]:
    """For the home page: residents the user visits who live alone or are chronically ill and whom
    nobody has visited since the first of this month (longest unvisited first), and how many."""
    today = today or timezone.localdate()
    wanted = registry.GROUP_FILTERS["living_alone"]() | registry.GROUP_FILTERS["chronic"]()
    qs = (
        visit_subjects(user)
        .filter(wanted)
        .exclude(visits__visited_on__gte=today.replace(day=1))
        .select_related("chronic_illness")
        .order_by(F("last_visit").asc(nulls_first=True), "area__path", "id")
    )
    return list(qs[:limit]), qs.count()
