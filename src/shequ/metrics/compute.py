"""How each figure is computed: the figures every app declares in its `figures.py` (core.figures), each
a specification whose numerator and denominator are querysets of the very rows the drill-down pages
list — so a number on the dashboard is always the count (or sum) of the rows behind its link. Metrics
imports no domain app: what is counted is the apps' own declaration."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.db.models import BooleanField, ExpressionWrapper
from django.db.models.functions import Substr
from django.urls import reverse

from shequ.core import access
from shequ.core import figures as registry
from shequ.core.figures import Ctx, FigureSpec, Number, Side, rate
from shequ.core.models import Area, User, subtree_q
from shequ.metrics.values import Figure, Period, TargetProgress

Spec = FigureSpec

__all__ = [
    "Ctx",
    "Spec",
    "area_and_children",
    "area_figures",
    "children_figures",
    "figure",
    "grid",
    "series",
    "target_progress",
]


def __getattr__(name: str) -> Any:
    """SPECS, SPEC_BY_KEY and KEYS, read from the registry when asked (the apps register when ready)."""
    if name == "SPECS":
        return registry.specs()
    if name == "SPEC_BY_KEY":
        return {s.key: s for s in registry.specs()}
    if name == "KEYS":
        return [s.key for s in registry.specs()]
    raise AttributeError(name)


@functools.lru_cache(maxsize=512)
def _drill_path(key: str, side: str) -> str:
    return reverse("metrics:drill", args=[key, side])


def drill_url(key: str, side: str, area: Area, period: Period) -> str:
    query = urlencode({"area": area.pk, "from": period.start.isoformat(), "to": period.end.isoformat()})
    return f"{_drill_path(key, side)}?{query}"


def values_of(spec: FigureSpec, ctx: Ctx) -> tuple[Number, Number]:
    """The figure's numerator and denominator (None for a count or total) in one period."""
    numerator = spec.numerator.total.of(spec.numerator(ctx), ctx.period)
    denominator = None
    if spec.denominator is not None:
        denominator = spec.denominator.total.of(spec.denominator(ctx), ctx.period)
    return numerator, denominator


Cell = tuple[int, int]  # (the area's index, the period's index)


def _side_grid(
    side: Side, viewer: User, base: Area, areas: list[Area], periods: list[Period]
) -> dict[Cell, Number]:
    """One side of a figure in every (area, period) cell, in one grouped scan of the side's rows under
    `base` over all the periods: one aggregate column per period, grouped by the area below each row
    lies in (the prefix of its path), so neither the months nor the areas below add a statement. The
    area itself is the sum of its groups (a row lies in one). A mean fetches the rows once, flagged by
    period, and reduces each cell's rows in Python. A side whose condition reads the cell's area
    (`local`) or whose total does not add up keeps one column per cell — still one statement."""
    total = side.total
    below = [a for a in areas if a.path != base.path]
    widths = {len(a.path) for a in below}
    additive = total.aggregate is not None and total.additive
    # A local condition is the cell's own when there is no area below (a trend): grouped as well.
    if (side.local and below) or len(widths) > 1 or not (additive or total.reduce is not None):
        return _cell_columns(side, viewer, base, areas, periods)
    width = widths.pop() if widths else 0
    span = Period(min(p.start for p in periods), max(p.end for p in periods))
    conditions = [side.when(Ctx(viewer, base, p)) for p in periods]
    rows = side.rows(Ctx(viewer, base, span)).order_by()
    if total.aggregate is not None:
        columns = {f"p{j}": total.aggregate(q) for j, q in enumerate(conditions)}
        if width:
            groups = {
                g["area_prefix"]: g
                for g in rows.annotate(area_prefix=Substr(side.path, 1, width))
                .values("area_prefix")
                .annotate(**columns)
            }
        else:
            groups = {base.path: rows.aggregate(**columns)}
        sums = {f"p{j}": sum((g[f"p{j}"] or 0 for g in groups.values()), 0) for j in range(len(periods))}
        return {
            (i, j): total.finish((sums if a.path == base.path else groups.get(a.path, {})).get(f"p{j}"), p)
            for i, a in enumerate(areas)
            for j, p in enumerate(periods)
        }
    # A mean: the rows of any period, once, with their path and a flag per period.
    flags = {f"p{j}": ExpressionWrapper(q, output_field=BooleanField()) for j, q in enumerate(conditions)}
    fetched = list(
        rows.filter(functools.reduce(operator.or_, conditions))
        .annotate(**flags)
        .values_list(side.path, *total.fields, *flags)
    )
    first_flag = 1 + len(total.fields)
    reduce = cast(Callable[[list[tuple[Any, ...]]], Number], total.reduce)
    return {
        (i, j): reduce(
            [
                row[1:first_flag]
                for row in fetched
                if row[first_flag + j] and (a.path == base.path or row[0].startswith(a.path))
            ]
        )
        for i, a in enumerate(areas)
        for j in range(len(periods))
    }


