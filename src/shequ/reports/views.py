"""Pages of reports: the request form with the list of one's own report jobs (refreshed by htmx while
any is being made), and the download. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.errors import DomainError, NotFound
from shequ.core.models import Area
from shequ.core.pagination import paginate
from shequ.core.views import attach_error
from shequ.reports import selectors, services
from shequ.reports.forms import RequestForm
from shequ.reports.models import ReportFormat

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
    context = {"form": form, "areas": areas, **_jobs_context(request)}
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
