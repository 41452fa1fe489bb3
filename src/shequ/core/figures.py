"""The figures registry: each app declares its figures in its own `figures.py` (loaded by
`ShequAppConfig.ready()`), and the dashboards, the figures API, the drill-down pages and the reports
read them from here — so core and metrics never import a domain app to know what is counted.

A figure (`FigureSpec`) is one number of an area and a period: its group (a dashboard section,
`FigureGroup`), its numerator and (for a rate) denominator as querysets of the very rows the drill-down
page lists, the labels its formula is written from, and its order. The rows are of a kind
(`RowList`): which right reads them, how they are ordered and how one row is shown. Registration is
idempotent per key, as in core/extensions.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise

from shequ.core import access
from shequ.core.models import Area, subtree_q

# --- the period and the context every figure is computed in --------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive dates [start, end] in Asia/Shanghai."""

    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        return cls(first, following - timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def is_month(self) -> bool:
        return self == Period.month(self.start.year, self.start.month)

    @property
    def is_year(self) -> bool:
        return self == Period.year(self.start.year)

    def label(self) -> str:
        """The period as shown: "2026年11月" (a calendar month), "2026年" (a calendar year), else
        "2026-11-03 – 2026-11-20"."""
        from django.utils.translation import gettext as _

        if self.is_month:
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.is_year:
            return _("%(year)d") % {"year": self.start.year}
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    def months(self) -> list[Period]:
        """The calendar months this period touches, each clipped to the period."""
        out = []
        y, m = self.start.year, self.start.month
        while date(y, m, 1) <= self.end:
            month = Period.month(y, m)
            out.append(Period(max(month.start, self.start), min(month.end, self.end)))
            y, m = y + (m == 12), m % 12 + 1
        return out

    def param(self) -> str:
        """The query-string form: "2026-11" (month), "2026" (year), else "2026-11-03..2026-11-20"."""
        if self.is_month:
            return f"{self.start:%Y-%m}"
        if self.is_year:
            return f"{self.start:%Y}"
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Ctx:
    """Who looks at which area for which period: what every numerator and denominator is given."""

    viewer: Any
    area: Area
    period: Period

    @property
    def tz(self) -> ZoneInfo:
        return tz()

    @property
    def start_dt(self) -> datetime:
        return datetime.combine(self.period.start, time.min, tzinfo=self.tz)

    @property
    def end_dt(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return datetime.combine(self.period.end + timedelta(days=1), time.min, tzinfo=self.tz)

    def dates(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.period.start, f"{field}__lte": self.period.end})

    def instants(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start_dt, f"{field}__lt": self.end_dt})

    def records(self, model: Any, path_field: str) -> QuerySet:
        """The model's rows under the area. A figure is an aggregate: whoever may read the area's
        dashboard (an evaluator included) counts every record under it, whatever their right to read
        the rows themselves; the lists behind a number show only rows the viewer may read."""
        paths = access.paths_for(self.viewer, "dashboard", "view")
        return model.objects.filter(access.path_q(path_field, paths), subtree_q(self.area.path, path_field))


# --- totals: how a queryset becomes the number ------------------------------------------------------


def count(qs: QuerySet) -> int:
    return qs.count()


def hours_of_minutes(qs: QuerySet) -> Decimal:
    """The sum of the rows' `minutes`, in hours with one decimal (half up)."""
    minutes = qs.aggregate(m=Sum("minutes"))["m"] or 0
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def sum_of(field_name: str) -> Callable[[QuerySet], Decimal]:
    """The sum of a decimal field of the rows, with one decimal (half up)."""

    def total(qs: QuerySet) -> Decimal:
        value = qs.aggregate(s=Sum(field_name))["s"] or Decimal(0)
        return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    return total


def months_of(qs: QuerySet) -> int:
    """The number of distinct calendar months (Asia/Shanghai) of the rows' `starts_at`."""
    zone = tz()
    return len({a.astimezone(zone).strftime("%Y-%m") for a in qs.values_list("starts_at", flat=True)})


