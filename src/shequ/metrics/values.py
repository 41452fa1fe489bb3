"""The values the figures are made of: a period (core.figures.Period, re-exported), a figure, a
target's progress, and the groups. The computation (metrics/compute.py) builds them and the reads
(metrics/selectors.py, the reports' contract) hand them out; both import them from here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shequ.core import figures
from shequ.core.figures import Period


def groups() -> list[tuple[str, str]]:
    """The figure groups (dashboard sections) as (key, translated label), in display order: each app
    declares its own in its figures.py."""
    return [(g.key, str(g.label)) for g in figures.groups()]


def group_label(key: str) -> str:
    return dict(groups()).get(key, key)


@dataclass(frozen=True)
class Figure:
    key: str  # e.g. "resident_participation", "appeal_response", "volunteer_hours"
    label: str  # translated
    group: str  # a group key of core.figures: "service", "appeals", "casework", …
    numerator: int | Decimal | None  # None: a mean of nothing (e.g. no stay ended in the period)
    denominator: int | Decimal | None  # None for plain counts/totals
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


__all__ = ["Figure", "Period", "TargetProgress", "group_label", "groups"]
