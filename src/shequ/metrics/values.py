"""The values the figures are made of: a period, a figure, a target's progress. The computation
(metrics/compute.py) builds them and the reads (metrics/selectors.py, the reports' contract) hand them
out; both import them from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

GROUPS = ("service", "appeals", "volunteering", "coverage")


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


@dataclass(frozen=True)
class Figure:
    key: str  # e.g. "resident_participation", "appeal_response", "volunteer_hours"
    label: str  # translated
    group: str  # "service" | "appeals" | "volunteering" | "coverage"
    numerator: int | Decimal
    denominator: int | None  # None for plain counts/totals
    # Rates: percent with one decimal (half up); counts/totals: the number; None when the denominator
    # is 0 (shown "—").
    value: Decimal | None
    unit: str  # "%", "h" (hours), "" (count)
    formula: str  # translated, e.g. "参与服务的居民 ÷ 可参与服务的居民"
    numerator_url: str | None
    denominator_url: str | None
    numerator_label: str = ""  # translated, e.g. "参与服务的居民"
    denominator_label: str = ""  # translated, e.g. "可参与服务的居民"

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    def display(self) -> str:
        """The value as shown: "42.9%", "12.5h", "17", or "—"."""
        if self.value is None:
            return "—"
        return f"{self.value}{self.unit}"


@dataclass(frozen=True)
class TargetProgress:
    key: str
    label: str  # translated
    target: Decimal
    actual: Decimal | None  # None when the figure is a rate with a zero denominator
    ratio: Decimal | None  # actual ÷ target as a percent with one decimal; None when target 0 / actual None
    unit: str = ""
    year: int = 0
    met: bool = False