def _cell_columns(
    side: Side, viewer: User, base: Area, areas: list[Area], periods: list[Period]
) -> dict[Cell, Number]:
    """One aggregate column per (area, period) cell: the cell's own condition and, below `base`, the
    area's index range — for a condition that reads the cell's area or a total that does not add up."""
    cells = [(i, j) for i in range(len(areas)) for j in range(len(periods))]
    total = side.total
    if total.aggregate is None:
        return {(i, j): total.of(side(Ctx(viewer, areas[i], periods[j])), periods[j]) for i, j in cells}
    span = Period(min(p.start for p in periods), max(p.end for p in periods))
    columns = {}
    for i, j in cells:
        condition = side.when(Ctx(viewer, areas[i], periods[j]))
        if areas[i].path != base.path:
            # The index range first: a row of another child is left at once, before the period's
            # subqueries (EXISTS …) are evaluated for it.
            condition = subtree_q(areas[i].path, side.path) & condition
        columns[f"c{i}_{j}"] = total.aggregate(condition)
    values = side.rows(Ctx(viewer, base, span)).order_by().aggregate(**columns)
    return {(i, j): total.finish(values[f"c{i}_{j}"], periods[j]) for i, j in cells}


def grid(
    viewer: User, base: Area, areas: list[Area], periods: list[Period], keys: list[str] | None = None
) -> dict[str, dict[Cell, Figure]]:
    """Every figure (of `keys`) for each area (at or below `base`) and each period: one grouped scan per
    side of a figure, however many areas and periods — not one query per cell."""
    out: dict[str, dict[Cell, Figure]] = {}
    if not areas or not periods:
        return {s.key: {} for s in registry.specs() if keys is None or s.key in keys}
    for spec in registry.specs():
        if keys is not None and spec.key not in keys:
            continue
        numerators = _side_grid(spec.numerator, viewer, base, areas, periods)
        denominators = (
            _side_grid(spec.denominator, viewer, base, areas, periods) if spec.denominator is not None else {}
        )
        out[spec.key] = {
            cell: figure(spec, Ctx(viewer, areas[cell[0]], periods[cell[1]]), (n, denominators.get(cell)))
            for cell, n in numerators.items()
        }
    return out


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
    return [cells[(0, 0)] for cells in grid(viewer, area, [area], [period], keys).values()]


def series(
    viewer: User, area: Area, periods: list[Period], keys: list[str] | None = None
) -> dict[str, list[Figure]]:
    """Figure key -> one Figure per period: one grouped scan per side of a figure for all the periods."""
    return {
        key: [cells[(0, j)] for j in range(len(periods))]
        for key, cells in grid(viewer, area, [area], periods, keys).items()
    }


def _children(viewer: User, area: Area) -> list[Area]:
    return list(access.scope(viewer, "area", "view").filter(parent=area).order_by("path"))


def children_figures(
    viewer: User, area: Area, period: Period, keys: list[str] | None = None
) -> list[tuple[Area, list[Figure]]]:
    return area_and_children(viewer, area, period, keys)[1]


def area_and_children(
    viewer: User, area: Area, period: Period, keys: list[str] | None = None
) -> tuple[list[Figure], list[tuple[Area, list[Figure]]]]:
    """The area's figures and its visible children's, side by side, from the same grouped scans."""
    children = _children(viewer, area)
    figures = grid(viewer, area, [area, *children], [period], keys)
    own = [cells[(0, 0)] for cells in figures.values()]
    below = [
        (child, [cells[(i, 0)] for cells in figures.values()]) for i, child in enumerate(children, start=1)
    ]
    return own, below


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
