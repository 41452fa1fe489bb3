"""The rows behind a figure's numerator or denominator, as its drill-down page lists them: the same
querysets the figure counts (each app's figures.py, core.figures), listed as the figure's row kind
says, masked like every list. The figure counts every record under the area; the list shows only the
rows the viewer may read (a role that sees figures but no records, such as a third-party evaluator,
gets no list at all). Rows a list never shows (children under 14 to roles that do not serve them,
people erased on request, rows outside the viewer's reach) are counted in the figure and left out of
the list; the page says how many."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shequ.core import access
from shequ.core import figures as registry
from shequ.core.errors import Forbidden, NotFound
from shequ.core.figures import Ctx, FigureSpec


@dataclass(frozen=True)
class Drill:
    spec: FigureSpec
    side: str  # "numerator" | "denominator"
    label: str
    total: Any  # the figure's numerator or denominator
    rows: QuerySet  # what may be listed
    hidden: int  # counted but not listed
    columns: list[str]


def drill_for(ctx: Ctx, key: str, side: str) -> Drill:
    spec = registry.spec(key)
    if spec is None or side not in ("numerator", "denominator"):
        raise NotFound()
    make = spec.side(side)
    kind = registry.row_kind(spec.rows)
    if make is None or kind is None:
        raise NotFound()
    qs = make(ctx)
    total = make.total.of(qs, ctx.period)
    listed = kind.prepare(ctx, qs)
    paths = access.paths_for(ctx.viewer, kind.resource, "view")
    if not paths or (kind.names_people and not access.paths_for(ctx.viewer, "resident", "view")):
        raise Forbidden(_("Your role sees the figures, not the records behind them."))
    listed = listed.filter(access.path_q(kind.path_field, paths))
    hidden = qs.count() - listed.count()
    label = spec.numerator_label if side == "numerator" else spec.denominator_label
    return Drill(spec, side, str(label), total, listed, hidden, [str(c) for c in kind.columns])


def cells(ctx: Ctx, kind: str, row: Any) -> tuple[list[str], str | None]:
    """The cells of one listed row, and the link to the row's own page when there is one."""
    found = registry.row_kind(kind)
    if found is None:
        raise NotFound()
    return found.cells(ctx, row)
