"""Casework's figures (core.figures, defined in docs/metrics.md): the cases open at the period's end by
the stage and the risk level they were in then (read from the case's history and its assessments), the
cases closed with their goals met, the mean days a case stays in each stage, the supervision hours
against the quota, and group work's sessions held and attendances (MZ/T 095-2017). Figures are
aggregates: an evaluator sees the numbers; the lists behind them (cases, stays, sessions, supervisees,
group sessions) are for those who read cases, supervision or groups."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import (
    Assessment,
    Case,
    CaseEvent,
    ClosureReason,
    GroupSession,
    Risk,
    Stage,
    SupervisionLink,
    SupervisionSession,
)
from shequ.casework.services.supervision import monthly_hours
from shequ.core.figures import (
    COUNT,
    Ctx,
    FigureGroup,
    FigureSpec,
    Period,
    RowList,
    Side,
    Total,
    dated,
    figure,
    figure_group,
    row_list,
    sum_of,
    timed,
)
from shequ.registry.figures import child_name

figure_group(FigureGroup("casework", _("Casework"), order=500))


def _of_stage(message: str, stage: str) -> str:
    """A label naming a stage, translated when shown (not when the app loads): a lazy string."""
    return lazy(lambda: gettext(message) % {"stage": Stage(stage).label}, str)()


TIMED = (Stage.INTAKE, Stage.ASSESSMENT, Stage.PLAN, Stage.INTERVENTION, Stage.EVALUATION)
SECONDS_A_DAY = Decimal(86_400)
DAYS = "d"  # the unit of a mean in days, a code like "h" for hours (Figure.display: "3.5d")


def _cases(ctx: Ctx) -> QuerySet[Case]:
    return ctx.records(Case, "area_path")


def _stage_then(ctx: Ctx) -> Subquery:
    """The stage a case was in at the period's end: where its latest step before that instant led."""
    steps = CaseEvent.objects.filter(case=OuterRef("pk"), at__lt=ctx.end_dt).exclude(to_stage="")
    return Subquery(steps.order_by("-at", "-id").values("to_stage")[:1])


def _risk_then(ctx: Ctx) -> Subquery:
    """The risk level of the case's latest assessment by the period's last day (none: not assessed)."""
    assessments = Assessment.objects.filter(case=OuterRef("pk"), assessed_on__lte=ctx.period.end)
    return Subquery(assessments.order_by("-assessed_on", "-id").values("risk")[:1])


def _open_then(ctx: Ctx) -> Q:
    """Open at the period's end: opened by then and not closed then (a case closed and reopened later
    counts as closed in between)."""
    stage = _stage_then(ctx)
    return Q(IsNull(stage, False)) & ~Q(Exact(stage, Stage.CLOSED))


open_at_end = Side(_cases, _open_then, "area_path")


def _open_in(stage: str) -> Side:
    return Side(_cases, lambda ctx: _open_then(ctx) & Q(Exact(_stage_then(ctx), stage)), "area_path")


def _open_at_risk(risk: str | None) -> Side:
    def when(ctx: Ctx) -> Q:
        then = _risk_then(ctx)
        return _open_then(ctx) & Q(Exact(then, risk) if risk else IsNull(then, True))

    return Side(_cases, when, "area_path")


# Cases closed now whose (last) closure was approved in the period.
closed_in = dated(lambda ctx: _cases(ctx).filter(stage=Stage.CLOSED), "area_path", "closed_on")
closed_goals_met = dated(
    lambda ctx: _cases(ctx).filter(stage=Stage.CLOSED, closure_reason=ClosureReason.GOALS_MET),
    "area_path",
    "closed_on",
)


def mean_days(stays: list[tuple[Any, ...]]) -> Decimal | None:
    """The mean length of the stays (left, entered), in days with one decimal (half up); None when
    there is none."""
    lengths = [(left - entered).total_seconds() for left, entered, *_flags in stays]
    if not lengths:
        return None
    mean = Decimal(str(sum(lengths))) / len(lengths) / SECONDS_A_DAY
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# A mean of the stays' lengths (a mean is not a sum of cells: the stays are fetched, then averaged).
MEAN_DAYS = Total(
    of=lambda qs, period: mean_days(list(qs.values_list("at", "entered_at"))),
    fields=("at", "entered_at"),
    reduce=mean_days,
)


