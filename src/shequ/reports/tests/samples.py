"""Hand-made figures for testing the writers without the metrics computation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from shequ.core.models import Area
from shequ.metrics.selectors import Figure, Period, TargetProgress
from shequ.reports.content import ReportContent, trend_periods


def rate(key: str, label: str, num: int, den: int, group: str = "service") -> Figure:
    value = None if den == 0 else (Decimal(num * 100) / Decimal(den)).quantize(Decimal("0.1"))
    return Figure(
        key=key,
        label=label,
        group=group,
        numerator=num,
        denominator=den,
        value=value,
        unit="%",
        formula=f"{label}的分子 ÷ {label}的分母",
        numerator_url=None,
        denominator_url=None,
    )


def count(key: str, label: str, n: int | Decimal, unit: str = "", group: str = "volunteering") -> Figure:
    return Figure(
        key=key,
        label=label,
        group=group,
        numerator=n,
        denominator=None,
        value=Decimal(n),
        unit=unit,
        formula=f"{label}之和",
        numerator_url=None,
        denominator_url=None,
    )


def figures(scale: int = 1) -> list[Figure]:
    return [
        rate("resident_participation", "居民参与率", 30 * scale, 70 * scale),
        rate("resident_benefit", "居民受益率", 12 * scale, 40 * scale),
        rate("need_satisfaction", "需求满足率", 0, 0),
        rate("appeal_resolution", "诉求解决率", 9 * scale, 10 * scale, group="appeals"),
        count("volunteer_hours", "志愿服务时长", Decimal("12.5") * scale, unit="h"),
        count("activities", "活动场次", 4 * scale),
        rate("alone_visited", "独居老人走访率", 3, 4, group="coverage"),
    ]


def content(
    area: Area, children: list[Area], *, kind: str = "yearly", year: int = 2026, month: int | None = None
) -> ReportContent:
    trend = trend_periods(kind, year, month)
    period = Period.year(year) if kind == "yearly" else Period.month(year, month or 1)
    trend_figures: dict[str, list[Figure]] = {}
    for i, _p in enumerate(trend):
        month_figures = (
            figures(1)
            if i % 4
            else [*figures(1)[:2], rate("need_satisfaction", "需求满足率", 0, 0), *figures(1)[3:]]
        )
        for f in month_figures:
            trend_figures.setdefault(f.key, []).append(f)
    # One month where the participation rate has no denominator: a gap in the line, "—" in the table.
    trend_figures["resident_participation"][5] = rate("resident_participation", "居民参与率", 0, 0)
    return ReportContent(
        title=f"{area.name} {period.label()} 年报",
        kind=kind,
        area=area,
        area_trail=area.name,
        period=period,
        generated_at=timezone.localtime(
            datetime(2026, 12, 31, 9, 30, tzinfo=timezone.get_current_timezone())
        ),
        generated_by="报表测试员",
        figures=figures(12),
        trend=trend,
        trend_figures=trend_figures,
        children=[(c, figures(i + 1)) for i, c in enumerate(children)],
        targets=[
            TargetProgress(
                key="party_volunteer_service",
                label="党员志愿服务人次",
                target=Decimal(200),
                actual=Decimal(150),
                ratio=Decimal("75.0"),
                unit="",
                year=year,
                met=False,
            ),
            TargetProgress(
                key="cultural_events",
                label="文化活动场次",
                target=Decimal(6),
                actual=Decimal(7),
                ratio=Decimal("116.7"),
                year=year,
                met=True,
            ),
        ],
    )
