"""How each figure of docs/metrics.md is computed: one specification per figure, whose numerator and
denominator are querysets of the very rows the drill-down pages list — so a number on the dashboard
is always the count (or sum) of the rows behind its link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shequ.appeals.metrics import AGGREGATES, counted_appeals, rate
from shequ.core import access
from shequ.core.models import Area, User, subtree_q
from shequ.metrics.values import Figure, Period, TargetProgress
from shequ.needs.models import Need, NeedStatus, Respondents, SurveyResponse, Visit
from shequ.registry.models import Household, Organisation, OrganisationKind, Resident, ResidentStatus
from shequ.registry.selectors import years_ago
from shequ.volunteering.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    HoursStatus,
    OrganiserKind,
    RecordKind,
    ServiceHours,
    ServiceRecord,
)

# 辖区单位: the units of the area that the unit rates count. Party and youth-league branches are the
# community's own organisations, social organisations its service providers: neither is counted.
UNIT_KINDS = (OrganisationKind.UNIT, OrganisationKind.PROPERTY_COMPANY)
SATISFIED_FROM = 4  # of 1–5, as for appeal evaluations
ELDERLY_AGE = 60
PARTY_DAY = 25  # 主题党日: the 25th of each month
HARDSHIP_GROUP = "hardship"  # Activity.target_groups: households in hardship (poverty help, 扶贫帮困)


@dataclass(frozen=True)
class Ctx:
    viewer: User
    area: Area
    period: Period

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def start_dt(self) -> datetime:
        return datetime.combine(self.period.start, time.min, tzinfo=self.tz)

    @property
    def end_dt(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        from datetime import timedelta

        return datetime.combine(self.period.end + timedelta(days=1), time.min, tzinfo=self.tz)

    def dates(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.period.start, f"{field}__lte": self.period.end})

    def instants(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_dt, f"{field}__lt": self.end_dt})

    def records(self, model: Any, path_field: str) -> QuerySet:
        """The model's rows under the area. A figure is an aggregate: whoever may read the area's
        dashboard (an evaluator included) counts every record under it, whatever their right to read
        the rows themselves; the lists behind a number (drill.py) show only rows the viewer may read."""
        paths = access.paths_for(self.viewer, "dashboard", "view")
        return model.objects.filter(access.path_q(path_field, paths), subtree_q(self.area.path, path_field))


# --- the populations, each scoped to the viewer and to the area's subtree -----------------------


def residents_living(ctx: Ctx) -> QuerySet[Resident]:
    """Residents able to take part: registered under the area and living there during the period —
    living here now (or erased on request, still living here anonymised), or moved out / died on or
    after the period's first day; born by its last day."""
    gone = [ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED]
    return (
        ctx.records(Resident, "area__path")
        .filter(birth_date__lte=ctx.period.end)
        .filter(
            Q(status__in=[ResidentStatus.ACTIVE, ResidentStatus.ERASED])
            | Q(status__in=gone, left_on__gte=ctx.period.start)
        )
    )


def households(ctx: Ctx) -> QuerySet[Household]:
    return ctx.records(Household, "area__path")


def units(ctx: Ctx) -> QuerySet[Organisation]:
    return ctx.records(Organisation, "area__path").filter(kind__in=UNIT_KINDS)


def _records(ctx: Ctx, kind: str) -> QuerySet[ServiceRecord]:
    """Service records of the period at activities under the area that the viewer may see."""
    return ctx.records(ServiceRecord, "area__path").filter(ctx.dates("served_on"), kind=kind)


def _any_record(ctx: Ctx, kind: str, field: str) -> Exists:
    """The subject (resident, household or unit) has a record of this kind in the period, at any
    activity: taking part in a street's activity is taking part too."""
    return Exists(ServiceRecord.objects.filter(ctx.dates("served_on"), kind=kind, **{field: OuterRef("pk")}))


def finished_activities(ctx: Ctx) -> QuerySet[Activity]:
    """Activities under the area, finished, that started in the period (Asia/Shanghai)."""
    return ctx.records(Activity, "area__path").filter(
        ctx.instants("starts_at"), status=ActivityStatus.FINISHED
    )


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


