"""The figures the needs app's records count (core.figures, defined in docs/metrics.md): the need
satisfaction rate, the residents' and units' satisfaction rates from surveys, and the visits to people
aged 60+ living alone — with the lists of needs and survey answers behind them."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from shequ.core.figures import Ctx, FigureSpec, RowList, Side, dated, figure, in_, row_list
from shequ.needs.models import Need, NeedStatus, Respondents, SurveyResponse, Visit
from shequ.registry.figures import child_name, elderly_alone, units

SATISFIED_FROM = 4  # of 1–5, as for appeal evaluations


# Needs raised in the period under the area, withdrawn needs left out.
needs_raised = dated(
    lambda ctx: ctx.records(Need, "area_path").exclude(status=NeedStatus.WITHDRAWN), "area_path", "raised_on"
)
needs_met = Side(
    needs_raised.rows, lambda ctx: needs_raised.when(ctx) & Q(status=NeedStatus.MET), "area_path"
)


def _answers(respondents: str) -> Any:
    subject = "resident" if respondents == Respondents.RESIDENTS else "organisation"
    return lambda ctx: ctx.records(SurveyResponse, "area_path").filter(
        survey__respondents=respondents, **{f"{subject}__isnull": False}
    )


def latest_responses(respondents: str, satisfied: bool = False) -> Side:
    """One answer per respondent: their latest answer of the period (by date, then entry) to a survey
    of residents (or of units), given from under the area; only those scoring 4 or 5 if `satisfied`."""
    subject = "resident" if respondents == Respondents.RESIDENTS else "organisation"
    answers = _answers(respondents)

    def when(ctx: Ctx) -> Q:
        later = (
            answers(ctx)
            .filter(ctx.dates("answered_on"), **{subject: OuterRef(subject)})
            .filter(
                Q(answered_on__gt=OuterRef("answered_on"))
                | Q(answered_on=OuterRef("answered_on"), pk__gt=OuterRef("pk"))
            )
        )
        latest = ctx.dates("answered_on") & ~Q(Exists(later))
        return latest & Q(score__gte=SATISFIED_FROM) if satisfied else latest

    # The later answers are looked for under the cell's area: one column per area.
    return Side(answers, when, "area_path", local=True)


def _satisfied_unit(ctx: Ctx) -> Exists:
    latest = latest_responses(Respondents.UNITS, satisfied=True)
    return Exists(latest(ctx).filter(organisation=OuterRef("pk")))


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
        needs_met,
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
        latest_responses(Respondents.RESIDENTS, satisfied=True),
        "response",
        _("Resident respondents"),
        latest_responses(Respondents.RESIDENTS),
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
        in_(units, _satisfied_unit, local=True),
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
        latest_responses(Respondents.UNITS, satisfied=True),
        "response",
        _("Unit respondents"),
        latest_responses(Respondents.UNITS),
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
        in_(elderly_alone, _visited, local=True),
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
