"""The figures the needs app's records count (core.figures, defined in docs/metrics.md): the need
satisfaction rate, the residents' and units' satisfaction rates from surveys, and the visits to people
aged 60+ living alone — with the lists of needs and survey answers behind them."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shequ.core.figures import Ctx, FigureSpec, RowList, figure, in_, row_list
from shequ.needs.models import Need, NeedStatus, Respondents, SurveyResponse, Visit
from shequ.registry.figures import child_name, elderly_alone, units

SATISFIED_FROM = 4  # of 1–5, as for appeal evaluations


def needs_raised(ctx: Ctx) -> QuerySet[Need]:
    return ctx.records(Need, "area_path").filter(ctx.dates("raised_on")).exclude(status=NeedStatus.WITHDRAWN)


def latest_responses(ctx: Ctx, respondents: str) -> QuerySet[SurveyResponse]:
    """One answer per respondent: their latest answer of the period (by date, then entry) to a survey
    of residents (or of units), given from under the area."""
    subject = "resident" if respondents == Respondents.RESIDENTS else "organisation"
    base = ctx.records(SurveyResponse, "area_path").filter(
        ctx.dates("answered_on"),
        survey__respondents=respondents,
        **{f"{subject}__isnull": False},
    )
    later = base.filter(**{subject: OuterRef(subject)}).filter(
        Q(answered_on__gt=OuterRef("answered_on"))
        | Q(answered_on=OuterRef("answered_on"), pk__gt=OuterRef("pk"))
    )
    return base.exclude(Exists(later))


def _satisfied_unit(ctx: Ctx) -> Exists:
    return Exists(
        latest_responses(ctx, Respondents.UNITS).filter(
            score__gte=SATISFIED_FROM, organisation=OuterRef("pk")
        )
    )


def _visited(ctx: Ctx) -> Exists:
    visits = ctx.records(Visit, "area_path").filter(ctx.dates("visited_on"))
    return Exists(
        visits.filter(
            Q(resident=OuterRef("pk")) | Q(household_id=OuterRef("household_id"), household__isnull=False)
        )
    )


figure(
    FigureSpec(
        "need_satisfaction",
        "service",
        _("Need satisfaction rate"),
        "%",
        _("Needs met"),
        lambda c: needs_raised(c).filter(status=NeedStatus.MET),
        "need",
        _("Needs raised (withdrawn left out)"),
        needs_raised,
        order=50,
    )
)
figure(
    FigureSpec(
        "resident_satisfaction",
        "service",
        _("Resident satisfaction rate"),
        "%",
        _("Satisfied resident respondents"),
        lambda c: latest_responses(c, Respondents.RESIDENTS).filter(score__gte=SATISFIED_FROM),
        "response",
        _("Resident respondents"),
        lambda c: latest_responses(c, Respondents.RESIDENTS),
        order=60,
    )
)
# The seed's rate divides by every unit of the area (a unit that did not answer is not satisfied); the
# respondents' rate beside it divides by the units that answered.
figure(
    FigureSpec(
        "unit_satisfaction",
        "service",
        _("Unit satisfaction rate"),
        "%",
        _("Units satisfied"),
        in_(units, _satisfied_unit),
        "unit",
        _("Units in the area"),
        units,
        order=70,
    )
)
figure(
    FigureSpec(
        "unit_satisfaction_respondents",
        "service",
        _("Unit satisfaction among respondents"),
        "%",
        _("Satisfied unit respondents"),
        lambda c: latest_responses(c, Respondents.UNITS).filter(score__gte=SATISFIED_FROM),
        "response",
        _("Unit respondents"),
        lambda c: latest_responses(c, Respondents.UNITS),
        order=80,
    )
)
figure(
    FigureSpec(
        "elderly_alone_visited",
        "coverage",
        _("People aged 60+ living alone visited"),
        "%",
        _("Visited in the period (them or their household)"),
        in_(elderly_alone, _visited),
        "resident",
        _("Residents aged 60+ living alone"),
        elderly_alone,
        order=10,
    )
)


def _response_cells(ctx: Ctx, row: Any) -> tuple[list[str], str | None]:
    who = row.resident or row.organisation
    return [f"{row.answered_on}", row.survey.title, child_name(row.resident, str(who)), str(row.score)], None


row_list(
    RowList(
        "need",
        "need",
        "area_path",
        (_("Raised on"), _("Category"), _("Status"), _("Place")),
        lambda ctx, row: (
            [f"{row.raised_on}", row.get_category_display(), row.get_status_display(), row.area.name],
            None,
        ),
        prepare=lambda ctx, qs: qs.select_related("area").order_by("-raised_on", "-id"),
    )
)
row_list(
    RowList(
        "response",
        "survey_response",
        "area_path",
        (_("Answered on"), _("Survey"), _("Respondent"), _("Score")),
        _response_cells,
        prepare=lambda ctx, qs: qs.select_related("survey", "resident", "organisation").order_by(
            "-answered_on", "-id"
        ),
        names_people=True,
    )
)