def elderly_alone(ctx: Ctx) -> QuerySet[Resident]:
    """Residents living during the period, living alone, aged 60 or over on its last day."""
    return residents_living(ctx).filter(
        living_alone=True, birth_date__lte=years_ago(ELDERLY_AGE, ctx.period.end)
    )


def _visited(ctx: Ctx) -> Exists:
    visits = ctx.records(Visit, "area_path").filter(ctx.dates("visited_on"))
    return Exists(
        visits.filter(
            Q(resident=OuterRef("pk")) | Q(household_id=OuterRef("household_id"), household__isnull=False)
        )
    )


def counted(ctx: Ctx) -> QuerySet:
    return counted_appeals(ctx.viewer, ctx.area, since=ctx.period.start, until=ctx.period.end)


def _appeals_with(name: str) -> Callable[[Ctx], QuerySet]:
    """The counted appeals that the appeals figure `name` counts (the filter of its aggregate in
    appeals/metrics.py, not a copy of it)."""
    aggregate = AGGREGATES[name]

    def rows(ctx: Ctx) -> QuerySet:
        qs = counted(ctx)
        condition = aggregate.filter
        if condition is not None:
            qs = qs.filter(condition)
        if name in ("evaluated", "satisfied"):
            qs = qs.filter(evaluation__isnull=False)
        return qs.distinct() if name in ("evaluated", "satisfied") else qs

    return rows


def confirmed_hours(ctx: Ctx) -> QuerySet[ServiceHours]:
    return ctx.records(ServiceHours, "activity__area__path").filter(
        ctx.dates("served_on"),
        status=HoursStatus.CONFIRMED,
    )


def party_person_times(ctx: Ctx) -> QuerySet[ServiceRecord]:
    """Person-times of party volunteer service: taking part in a party activity day or in an activity
    organised by a party branch."""
    return _records(ctx, RecordKind.PARTICIPANT).filter(
        Q(activity__kind=ActivityKind.PARTY_ACTIVITY_DAY)
        | Q(activity__organiser_kind=OrganiserKind.PARTY_BRANCH)
    )


def poverty_person_times(ctx: Ctx) -> QuerySet[ServiceRecord]:
    """Person-times of poverty help: taking part in an activity for households in hardship."""
    return _records(ctx, RecordKind.PARTICIPANT).filter(
        activity__target_groups__icontains=f'"{HARDSHIP_GROUP}"'
    )


def cultural_events(ctx: Ctx) -> QuerySet[Activity]:
    return finished_activities(ctx).filter(kind=ActivityKind.COMMUNITY_ACTIVITY)


def party_days(ctx: Ctx) -> QuerySet[Activity]:
    """Party activity days held on the 25th (Asia/Shanghai)."""
    return finished_activities(ctx).filter(kind=ActivityKind.PARTY_ACTIVITY_DAY, starts_at__day=PARTY_DAY)


# --- totals ---------------------------------------------------------------------------------------


def _count(qs: QuerySet) -> int:
    return qs.count()


