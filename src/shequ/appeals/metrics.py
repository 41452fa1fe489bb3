"""The appeal figures of an area, exactly as docs/metrics.md defines them: response, resolution,
satisfaction and on-time rates, and the mean time spent in each stage — in total, by child area,
by category and by month. Each table is one aggregate query over the area's index range."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from shequ.appeals.models import Appeal, AppealStep, Category, Stage
from shequ.core import access
from shequ.core.figures import rate
from shequ.core.models import Area, subtree_q

# Stages whose time is reported (a stay in a stage ends with the step that leaves it).
TIMED_STAGES = [
    Stage.REPORTED,
    Stage.ACCEPTED,
    Stage.DISPATCHED,
    Stage.IN_PROGRESS,
    Stage.HANDLED,
    Stage.VERIFIED,
]
SATISFIED_FROM = 4  # a score of 4 or 5 out of 5 is "satisfied"
MONTHS = 12


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    counted: int  # appeals reported (merged duplicates not counted)
    responded: int
    accepted: int
    resolved: int
    evaluated: int
    satisfied: int
    closed: int
    closed_on_time: int

    @property
    def response_rate(self) -> Decimal | None:
        return rate(self.responded, self.counted)

    @property
    def resolution_rate(self) -> Decimal | None:
        return rate(self.resolved, self.accepted)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied, self.evaluated)

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.closed_on_time, self.closed)


AGGREGATES = {
    "counted": Count("id"),
    "responded": Count("id", filter=Q(accepted_at__isnull=False) | Q(stage=Stage.REJECTED)),
    "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
    "resolved": Count("id", filter=Q(accepted_at__isnull=False, closed_at__isnull=False)),
    "evaluated": Count("evaluation"),
    "satisfied": Count("evaluation", filter=Q(evaluation__score__gte=SATISFIED_FROM)),
    "closed": Count("id", filter=Q(closed_at__isnull=False)),
    "closed_on_time": Count("id", filter=Q(closed_at__isnull=False, was_overdue=False)),
}


def _row(key: Any, label: str, values: Mapping[str, Any]) -> Row:
    return Row(key=key, label=label, **{k: int(values.get(k) or 0) for k in AGGREGATES})


@dataclass(frozen=True)
class StageTime:
    stage: str
    label: str
    stays: int
    mean_hours: Decimal | None


@dataclass(frozen=True)
class Figures:
    area: Area
    total: Row
    by_child: list[Row]
    by_category: list[Row]
    by_month: list[Row]
    stage_times: list[StageTime]
    since: date | None
    until: date | None


def counted_appeals(
    user: Any, area: Area, *, since: date | None = None, until: date | None = None
) -> QuerySet[Appeal]:
    """Appeals about places under `area` that the user may see, reported in [since, until], merged
    duplicates left out (they are counted once, through the appeal they joined)."""
    qs = (
        access.scope(user, "appeal", "view")
        .filter(subtree_q(area.path, "area_path"))
        .exclude(stage=Stage.MERGED)
    )
    tz = timezone.get_current_timezone()
    if since is not None:
        qs = qs.filter(reported_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until is not None:
        qs = qs.filter(reported_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return qs


def _month_start(today: date, months_back: int) -> date:
    index = today.year * 12 + today.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def figures_for(
    user: Any, area: Area, *, since: date | None = None, until: date | None = None, today: date | None = None
) -> Figures:
    qs = counted_appeals(user, area, since=since, until=until)
    children = list(Area.objects.filter(parent=area).order_by("path"))
    width = len(children[0].path) if children else len(area.path)

    # Months as ranges of reported_at computed in SQL (CASE WHEN), not TruncMonth: SQLite truncates
    # time-zone-aware dates in Python, row by row, which costs seconds at district scale.
    tz = ZoneInfo(settings.TIME_ZONE)
    today = today or timezone.localdate()
    starts = [_month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    bounds = [datetime.combine(m, time.min, tzinfo=tz) for m in [*starts, _month_start(today, -1)]]
    month_of = Case(
        *[
            When(reported_at__gte=bounds[i], reported_at__lt=bounds[i + 1], then=Value(i))
            for i in range(MONTHS)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )
    # One scan: counts per (child area, category, month); every table below is a sum of these
    # cells (the counts add up exactly), so the database reads the area's appeals once.
    cells: list[dict[str, Any]] = [
        dict(cell)
        for cell in qs.order_by()
        .annotate(child=Substr("area_path", 1, width), month=month_of)
        .values("child", "category_id", "month")
        .annotate(**AGGREGATES)
    ]

    def summed(key: str) -> dict[Any, dict[str, int]]:
        out: dict[Any, dict[str, int]] = {}
        for cell in cells:
            sums = out.setdefault(cell[key], dict.fromkeys(AGGREGATES, 0))
            for name in AGGREGATES:
                sums[name] += cell[name] or 0
        return out

    total = _row(None, area.name, {k: sum(c[k] or 0 for c in cells) for k in AGGREGATES})
    per_child = summed("child")
    by_child = [_row(c.pk, c.name, per_child[c.path]) for c in children if c.path in per_child]
    per_category = summed("category_id")
    by_category = [
        _row(c.code, c.name, per_category[c.pk])
        for c in Category.objects.filter(pk__in=list(per_category)).order_by("order", "code")
    ]
    per_month = summed("month")
    by_month = [
        _row(month, f"{month:%Y-%m}", per_month[i]) for i, month in enumerate(starts) if i in per_month
    ]

    steps = (
        AppealStep.objects.filter(appeal__in=qs.values("pk"), stage_seconds__isnull=False)
        .exclude(from_stage="")
        .values("from_stage")
        .annotate(stays=Count("id"), mean=Avg("stage_seconds"))
    )
    per_stage = {r["from_stage"]: r for r in steps}
    labels = dict(Stage.choices)
    stage_times = []
    for stage in TIMED_STAGES:
        r = per_stage.get(stage.value)
        mean = (Decimal(r["mean"]) / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if r else None
        stage_times.append(StageTime(stage.value, str(labels[stage]), r["stays"] if r else 0, mean))

    return Figures(
        area=area,
        total=total,
        by_child=by_child,
        by_category=by_category,
        by_month=by_month,
        stage_times=stage_times,
        since=since,
        until=until,
    )
