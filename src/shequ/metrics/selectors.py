"""The service figures of an area and a period, exactly as docs/metrics.md defines them.

Contract used by the dashboards (metrics.views), the API (metrics.api) and the reports
(shequ.reports): `area_figures`, `series`, `children_figures`, `target_progress`, and the
dataclasses `Period`, `Figure`, `TargetProgress`. Every figure is computed over the records the
viewer may see (shequ.core.access) under the area's subtree; periods are inclusive dates in
Asia/Shanghai time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from shequ.core.models import Area, User
from shequ.metrics import compute
from shequ.metrics.values import Figure, Period, TargetProgress, group_label, groups


def area_figures(viewer: User, area: Area, period: Period, keys: list[str] | None = None) -> list[Figure]:
    """Every figure of `area` for `period`, in display order (by group: service, appeals,
    volunteering, coverage, then each app's own); only those of `keys` when given."""
    return compute.area_figures(viewer, area, period, keys)


def area_and_children(
    viewer: User, area: Area, period: Period, keys: list[str] | None = None
) -> tuple[list[Figure], list[tuple[Area, list[Figure]]]]:
    """`area_figures` and `children_figures` together, from the same grouped scans (the dashboard)."""
    return compute.area_and_children(viewer, area, period, keys)


def series(
    viewer: User, area: Area, periods: list[Period], keys: list[str] | None = None
) -> dict[str, list[Figure]]:
    """Figure key -> one Figure per period, in the order of `periods` (for trends)."""
    return compute.series(viewer, area, periods, keys)


def children_figures(
    viewer: User, area: Area, period: Period, keys: list[str] | None = None
) -> list[tuple[Area, list[Figure]]]:
    """The figures of each direct child of `area` that the viewer may see (in path order), side by side."""
    return compute.children_figures(viewer, area, period, keys)


def target_progress(viewer: User, area: Area, year: int) -> list[TargetProgress]:
    """The yearly targets set on `area` for `year` with the actual figure of that year so far."""
    return compute.target_progress(viewer, area, year)


def last_months(today: date, count: int = 12) -> list[Period]:
    """The `count` calendar months ending with the one holding `today`, oldest first."""
    index = today.year * 12 + today.month - 1
    return [Period.month((i) // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


__all__ = [
    "Figure",
    "Period",
    "TargetProgress",
    "area_and_children",
    "area_figures",
    "children_figures",
    "group_label",
    "groups",
    "last_months",
    "series",
    "target_progress",
]


# --- reads behind the pages and the API -----------------------------------------------------------


def dashboard_area_for(viewer: User, area_id: int) -> Area:
    """The area whose dashboard the viewer opens: NotFound outside their areas (its existence does not
    leak), Forbidden when they see the area but hold no role that reads dashboards."""
    from shequ.core import access
    from shequ.core.errors import Forbidden

    area: Area = access.get_for(viewer, "area", "view", pk=area_id)
    if not access.can(viewer, "dashboard", "view", path=area.path):
        raise Forbidden()
    return area


def dashboard_home(viewer: User) -> Area | None:
    """The viewer's own area: the top area where they hold a role that reads dashboards."""
    from shequ.core import access

    paths = access.paths_for(viewer, "dashboard", "view")
    return Area.objects.filter(path__in=paths).order_by("path").first()


def parse_period(params: Any, today: date) -> Period:
    """?period=2026-11 (a month), ?year=2026, or ?from=2026-11-01&to=2026-11-30; the current month
    when none is given. Anything else is refused (400)."""
    import re

    from shequ.core.errors import DomainError

    month = (params.get("period") or "").strip()
    year = (params.get("year") or "").strip()
    start, end = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    try:
        if month:
            m = re.fullmatch(r"(\d{4})-(\d{1,2})", month)
            if not m:
                raise ValueError(month)
            period = Period.month(int(m.group(1)), int(m.group(2)))
        elif year:
            if not re.fullmatch(r"\d{4}", year):
                raise ValueError(year)
            period = Period.year(int(year))
        elif start or end:
            period = Period(date.fromisoformat(start), date.fromisoformat(end))
        else:
            return Period.month(today.year, today.month)
    except ValueError:
        raise DomainError(
            _("The period is not a valid month, year or pair of dates."), code="invalid_period"
        ) from None
    if period.end < period.start or period.start.year < 2000 or period.end.year > 2100:
        raise DomainError(_("The period is not a valid month, year or pair of dates."), code="invalid_period")
    if (period.end - period.start).days > 366:
        raise DomainError(_("A period is at most one year."), code="invalid_period")
    return period