def stays_ended(stage: str) -> Side:
    """The steps of the period that left `stage` (each ends one stay in it), each with the instant the
    stay began (`entered_at`: the latest step before it that led into the stage)."""

    def rows(ctx: Ctx) -> QuerySet[CaseEvent]:
        entered = (
            CaseEvent.objects.filter(case=OuterRef("case"), to_stage=stage, at__lte=OuterRef("at"))
            .exclude(from_stage=stage)
            .exclude(pk=OuterRef("pk"))
            .order_by("-at", "-id")
            .values("at")[:1]
        )
        return (
            CaseEvent.objects.filter(Exists(_cases(ctx).filter(pk=OuterRef("case_id"))), from_stage=stage)
            .exclude(to_stage=stage)
            .exclude(to_stage="")
            .annotate(entered_at=Subquery(entered))
            .filter(entered_at__isnull=False)
        )

    return timed(rows, "case__area_path", "at", MEAN_DAYS)


# Supervision sessions held in the period under the area, signed by both.
signed_sessions = dated(
    lambda ctx: ctx.records(SupervisionSession, "area_path").filter(
        supervisor_signed_at__isnull=False, worker_signed_at__isnull=False
    ),
    "area_path",
    "held_on",
    sum_of("hours"),
)


def owed(period: Period) -> Decimal:
    """The supervision one supervisee is owed over a period: the monthly quota for every calendar month
    the period touches."""
    return monthly_hours() * len(period.months())


