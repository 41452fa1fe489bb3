"""Metrics API: an area's figures for a month, a year or a pair of dates (with the formula and the
links to the rows behind each number), its children side by side, and its yearly targets."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from shequ.core import access
from shequ.core.api import Input
from shequ.core.http import ApiRequest
from shequ.metrics import services
from shequ.metrics.selectors import (
    Figure,
    Period,
    TargetProgress,
    area_figures,
    children_figures,
    dashboard_area_for,
    parse_period,
    target_progress,
)

router = Router(tags=["metrics"])


class FigureOut(Schema):
    key: str
    label: str
    group: str
    numerator: int | Decimal | None  # None: a mean of nothing (shown "—")
    denominator: int | Decimal | None
    value: Decimal | None  # None: nothing to divide by (shown "—")
    unit: str
    formula: str
    numerator_url: str | None
    denominator_url: str | None


class PeriodOut(Schema):
    start: date
    end: date
    label: str


class FiguresOut(Schema):
    area_id: int
    area_name: str
    period: PeriodOut
    figures: list[FigureOut]


class ChildOut(Schema):
    area_id: int
    area_name: str
    figures: list[FigureOut]


class ChildrenOut(Schema):
    area_id: int
    period: PeriodOut
    children: list[ChildOut]


class TargetOut(Schema):
    key: str
    label: str
    target: Decimal
    actual: Decimal | None
    ratio: Decimal | None
    unit: str
    met: bool


class PeriodQuery(Schema):
    period: str = Field("", max_length=7)
    year: str = Field("", max_length=4)
    start: str = Field("", alias="from", max_length=10)
    end: str = Field("", alias="to", max_length=10)


class TargetsIn(Input):
    year: int = Field(ge=2000, le=2100)
    # figure key -> target; null removes the target
    values: dict[str, Decimal | None]


def _figure(f: Figure) -> FigureOut:
    return FigureOut(
        key=f.key,
        label=f.label,
        group=f.group,
        numerator=f.numerator,
        denominator=f.denominator,
        value=f.value,
        unit=f.unit,
        formula=f.formula,
        numerator_url=f.numerator_url,
        denominator_url=f.denominator_url,
    )


def _period(p: Period) -> PeriodOut:
    return PeriodOut(start=p.start, end=p.end, label=p.label())


def _target(t: TargetProgress) -> TargetOut:
    return TargetOut(
        key=t.key, label=t.label, target=t.target, actual=t.actual, ratio=t.ratio, unit=t.unit, met=t.met
    )


@router.get("/metrics/areas/{area_id}/figures", response=FiguresOut)
def figures(
    request: ApiRequest,
    area_id: int,
    q: Query[PeriodQuery],
) -> FiguresOut:
    """?period=2026-11, ?year=2026 or ?from=2026-11-01&to=2026-11-30 (the current month by default)."""
    area = dashboard_area_for(request.auth, area_id)
    p = parse_period({"period": q.period, "year": q.year, "from": q.start, "to": q.end}, timezone.localdate())
    return FiguresOut(
        area_id=area.pk,
        area_name=area.name,
        period=_period(p),
        figures=[_figure(f) for f in area_figures(request.auth, area, p)],
    )


@router.get("/metrics/areas/{area_id}/children", response=ChildrenOut)
def children(request: ApiRequest, area_id: int, period: str = "", year: str = "") -> ChildrenOut:
    area = dashboard_area_for(request.auth, area_id)
    p = parse_period({"period": period, "year": year}, timezone.localdate())
    return ChildrenOut(
        area_id=area.pk,
        period=_period(p),
        children=[
            ChildOut(area_id=c.pk, area_name=c.name, figures=[_figure(f) for f in fs])
            for c, fs in children_figures(request.auth, area, p)
        ],
    )


@router.get("/metrics/areas/{area_id}/targets", response=list[TargetOut])
def targets(request: ApiRequest, area_id: int, year: int = Query(..., ge=2000, le=2100)) -> list[TargetOut]:
    area = dashboard_area_for(request.auth, area_id)
    access.require(request.auth, "target", "view", path=area.path)
    return [_target(t) for t in target_progress(request.auth, area, year)]


@router.put("/metrics/areas/{area_id}/targets", response=list[TargetOut])
def targets_set(request: ApiRequest, area_id: int, payload: TargetsIn) -> list[TargetOut]:
    from shequ.core import selectors as core_selectors

    area = core_selectors.area_for(request.auth, area_id)
    services.targets_set(by=request.auth, area=area, year=payload.year, values=dict(payload.values))
    return [_target(t) for t in target_progress(request.auth, area, payload.year)]
