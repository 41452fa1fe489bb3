"""What a report says, gathered once from the metrics selectors with the requester's scope, then
written as a workbook (xlsx.py) or a PDF (pdf.py): both writers read only this, never the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import selectors as core_selectors
from shequ.core.models import Area, User
from shequ.metrics import selectors as metrics
from shequ.metrics.selectors import Figure, Period, TargetProgress
from shequ.reports.models import ReportKind

# The share of the progress bar each part takes (the writer takes the rest).
FIGURES_DONE = 10
TREND_DONE = 60
CHILDREN_DONE = 80
TARGETS_DONE = 85

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class ReportContent:
    title: str
    kind: str
    area: Area
    area_trail: str  # the area with its parents, e.g. "南海区 · 大沥镇 · 平地社区"
    period: Period
    generated_at: datetime
    generated_by: str
    figures: list[Figure]
    trend: list[Period]
    trend_figures: dict[str, list[Figure]]  # figure key -> one Figure per period of `trend`
    children: list[tuple[Area, list[Figure]]]
    targets: list[TargetProgress]

    @property
    def period_label(self) -> str:
        return self.period.label()

    def labels(self) -> dict[str, str]:
        return {f.key: f.label for f in self.figures}


def trend_periods(kind: str, year: int, month: int | None) -> list[Period]:
    """The yearly report: the 12 months of its year. The monthly: the 12 months ending with its month."""
    if kind == ReportKind.YEARLY:
        return Period.year(year).months()
    return metrics.last_months(date(year, month or 1, 1), 12)


def report_period(kind: str, year: int, month: int | None) -> Period:
    return Period.year(year) if kind == ReportKind.YEARLY else Period.month(year, month or 1)


def _trail(viewer: User, area: Area) -> str:
    return " · ".join(a.name for a in core_selectors.breadcrumbs(viewer, area))


def gather(
    *,
    viewer: User,
    area: Area,
    kind: str,
    year: int,
    month: int | None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ReportContent:
    """Every figure the report shows, computed with `viewer`'s scope, reporting progress as it goes."""
    step = progress or (lambda percent, message: None)
    period = report_period(kind, year, month)
    step(2, _("Counting the figures of the period"))
    figures = metrics.area_figures(viewer, area, period)
    step(FIGURES_DONE, _("Counting the figures month by month"))
    trend = trend_periods(kind, year, month)
    trend_figures: dict[str, list[Figure]] = {}
    for done, month_period in enumerate(trend, start=1):
        for key, values in metrics.series(viewer, area, [month_period]).items():
            trend_figures.setdefault(key, []).extend(values)
        step(
            FIGURES_DONE + (TREND_DONE - FIGURES_DONE) * done // len(trend),
            _("Counted %(done)d of %(total)d months") % {"done": done, "total": len(trend)},
        )
    # The areas below one by one (as metrics.children_figures does), so a district's report shows
    # its progress street by street.
    below = list(core_selectors.areas_for(viewer, parent=area))
    children: list[tuple[Area, list[Figure]]] = []
    for done, child in enumerate(below, start=1):
        children.append((child, metrics.area_figures(viewer, child, period)))
        step(
            TREND_DONE + (CHILDREN_DONE - TREND_DONE) * done // len(below),
            _("Compared %(done)d of %(total)d areas below") % {"done": done, "total": len(below)},
        )
    step(CHILDREN_DONE, _("Reading the yearly targets"))
    targets = metrics.target_progress(viewer, area, year)
    step(TARGETS_DONE, _("Writing the file"))
    kind_label = _("Monthly report") if kind == ReportKind.MONTHLY else _("Yearly report")
    return ReportContent(
        title=_("%(area)s %(period)s %(kind)s")
        % {"area": area.name, "period": period.label(), "kind": kind_label},
        kind=kind,
        area=area,
        area_trail=_trail(viewer, area),
        period=period,
        generated_at=timezone.localtime(now or timezone.now()),
        generated_by=str(viewer),
        figures=figures,
        trend=trend,
        trend_figures=trend_figures,
        children=children,
        targets=targets,
    )


def month_figures(viewer: Any, area: Area, year: int, month: int) -> list[dict[str, str]]:
    """A month's figures of an area as the records hold them, in the words and form the dashboard
    shows: what a community's monthly report hands in (nothing typed)."""
    if viewer is None:
        return []
    return [
        {"key": f.key, "label": str(f.label), "value": f.display()}
        for f in metrics.area_figures(viewer, area, Period.month(year, month))
    ]
