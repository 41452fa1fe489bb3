"""The appeals' figures on the dashboards (core.figures): response, resolution, satisfaction and
on-time rates over the appeals reported in the period, each counting the rows of its aggregate in
appeals/metrics.py (the filter is that aggregate's, not a copy), with the list of appeals behind them."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.appeals.metrics import AGGREGATES, counted_appeals
from shequ.core.figures import Ctx, FigureGroup, FigureSpec, RowList, Side, figure, figure_group, row_list

figure_group(FigureGroup("appeals", _("Appeals"), order=200))


def _appeals(ctx: Ctx) -> QuerySet:
    """The appeals the viewer may see under the area, merged duplicates left out, whenever reported."""
    return counted_appeals(ctx.viewer, ctx.area)


def _reported(ctx: Ctx) -> Q:
    """Reported in the period, both ends inclusive in Asia/Shanghai (as counted_appeals places them)."""
    return Q(
        reported_at__gte=datetime.combine(ctx.period.start, time.min, tzinfo=ctx.tz),
        reported_at__lte=datetime.combine(ctx.period.end, time.max, tzinfo=ctx.tz),
    )


counted = Side(_appeals, _reported, "area_path")


def appeals_with(name: str) -> Side:
    """The counted appeals that the appeals aggregate `name` counts (its filter, not a copy)."""
    condition = AGGREGATES[name].filter
    evaluated = name in ("evaluated", "satisfied")

    def when(ctx: Ctx) -> Q:
        q = _reported(ctx)
        if condition is not None:
            q &= condition
        return q & Q(evaluation__isnull=False) if evaluated else q

    return Side(_appeals, when, "area_path", distinct=evaluated)


for order, (key, label, numerator_label, numerator, denominator_label, denominator) in enumerate(
    [
        (
            "appeal_response",
            _("Appeal response rate"),
            _("Appeals responded to"),
            "responded",
            _("Appeals reported"),
            None,
        ),
        (
            "appeal_resolution",
            _("Appeal resolution rate"),
            _("Accepted appeals closed"),
            "resolved",
            _("Appeals accepted"),
            "accepted",
        ),
        (
            "appeal_satisfaction",
            _("Appeal satisfaction rate"),
            _("Evaluations satisfied (4 or 5)"),
            "satisfied",
            _("Appeals evaluated"),
            "evaluated",
        ),
        (
            "appeal_on_time",
            _("Appeals closed on time"),
            _("Appeals closed without missing a deadline"),
            "closed_on_time",
            _("Appeals closed"),
            "closed",
        ),
    ],
    start=1,
):
    figure(
        FigureSpec(
            key,
            "appeals",
            label,
            "%",
            numerator_label,
            appeals_with(numerator),
            "appeal",
            denominator_label,
            counted if denominator is None else appeals_with(denominator),
            order=order * 10,
        )
    )


def _appeal_cells(ctx: Ctx, row: Any) -> tuple[list[str], str | None]:
    at = timezone.localtime(row.reported_at).strftime("%Y-%m-%d %H:%M") if row.reported_at else ""
    return [at, row.title, row.get_stage_display(), row.area.name], f"/appeals/{row.pk}/"


row_list(
    RowList(
        "appeal",
        "appeal",
        "area_path",
        (_("Reported at"), _("Title"), _("Stage"), _("Place")),
        _appeal_cells,
        prepare=lambda ctx, qs: qs.select_related("area").order_by("-reported_at", "-id"),
    )
)