# What a total is: a count, a sum (hours, days), or None when there is nothing to average.
Number = int | Decimal | None


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator ÷ denominator as a percentage with one decimal (half up); None when nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- groups, lists and figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureGroup:
    """A section of the dashboard and of the reports (e.g. "service", "casework")."""

    key: str
    label: str | Promise
    order: int = 500


@dataclass(frozen=True)
class RowList:
    """A kind of row a drill-down page lists: the right that reads its rows (a resource of the policy
    and the path field of the row), whether it names people (then only for roles that read residents'
    records), how the listed rows are narrowed and ordered (`prepare(ctx, qs)`: e.g. children under 14
    left out), its columns, and the cells of one row with the link to its own page."""

    key: str
    resource: str
    path_field: str
    columns: tuple[str | Promise, ...]
    cells: Callable[[Ctx, Any], tuple[list[str], str | None]]
    prepare: Callable[[Ctx, QuerySet], QuerySet] = lambda ctx, qs: qs
    names_people: bool = False


@dataclass(frozen=True)
class FigureSpec:
    """One figure. A rate has a denominator; a count or total has none (its value is the numerator)."""

    key: str
    group: str
    label: Promise | str
    unit: str  # "%", "h" (hours), "" (a count)
    numerator_label: Promise | str
    numerator: Callable[[Ctx], QuerySet]
    rows: str  # the RowList key of what the drill-down lists
    denominator_label: Promise | str | None = None
    denominator: Callable[[Ctx], QuerySet] | None = None
    total: Callable[[QuerySet], Number] = count
    # How the denominator's rows become its number, when not as the numerator's (supervision: hours
    # held ÷ hours owed per supervisee).
    denominator_total: Callable[[QuerySet], Number] | None = None
    note: Promise | str | None = None
    order: int = 500
    # Optional: the numerator (and denominator) of many periods at once, one query per side and not
    # one per period — `grouped(ctx, periods)` returns one (numerator, denominator or None) per period.
    # Without it, each period is counted on its own (trend.py's grouped scans cover the common shapes).
    grouped: Callable[[Ctx, list[Period]], list[tuple[Any, Any]]] | None = field(default=None, compare=False)

    def total_of(self, side: str, qs: QuerySet) -> Number:
        """The number of one side ("numerator" or "denominator") from its rows."""
        if side == "denominator" and self.denominator_total is not None:
            return self.denominator_total(qs)
        return self.total(qs)

    def formula(self) -> str:
        if self.denominator_label is None:
            return str(self.numerator_label)
        return f"{self.numerator_label} ÷ {self.denominator_label}"


_groups: dict[str, FigureGroup] = {}
_lists: dict[str, RowList] = {}
_specs: dict[str, FigureSpec] = {}


def figure_group(group: FigureGroup) -> FigureGroup:
    _groups[group.key] = group
    return group


def row_list(kind: RowList) -> RowList:
    _lists[kind.key] = kind
    return kind


def figure(spec: FigureSpec) -> FigureSpec:
    _specs[spec.key] = spec
    return spec


def groups() -> list[FigureGroup]:
    """The groups, in display order."""
    return sorted(_groups.values(), key=lambda g: (g.order, g.key))


def _group_order(key: str) -> int:
    group = _groups.get(key)
    return group.order if group is not None else 10_000


def specs() -> list[FigureSpec]:
    """Every figure, in display order: by group, then by the figure's order (then its key)."""
    return sorted(_specs.values(), key=lambda s: (_group_order(s.group), s.order, s.key))


def spec(key: str) -> FigureSpec | None:
    return _specs.get(key)


def row_kind(key: str) -> RowList | None:
    return _lists.get(key)


def in_(population: Callable[[Ctx], QuerySet], condition: Callable[[Ctx], Any]) -> Callable[[Ctx], QuerySet]:
    """The rows of a population that meet a condition of the period (e.g. residents who took part)."""
    return lambda ctx: population(ctx).filter(condition(ctx))
