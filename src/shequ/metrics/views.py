"""Pages of the metrics: the dashboard of an area (figures as cards, 12-month trends, the children side
by side, progress against the year's targets), the list behind each number, and the targets form.
Thin: parse, call a selector or service, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import access
from shequ.core import figures as registry
from shequ.core import selectors as core_selectors
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import User
from shequ.core.pagination import paginate
from shequ.metrics import compute, drill, services
from shequ.metrics.selectors import (
    Figure,
    Period,
    area_and_children,
    dashboard_area_for,
    dashboard_home,
    groups,
    last_months,
    parse_period,
    series,
    target_progress,
)

# The figures drawn as 12-month trends and compared between children (the rest are in the tables).
TREND_RATES = [
    "resident_participation",
    "resident_benefit",
    "need_satisfaction",
    "resident_satisfaction",
    "appeal_response",
    "appeal_satisfaction",
    "elderly_alone_visited",
]
TREND_COUNTS = ["volunteer_hours", "person_times", "activities_finished"]
COMPARED = [
    "resident_participation",
    "resident_benefit",
    "need_satisfaction",
    "appeal_response",
    "elderly_alone_visited",
]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@login_required
def dashboard_home_view(request: HttpRequest) -> HttpResponse:
    area = dashboard_home(cast(User, request.user))
    if area is None:
        raise NotFound()
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"/metrics/area/{area.pk}/" + (f"?{query}" if query else ""))


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    """What each figure counts, in the product itself: users are never sent to a developer's file."""
    specs = registry.specs()
    sections = [(label, [s for s in specs if s.group == key]) for key, label in groups()]
    return render(
        request,
        "metrics/definitions.html",
        {"groups": [(label, listed) for label, listed in sections if listed]},
    )


def _trend_periods(period: Period) -> list[Period]:
    return last_months(period.end if period.is_year else period.start, 12)


@login_required
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    area = dashboard_area_for(user, pk)
    period = parse_period(request.GET, timezone.localdate())
    figures, children = area_and_children(user, area, period)
    sections = [(label, [f for f in figures if f.group == key]) for key, label in groups()]
    months = _trend_periods(period)
    trend = series(user, area, months, keys=TREND_RATES + TREND_COUNTS)
    year = period.start.year
    progress = target_progress(user, area, year)
    by_key = {f.key: f for f in figures}
    chart = {
        "months": [p.label() for p in months],
        "rates": [
            {"name": by_key[k].label, "data": [_number(f.value) for f in trend[k]]} for k in TREND_RATES
        ],
        "counts": [
            {
                "name": f"{by_key[k].label}{' (' + by_key[k].unit + ')' if by_key[k].unit else ''}",
                "data": [_number(f.value) for f in trend[k]],
            }
            for k in TREND_COUNTS
        ],
        "children": [c.name for c, _f in children],
        "compared": [
            {
                "name": by_key[k].label,
                "data": [_number(next(f.value for f in fs if f.key == k)) for _c, fs in children],
            }
            for k in COMPARED
        ],
    }
    trend_rows = [(p, [trend[k][i] for k in TREND_RATES + TREND_COUNTS]) for i, p in enumerate(months)]
    return render(
        request,
        "metrics/dashboard.html",
        {
            "area": area,
            "period": period,
            "groups": [(label, shown) for label, shown in sections if shown],
            "chart": chart,
            "trend_keys": [by_key[k] for k in TREND_RATES + TREND_COUNTS],
            "trend_rows": trend_rows,
            "children": children,
            "child_keys": figures,
            "progress": progress,
            "year": year,
            "breadcrumbs": core_selectors.breadcrumbs(user, area),
            "can_set_targets": access.can(user, "target", "set", path=area.path)
            and area.kind in services.TARGET_KINDS,
            "month_value": f"{period.start:%Y-%m}",
            "today": timezone.localdate(),
        },
    )


@login_required
def drill_down(request: HttpRequest, key: str, side: str) -> HttpResponse:
    user = cast(User, request.user)
    area_id = request.GET.get("area", "")
    if not area_id.isdigit():
        raise NotFound()
    area = dashboard_area_for(user, int(area_id))
    period = parse_period(request.GET, timezone.localdate())
    ctx = compute.Ctx(user, area, period)
    found = drill.drill_for(ctx, key, side)
    page = paginate(request, found.rows)
    rows = [drill.cells(ctx, found.spec.rows, row) for row in page.object_list]
    figure: Figure = compute.figure(found.spec, ctx)
    return render(
        request,
        "metrics/drill.html",
        {
            "area": area,
            "period": period,
            "drill": found,
            "figure": figure,
            "page": page,
            "rows": rows,
            "back": f"/metrics/area/{area.pk}/?{_period_query(period)}",
        },
    )


def _period_query(period: Period) -> str:
    if period.is_month:
        return f"period={period.start:%Y-%m}"
    if period.is_year:
        return f"year={period.start.year}"
    return f"from={period.start}&to={period.end}"


@login_required
def targets(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    area = dashboard_area_for(user, pk)
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("plan"):
                services.targets_seed(by=user, area=area, year=year)
            else:
                values = {s.key: request.POST.get(f"t_{s.key}", "").strip() for s in registry.specs()}
                services.targets_set(by=user, area=area, year=year, values=values)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error = str(exc.message)
        else:
            messages.success(request, _("The targets are saved."))
            return redirect(f"/metrics/area/{area.pk}/?year={year}")
    access.require(user, "target", "view", path=area.path)
    current = {t.key: t.value for t in _targets_of(area, year)}
    rows = [
        (s, request.POST.get(f"t_{s.key}", "") if error else (current.get(s.key, "") or ""))
        for s in registry.specs()
    ]
    return render(
        request,
        "metrics/targets.html",
        {
            "area": area,
            "year": year,
            "rows": rows,
            "error": error,
            "can_set": access.can(user, "target", "set", path=area.path)
            and area.kind in services.TARGET_KINDS,
            "plan": services.PLAN_TARGETS,
        },
    )


def _targets_of(area: Any, year: int) -> Any:
    from shequ.metrics.models import YearlyTarget

    return YearlyTarget.objects.filter(area=area, year=year)
