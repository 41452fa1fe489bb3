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
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
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


# --- totals: how a side's rows become its number ------------------------------------------------

# What a total is: a count, a sum (hours, days), or None when there is nothing to average.
Number = int | Decimal | None


def _tenths(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Total:
    """How a side's rows become its number: `of(rows, period)` from the rows of one period, and — for a
    grouped scan that counts many areas and periods in one statement — `aggregate(condition)`, one
    column counting the rows that meet a cell's condition, whose value `finish(value, period)` turns
    into the number — or, for a mean, `fields` fetched once with a flag per cell and `reduce`d cell by
    cell in Python."""

    of: Callable[[QuerySet, Period], Number]
    aggregate: Callable[[Q], Any] | None = None
    finish: Callable[[Any, Period], Number] = lambda value, period: int(value or 0)
    # A total that is no sum of its rows (a mean): the fields it reads of each row and how the rows of
    # one cell become the number; a grouped scan then fetches those fields once, flagged per cell.
    fields: tuple[str, ...] = ()
    reduce: Callable[[list[tuple[Any, ...]]], Number] | None = None
    # The number of an area is the sum of its parts' (a count of rows, a sum): false for the months
    # that had one (two communities' party days in one month are one month of the street's).
    additive: bool = True


COUNT = Total(of=lambda qs, period: qs.count(), aggregate=lambda q: Count("pk", filter=q, distinct=True))


def hours_of_minutes(qs: QuerySet) -> Decimal:
    """The sum of the rows' `minutes`, in hours with one decimal (half up)."""
    return _tenths(Decimal(qs.aggregate(m=Sum("minutes"))["m"] or 0) / 60)


HOURS_OF_MINUTES = Total(
    of=lambda qs, period: hours_of_minutes(qs),
    aggregate=lambda q: Sum("minutes", filter=q),
    finish=lambda value, period: _tenths(Decimal(value or 0) / 60),
)


def sum_of(field_name: str) -> Total:
    """The sum of a decimal field of the rows, with one decimal (half up)."""
    return Total(
        of=lambda qs, period: _tenths(qs.aggregate(s=Sum(field_name))["s"]),
        aggregate=lambda q: Sum(field_name, filter=q),
        finish=lambda value, period: _tenths(value),
    )


def months_of(qs: QuerySet) -> int:
    """The number of distinct calendar months (Asia/Shanghai) of the rows' `starts_at`."""
    zone = tz()
    return len({a.astimezone(zone).strftime("%Y-%m") for a in qs.values_list("starts_at", flat=True)})


MONTHS = Total(
    of=lambda qs, period: months_of(qs),
    aggregate=lambda q: Count(TruncMonth("starts_at", tzinfo=tz()), filter=q, distinct=True),
    additive=False,
)


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator ÷ denominator as a percentage with one decimal (half up); None when nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Side:
    """A numerator or a denominator: `rows(ctx)`, the rows under ctx's area whatever the period (what
    the viewer's dashboard counts), and `when(ctx)`, the condition a row meets in ctx's period; `path`
    is the rows' area path lookup, so that one grouped scan can count the rows of many areas and
    periods at once (metrics.compute.grid). Called with a ctx it gives the rows the figure counts —
    the very rows its drill-down page lists."""

    rows: Callable[[Ctx], QuerySet]
    when: Callable[[Ctx], Q]
    path: str
    total: Total = COUNT
    distinct: bool = False
    # The condition reads the cell's area, not only the row's (e.g. the visits recorded under the
    # area): counted with one column per area, not grouped by the area a row lies in.
    local: bool = False

    def __call__(self, ctx: Ctx) -> QuerySet:
        qs = self.rows(ctx).filter(self.when(ctx))
        return qs.distinct() if self.distinct else qs


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
    numerator: Side
    rows: str  # the RowList key of what the drill-down lists
    denominator_label: Promise | str | None = None
    denominator: Side | None = None
    note: Promise | str | None = None
    order: int = 500

    def side(self, name: str) -> Side | None:
        return self.numerator if name == "numerator" else self.denominator if name == "denominator" else None

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


def in_(population: Side, condition: Callable[[Ctx], Any], *, local: bool = False) -> Side:
    """The rows of a population that also meet a condition of the period (e.g. residents who took
    part), counted as the population is; `local` when the condition reads the area."""
    return Side(
        population.rows,
        lambda ctx: population.when(ctx) & Q(condition(ctx)),
        population.path,
        population.total,
        population.distinct,
        population.local or local,
    )


def dated(rows: Callable[[Ctx], QuerySet], path: str, field_name: str, total: Total = COUNT) -> Side:
    """Rows placed in the period by a date field (both ends inclusive)."""
    return Side(rows, lambda ctx: ctx.dates(field_name), path, total)


def timed(rows: Callable[[Ctx], QuerySet], path: str, field_name: str, total: Total = COUNT) -> Side:
    """Rows placed in the period by an instant, in its day in Asia/Shanghai."""
    return Side(rows, lambda ctx: ctx.instants(field_name), path, total)


def every(rows: Callable[[Ctx], QuerySet], path: str) -> Side:
    """All the rows, whatever the period (e.g. the households of an area)."""
    return Side(rows, lambda ctx: Q(), path)
