"""Pages of reports: the request form with the list of one's own report jobs (refreshed by htmx while
any is being made), and the download. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import access
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.models import Area
from shequ.core.pagination import paginate
from shequ.core.views import attach_error
from shequ.reports import content, selectors, services
from shequ.reports.forms import RequestForm
from shequ.reports.models import ReportFormat, SubmissionStatus
from shequ.reports.workflow import SUBMISSION

CONTENT_TYPES: dict[str, str] = {
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.PDF: "application/pdf",
}


def _jobs_context(request: HttpRequest) -> dict[str, object]:
    services.expire_stale()  # a job the queue lost shows as failed, not as forever running
    page = paginate(request, selectors.jobs_for(request.user))
    return {"page": page, "polling": any(job.pending for job in page)}


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    areas = list(selectors.report_areas_for(request.user)[: selectors.MAX_AREAS])
    form = RequestForm(request.POST or None, areas=areas, today=timezone.localdate())
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = Area.objects.filter(pk=data["area"]).first()
        if area is None:
            raise NotFound()
        try:
            job = services.report_request(
                by=request.user,
                area=area,
                kind=data["kind"],
                year=data["year"],
                month=data["month"],
                format=data["format"],
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            attach_error(form, exc)
            status = exc.status
        else:
            messages.success(
                request,
                _("The report is being made: %(report)s. It appears below when ready.") % {"report": job},
            )
            return redirect("reports:list")
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "areas": areas,
        "can_hand_in": bool(access.paths_for(request.user, "report_submission", "view")),
        **_jobs_context(request),
    }
    return render(request, "reports/report_list.html", context, status=status)


@login_required
def job_rows(request: HttpRequest) -> HttpResponse:
    """The list of one's jobs alone: what the page polls while a report is being made."""
    return render(request, "reports/_jobs.html", _jobs_context(request))


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.job_for(request.user, pk)
    if not job.file:
        raise NotFound()
    services.report_downloaded(by=request.user, job=job)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename(),
        content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"),
    )


# --- the monthly report handed in to the street (issue 16; rules: reports/workflow.py) -------------


def _month_param(request: HttpRequest) -> tuple[int, int]:
    """?month=YYYY-MM; by default last month (a month's report is handed in once it is over)."""
    raw = request.GET.get("month", "")
    if len(raw) == 7 and raw[4] == "-" and raw[:4].isdigit() and raw[5:].isdigit():
        year, month = int(raw[:4]), int(raw[5:])
        if 1 <= month <= 12 and services.FIRST_YEAR <= year <= 9999:
            return year, month
    first = timezone.localdate().replace(day=1) - timedelta(days=1)
    return first.year, first.month


def _shifted(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _action_forms(user: Any, handin: selectors.Handin, refused: str, data: Any, error: Any) -> list[dict]:
    drawn = []
    for action in SUBMISSION.available(user, handin.submission):
        mine = action.name == refused
        fields = [
            {
                "f": f,
                "value": data.get(f.name, "") if mine and data is not None else "",
                "error": str(error.message) if mine and error is not None and f.name in error.fields else "",
            }
            for f in action.fields
        ]
        message = (
            str(error.message) if mine and error is not None and not any(x["error"] for x in fields) else ""
        )
        drawn.append({"action": action, "fields": fields, "error": message, "open": mine})
    return drawn


def _handin_page(
    request: HttpRequest,
    handin: selectors.Handin,
    *,
    refused: str = "",
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    s = handin.submission
    live = s.status == SubmissionStatus.DRAFT or s.status == SubmissionStatus.RETURNED
    figures = content.month_figures(request.user, handin.area, s.year, s.month) if live else s.figures
    return render(
        request,
        "reports/handin_detail.html",
        {
            "h": handin,
            "s": s,
            "figures": figures,
            "live": live,
            "month": s.period_label(),
            "actions": _action_forms(request.user, handin, refused, request.POST if refused else None, error),
        },
        status=status,
    )


@login_required
def handin_list(request: HttpRequest) -> HttpResponse:
    """The month's reports of every community in view: which have handed in, which not."""
    if not access.paths_for(request.user, "report_submission", "view"):
        raise Forbidden()
    year, month = _month_param(request)
    rows = selectors.handins_for(request.user, year=year, month=month)
    if len(rows) == 1:  # a community's own staff: its month at once, with its button
        return _handin_page(request, rows[0])
    handed = sum(1 for r in rows if r.status != SubmissionStatus.DRAFT)
    return render(
        request,
        "reports/handin_list.html",
        {
            "rows": rows,
            "year": year,
            "month": month,
            "label": f"{year:04d}-{month:02d}",
            "previous": _shifted(year, month, -1),
            "next": _shifted(year, month, 1),
            "handed": handed,
        },
    )


@login_required
def handin_detail(request: HttpRequest, area: int, year: int, month: int) -> HttpResponse:
    return _handin_page(request, selectors.handin_for(request.user, area, year=year, month=month))


@login_required
@require_POST
def handin_act(request: HttpRequest, area: int, year: int, month: int, action: str) -> HttpResponse:
    """One action of the hand-in table, from its button: the same parse and service as the API."""
    user = request.user
    handin = selectors.handin_for(user, area, year=year, month=month)
    step = SUBMISSION.action(action)
    try:
        values = SUBMISSION.parse(step.name, request.POST, user=user, obj=handin.submission)
        services.submission_act(by=user, area=handin.area, year=year, month=month, action=step.name, **values)
    except DomainError as exc:
        if isinstance(exc, NotFound | Forbidden):
            raise
        again = selectors.handin_for(user, area, year=year, month=month)
        return _handin_page(request, again, refused=step.name, error=exc, status=exc.status)
    messages.success(request, _("Saved: %(action)s.") % {"action": step.label})
    return redirect("reports:handin", area=area, year=year, month=month)