def _owed_hours(supervisees: Any, period: Period) -> Decimal:
    return (Decimal(supervisees or 0) * owed(period)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# The supervisees under the area (linked by the period's end), each owed the quota.
supervisees = Side(
    lambda ctx: ctx.records(SupervisionLink, "area_path"),
    lambda ctx: Q(created_at__lt=ctx.end_dt),
    "area_path",
    Total(
        of=lambda qs, period: _owed_hours(qs.count(), period),
        aggregate=COUNT.aggregate,
        finish=_owed_hours,
    ),
)


figure(
    FigureSpec(
        "cases_open",
        "casework",
        _("Open cases"),
        "",
        _("Cases open at the end of the period"),
        open_at_end,
        "case",
        order=10,
    )
)
for order, stage in enumerate(TIMED, start=2):
    figure(
        FigureSpec(
            f"cases_open_{stage}",
            "casework",
            _of_stage(gettext_noop("Open cases in %(stage)s"), stage),
            "",
            _of_stage(gettext_noop("Cases in %(stage)s at the end of the period"), stage),
            _open_in(stage),
            "case",
            order=order * 10,
        )
    )
for order, (risk, label) in enumerate(
    [
        (Risk.HIGH, _("Open cases at high risk")),
        (Risk.MEDIUM, _("Open cases at medium risk")),
        (Risk.LOW, _("Open cases at low risk")),
        (None, _("Open cases not assessed yet")),
    ],
    start=8,
):
    figure(
        FigureSpec(
            f"cases_open_{risk or 'unassessed'}",
            "casework",
            label,
            "",
            _("Cases open at the end of the period, by the risk of their latest assessment"),
            _open_at_risk(risk),
            "case",
            order=order * 10,
        )
    )
figure(
    FigureSpec(
        "cases_closed_goals_met",
        "casework",
        _("Cases closed with their goals met"),
        "%",
        _("Cases closed because their goals were met"),
        closed_goals_met,
        "case",
        _("Cases closed in the period"),
        closed_in,
        order=120,
    )
)
for order, stage in enumerate(TIMED, start=13):
    figure(
        FigureSpec(
            f"case_days_{stage}",
            "casework",
            _of_stage(gettext_noop("Mean days in %(stage)s"), stage),
            DAYS,
            _of_stage(gettext_noop("Mean days of the stays in %(stage)s that ended in the period"), stage),
            stays_ended(stage),
            "case_stay",
            order=order * 10,
        )
    )
figure(
    FigureSpec(
        "supervision_quota",
        "casework",
        _("Supervision hours against the quota"),
        "%",
        _("Hours of signed supervision sessions held in the period"),
        signed_sessions,
        "supervision_session",
        _("Hours owed: supervisees × monthly quota × months"),
        supervisees,
        order=200,
    )
)

# Group work: the sessions held in the period under the area, and the attendances at them (one a member
# a session: person-times, as volunteering counts its activities').
group_sessions = dated(
    lambda ctx: ctx.records(GroupSession, "group__area_path"), "group__area_path", "held_on"
)
ATTENDED = GroupSession.attended.through
group_attendances = dated(
    lambda ctx: ctx.records(ATTENDED, "groupsession__group__area_path"),
    "groupsession__group__area_path",
    "groupsession__held_on",
)

figure(
    FigureSpec(
        "group_sessions",
        "casework",
        _("Group work sessions held"),
        "",
        _("Sessions of casework groups held in the period"),
        group_sessions,
        "group_session",
        order=210,
    )
)
figure(
    FigureSpec(
        "group_attendances",
        "casework",
        _("Group work attendances"),
        "",
        _("Members present at the sessions held in the period (person-times)"),
        group_attendances,
        "group_attendance",
        order=220,
    )
)


# --- the lists ----------------------------------------------------------------------------------


def _case_cells(ctx: Ctx, row: Any) -> tuple[list[str], str | None]:
    client = row.resident if row.resident is not None else None
    name = child_name(client, row.client_name)
    return (
        [f"#{row.pk}", f"{row.opened_on}", name, row.get_stage_display(), row.get_risk_display() or "—"],
        f"/casework/{row.pk}/",
    )


def _stay_cells(ctx: Ctx, row: Any) -> tuple[list[str], str | None]:
    days = Decimal(str((row.at - row.entered_at).total_seconds())) / SECONDS_A_DAY
    return (
        [
            f"#{row.case_id}",
            dict(Stage.choices).get(row.from_stage, row.from_stage),
            timezone.localtime(row.entered_at).strftime("%Y-%m-%d"),
            timezone.localtime(row.at).strftime("%Y-%m-%d"),
            f"{days.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}",
        ],
        f"/casework/{row.case_id}/",
    )


row_list(
    RowList(
        "case",
        "case",
        "area_path",
        (_("Case"), _("Opened on"), _("Client"), _("Stage"), _("Risk level")),
        _case_cells,
        prepare=lambda ctx, qs: qs.select_related("resident", "household").order_by("-opened_on", "-id"),
        names_people=True,
    )
)
row_list(
    RowList(
        "case_stay",
        "case",
        "case__area_path",
        (_("Case"), _("Stage"), _("Entered on"), _("Left on"), _("Days")),
        _stay_cells,
        prepare=lambda ctx, qs: qs.order_by("-at", "-id"),
        names_people=True,
    )
)
row_list(
    RowList(
        "supervision_session",
        "supervision",
        "area_path",
        (_("Held on"), _("Supervisor"), _("Supervisee"), _("Hours")),
        lambda ctx, row: ([f"{row.held_on}", str(row.supervisor), str(row.worker), f"{row.hours}"], None),
        prepare=lambda ctx, qs: qs.select_related("supervisor", "worker").order_by("-held_on", "-id"),
    )
)
row_list(
    RowList(
        "supervision_link",
        "supervision",
        "area_path",
        (_("Supervisor"), _("Supervisee"), _("Hours owed")),
        lambda ctx, row: ([str(row.supervisor), str(row.worker), f"{owed(ctx.period)}"], None),
        prepare=lambda ctx, qs: qs.select_related("supervisor", "worker").order_by("area_path", "id"),
    )
)
row_list(
    RowList(
        "group_session",
        "group",
        "group__area_path",
        (_("Held on"), _("Group"), _("No."), _("Topic")),
        lambda ctx, row: (
            [f"{row.held_on}", row.group.name, f"{row.number}", row.topic],
            f"/casework/groups/{row.group_id}/",
        ),
        prepare=lambda ctx, qs: qs.select_related("group").order_by("-held_on", "-id"),
    )
)
row_list(
    RowList(
        "group_attendance",
        "group",
        "groupsession__group__area_path",
        (_("Held on"), _("Group"), _("Member")),
        lambda ctx, row: (
            [
                f"{row.groupsession.held_on}",
                row.groupsession.group.name,
                child_name(row.groupmember.resident, row.groupmember.resident.name),
            ],
            f"/casework/groups/{row.groupsession.group_id}/",
        ),
        prepare=lambda ctx, qs: qs.select_related("groupsession__group", "groupmember__resident").order_by(
            "-groupsession__held_on", "-id"
        ),
        names_people=True,
    )
)
