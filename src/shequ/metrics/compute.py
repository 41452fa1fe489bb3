"""How each figure is computed: the figures every app declares in its `figures.py` (core.figures), each
a specification whose numerator and denominator are querysets of the very rows the drill-down pages
list — so a number on the dashboard is always the count (or sum) of the rows behind its link. Metrics
imports no domain app: what is counted is the apps' own declaration."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from shequ.core import access
from shequ.core import figures as registry
from shequ.core.figures import Ctx, FigureSpec, Number, rate
from shequ.core.models import Area, User
from shequ.metrics.values import Figure, Period, TargetProgress

Spec = FigureSpec

__all__ = ["Ctx", "Spec", "area_figures", "children_figures", "figure", "series", "target_progress"]


def __getattr__(name: str) -> Any:
    """SPECS, SPEC_BY_KEY and KEYS, read from the registry when asked (the apps register when ready)."""
    if name == "SPECS":
        return registry.specs()
    if name == "SPEC_BY_KEY":
        return {s.key: s for s in registry.specs()}
    if name == "KEYS":
        return [s.key for s in registry.specs()]
    raise AttributeError(name)


def drill_url(key: str, side: str, area: Area, period: Period) -> str:
    query = urlencode({"area": area.pk, "from": period.start.isoformat(), "to": period.end.isoformat()})
    return f"{reverse('metrics:drill', args=[key, side])}?{query}"


def values_of(spec: FigureSpec, ctx: Ctx) -> tuple[Number, Number]:
    """The figure's numerator and denominator (None for a count or total) in one period."""
    numerator = spec.total_of("numerator", spec.numerator(ctx))
    denominator = None if spec.denominator is None else spec.total_of("denominator", spec.denominator(ctx))
    return numerator, denominator


def figure(spec: FigureSpec, ctx: Ctx, values: tuple[Number, Number] | None = None) -> Figure:
    """The figure of `ctx`'s period, from its numerator and denominator (counted here unless given)."""
    numerator, denominator = values if values is not None else values_of(spec, ctx)
    if spec.denominator is None:
        value: Decimal | None = None if numerator is None else Decimal(numerator)
        denominator = None
        denominator_url = None
    else:
        value = None if numerator is None or denominator is None else rate(numerator, denominator)
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
    return [figure(s, ctx) for s in registry.specs() if keys is None or s.key in keys]


def series(
    viewer: User, area: Area, periods: list[Period], keys: list[str] | None = None
) -> dict[str, list[Figure]]:
    out: dict[str, list[Figure]] = {s.key: [] for s in registry.specs() if keys is None or s.key in keys}
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
        spec = registry.spec(t.key)
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