def _hours(qs: QuerySet) -> Decimal:
    minutes = qs.aggregate(m=Sum("minutes"))["m"] or 0
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _months(qs: QuerySet) -> int:
    """The number of distinct calendar months (Asia/Shanghai) of the activities."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return len({a.astimezone(tz).strftime("%Y-%m") for a in qs.values_list("starts_at", flat=True)})


# --- the figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    key: str
    group: str
    label: Promise
    unit: str
    numerator_label: Promise
    numerator: Callable[[Ctx], QuerySet]
    # What the drill-down lists: resident, household, unit, need, response, appeal, hours, activity, record.
    rows: str
    denominator_label: Promise | None = None
    denominator: Callable[[Ctx], QuerySet] | None = None
    total: Callable[[QuerySet], int | Decimal] = _count
    # A count with a yearly target (shown in the volunteering group, and with "target" on cards).
    note: Promise | None = None

    def formula(self) -> str:
        if self.denominator_label is None:
            return str(self.numerator_label)
        return f"{self.numerator_label} ÷ {self.denominator_label}"


def _in(population: Callable[[Ctx], QuerySet], condition: Callable[[Ctx], Any]) -> Callable[[Ctx], QuerySet]:
    return lambda ctx: population(ctx).filter(condition(ctx))


SPECS: list[Spec] = [
    Spec(
        "resident_participation",
        "service",
        _("Resident participation rate"),
        "%",
        _("Residents who took part in services"),
        _in(residents_living, lambda c: _any_record(c, RecordKind.PARTICIPANT, "resident")),
        "resident",
        _("Residents able to take part"),
        residents_living,
    ),
    Spec(
        "unit_participation",
        "service",
        _("Unit participation rate"),
        "%",
        _("Units that took part in services"),
        _in(units, lambda c: _any_record(c, RecordKind.PARTICIPANT, "organisation")),
        "unit",
        _("Units in the area"),
        units,
    ),
    Spec(
        "resident_benefit",
        "service",
        _("Resident benefit rate"),
        "%",
        _("Households that benefited from services"),
        _in(households, lambda c: _any_record(c, RecordKind.BENEFICIARY, "household")),
        "household",
        _("Households"),
        households,
    ),
    Spec(
        "unit_benefit",
        "service",
        _("Unit benefit rate"),
        "%",
        _("Units that benefited from services"),
        _in(units, lambda c: _any_record(c, RecordKind.BENEFICIARY, "organisation")),
        "unit",
        _("Units in the area"),
        units,
    ),
    Spec(
        "need_satisfaction",
        "service",
        _("Need satisfaction rate"),
        "%",
        _("Needs met"),
        lambda c: needs_raised(c).filter(status=NeedStatus.MET),
        "need",
        _("Needs raised (withdrawn left out)"),
        needs_raised,
    ),
    Spec(
        "resident_satisfaction",
        "service",
        _("Resident satisfaction rate"),
        "%",
        _("Satisfied resident respondents"),
        lambda c: latest_responses(c, Respondents.RESIDENTS).filter(score__gte=SATISFIED_FROM),
        "response",
        _("Resident respondents"),
        lambda c: latest_responses(c, Respondents.RESIDENTS),
    ),
    # The seed's rate divides by every unit of the area (a unit that did not answer is not satisfied);
    # the respondents' rate beside it divides by the units that answered.
    Spec(
        "unit_satisfaction",
        "service",
        _("Unit satisfaction rate"),
        "%",
        _("Units satisfied"),
        _in(units, lambda c: _satisfied_unit(c)),
        "unit",
        _("Units in the area"),
        units,
    ),
    Spec(
        "unit_satisfaction_respondents",
        "service",
        _("Unit satisfaction among respondents"),
        "%",
        _("Satisfied unit respondents"),
        lambda c: latest_responses(c, Respondents.UNITS).filter(score__gte=SATISFIED_FROM),
        "response",
        _("Unit respondents"),
        lambda c: latest_responses(c, Respondents.UNITS),
    ),
    Spec(
        "appeal_response",
        "appeals",
        _("Appeal response rate"),
        "%",
        _("Appeals responded to"),
        _appeals_with("responded"),
        "appeal",
        _("Appeals reported"),
        counted,
    ),
    Spec(
        "appeal_resolution",
        "appeals",
        _("Appeal resolution rate"),
        "%",
        _("Accepted appeals closed"),
        _appeals_with("resolved"),
        "appeal",
        _("Appeals accepted"),
        _appeals_with("accepted"),
    ),
    Spec(
        "appeal_satisfaction",
        "appeals",
        _("Appeal satisfaction rate"),
        "%",
        _("Evaluations satisfied (4 or 5)"),
        _appeals_with("satisfied"),
        "appeal",
        _("Appeals evaluated"),
        _appeals_with("evaluated"),
    ),
    Spec(
        "appeal_on_time",
        "appeals",
        _("Appeals closed on time"),
        "%",
        _("Appeals closed without missing a deadline"),
        _appeals_with("closed_on_time"),
        "appeal",
        _("Appeals closed"),
        _appeals_with("closed"),
    ),
    Spec(
        "volunteer_hours",
        "volunteering",
        _("Volunteer service hours"),
        "h",
        _("Confirmed service hours"),
        confirmed_hours,
        "hours",
        total=_hours,
    ),
    Spec(
        "activities_finished",
        "volunteering",
        _("Activities held"),
        "",
        _("Finished activities that started in the period"),
        finished_activities,
        "activity",
    ),
    Spec(
        "person_times",
        "volunteering",
        _("Person-times taking part"),
        "",
        _("Participant records of the period"),
        lambda c: _records(c, RecordKind.PARTICIPANT),
        "record",
    ),
    Spec(
        "party_volunteer_person_times",
        "volunteering",
        _("Party volunteer service (person-times)"),
        "",
        _("Taking part in party activity days or party-branch activities"),
        party_person_times,
        "record",
    ),
    Spec(
        "poverty_help_person_times",
        "volunteering",
        _("Poverty help (person-times)"),
        "",
        _("Taking part in activities for households in hardship"),
        poverty_person_times,
        "record",
    ),
    Spec(
        "cultural_events",
        "volunteering",
        _("Cultural events"),
        "",
        _("Finished community activities"),
        cultural_events,
        "activity",
    ),
    Spec(
        "party_activity_days",
        "volunteering",
        _("Party activity days on the 25th"),
        "",
        _("Months with a party activity day held on the 25th"),
        party_days,
        "activity",
        total=_months,
    ),
    Spec(
        "elderly_alone_visited",
        "coverage",
        _("People aged 60+ living alone visited"),
        "%",
        _("Visited in the period (them or their household)"),
        _in(elderly_alone, _visited),
        "resident",
        _("Residents aged 60+ living alone"),
        elderly_alone,
    ),
]
SPEC_BY_KEY = {s.key: s for s in SPECS}
KEYS = [s.key for s in SPECS]


def drill_url(key: str, side: str, area: Area, period: Period) -> str:
    query = urlencode({"area": area.pk, "from": period.start.isoformat(), "to": period.end.isoformat()})
    return f"{reverse('metrics:drill', args=[key, side])}?{query}"


def figure(spec: Spec, ctx: Ctx) -> Figure:
    numerator = spec.total(spec.numerator(ctx))
    if spec.denominator is None:
        value: Decimal | None = Decimal(numerator)
        denominator = None
        denominator_url = None
    else:
        denominator = int(spec.total(spec.denominator(ctx)))
        value = rate(int(numerator), denominator)
        denominator_url = drill_url(spec.key, "denominator", ctx.area, ctx.period)
    return Figure(
        key=spec.key,
        label=str(spec.label),
        group=spec.group,
        numerator=numerator,
        denominator=denominator,
        value=value,
        unit=spec.unit,
        formula=spec.formula(),
        numerator_url=drill_url(spec.key, "numerator", ctx.area, ctx.period),
        denominator_url=denominator_url,
        numerator_label=str(spec.numerator_label),
        denominator_label=str(spec.denominator_label or ""),
    )


def area_figures(viewer: User, area: Area, period: Period, keys: list[str] | None = None) -> list[Figure]:
    ctx = Ctx(viewer, area, period)
    return [figure(s, ctx) for s in SPECS if keys is None or s.key in keys]


def series(
    viewer: User, area: Area, periods: list[Period], keys: list[str] | None = None
) -> dict[str, list[Figure]]:
    out: dict[str, list[Figure]] = {k: [] for k in KEYS if keys is None or k in keys}
    for period in periods:
        for f in area_figures(viewer, area, period, keys):
            out[f.key].append(f)
    return out


def children_figures(
    viewer: User, area: Area, period: Period, keys: list[str] | None = None
) -> list[tuple[Area, list[Figure]]]:
    visible = access.scope(viewer, "area", "view").filter(parent=area).order_by("path")
    return [(child, area_figures(viewer, child, period, keys)) for child in visible]


def target_progress(viewer: User, area: Area, year: int, today: date | None = None) -> list[TargetProgress]:
    from shequ.metrics.models import YearlyTarget

    targets = list(YearlyTarget.objects.filter(area=area, year=year).order_by("key"))
    if not targets:
        return []
    actual = {f.key: f for f in area_figures(viewer, area, Period.year(year), [t.key for t in targets])}
    out = []
    for t in targets:
        f = actual.get(t.key)
        value = f.value if f is not None else None
        ratio = None
        if value is not None and t.value:
            ratio = (Decimal(100) * value / t.value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        spec = SPEC_BY_KEY.get(t.key)
        out.append(
            TargetProgress(
                key=t.key,
                label=str(spec.label) if spec else t.key,
                target=t.value,
                actual=value,
                ratio=ratio,
                unit=spec.unit if spec else "",
                year=year,
                met=value is not None and value >= t.value,
            )
        )
    return out
