"""Reports API: request a report, list one's own report jobs, follow one, download it — the same
services and selectors as the pages."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import access
from shequ.core.api import Input, Pages
from shequ.core.errors import Forbidden, NotFound
from shequ.core.http import ApiRequest
from shequ.core.models import Area
from shequ.reports import selectors, services
from shequ.reports.models import ReportJob
from shequ.reports.views import CONTENT_TYPES
from shequ.reports.workflow import SUBMISSION

router = Router(tags=["reports"])


class ReportJobIn(Input):
    area_id: int
    kind: str = Field(max_length=8, description="monthly | yearly")
    year: int = Field(ge=1, le=9999)
    month: int | None = Field(None, ge=1, le=12, description="1–12, for a monthly report")
    format: str = Field(max_length=4, description="xlsx | pdf")


class ReportJobOut(Schema):
    id: int
    area_id: int
    area_name: str = Field(alias="area.name")
    kind: str
    year: int
    month: int | None
    format: str
    status: str
    progress: int
    message: str
    error: str
    size: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    download_url: str | None

    @staticmethod
    def resolve_download_url(obj: ReportJob) -> str | None:
        return reverse("api:report_download", args=[obj.pk]) if obj.status == "done" else None


@router.post("/reports", response={201: ReportJobOut, 200: ReportJobOut})
def report_request(request: ApiRequest, data: ReportJobIn) -> Status[ReportJob]:
    """Queue a report; the same report still waiting or being made is answered (200) instead of a
    second one (201)."""
    area = Area.objects.filter(pk=data.area_id).first()
    if area is None:
        raise NotFound()
    before = set(
        selectors.jobs_for(request.auth).filter(status__in=["queued", "running"]).values_list("pk", flat=True)
    )
    job = services.report_request(
        by=request.auth, area=area, kind=data.kind, year=data.year, month=data.month, format=data.format
    )
    return Status(200 if job.pk in before else 201, job)


@router.get("/reports", response=list[ReportJobOut])
@paginate(Pages)
def report_list(request: ApiRequest) -> QuerySet[ReportJob]:
    return selectors.jobs_for(request.auth)


@router.get("/reports/{int:job_id}", response=ReportJobOut)
def report_detail(request: ApiRequest, job_id: int) -> ReportJob:
    return selectors.job_for(request.auth, job_id)


@router.get("/reports/{int:job_id}/download", response={200: None}, url_name="report_download")
def report_download(request: ApiRequest, job_id: int) -> Any:
    job = selectors.job_for(request.auth, job_id)
    if not job.file:
        raise NotFound()
    services.report_downloaded(by=request.auth, job=job)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename(),
        content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"),
    )


# --- monthly reports handed in to the street (issue 16; rules: reports/workflow.py) ---------------


class HandinOut(Schema):
    area_id: int
    area_name: str
    year: int
    month: int
    status: str
    note: str
    reason: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    figures: list[dict[str, str]]


def _handin_out(handin: selectors.Handin) -> HandinOut:
    s = handin.submission
    return HandinOut(
        area_id=handin.area.pk,
        area_name=handin.area.name,
        year=s.year,
        month=s.month,
        status=s.status,
        note=s.note,
        reason=s.reason,
        submitted_at=s.submitted_at,
        reviewed_at=s.reviewed_at,
        figures=list(s.figures or []),
    )


@router.get("/report-submissions", response=list[HandinOut])
def handin_list(
    request: ApiRequest, year: int = Query(..., ge=2000, le=9999), month: int = Query(..., ge=1, le=12)
) -> list[HandinOut]:
    """The month's report of every community in view: handed in or not (status "draft")."""
    if not access.paths_for(request.auth, "report_submission", "view"):
        raise Forbidden()
    return [_handin_out(h) for h in selectors.handins_for(request.auth, year=year, month=month)]


@router.get("/report-submissions/{int:area_id}/{int:year}/{int:month}", response=HandinOut)
def handin_detail(request: ApiRequest, area_id: int, year: int, month: int) -> HandinOut:
    return _handin_out(selectors.handin_for(request.auth, area_id, year=year, month=month))


def _handin_endpoint(name: str) -> Callable[..., Any]:
    body = SUBMISSION.input_schema(name)

    def endpoint(request: ApiRequest, area_id: int, year: int, month: int, data: body) -> HandinOut:  # type: ignore[valid-type]
        user = request.auth
        handin = selectors.handin_for(user, area_id, year=year, month=month)
        values = SUBMISSION.parse(name, data.dict(), user=user, obj=handin.submission)  # type: ignore[attr-defined]
        services.submission_act(by=user, area=handin.area, year=year, month=month, action=name, **values)
        return _handin_out(selectors.handin_for(user, area_id, year=year, month=month))

    endpoint.__name__ = f"handin_{name}"
    return endpoint


for _name, _action in SUBMISSION.actions.items():
    router.post(
        f"/report-submissions/{{int:area_id}}/{{int:year}}/{{int:month}}/{_name}",
        response=HandinOut,
        operation_id=f"reports_handin_{_name}",
        summary=str(_action.label),
    )(_handin_endpoint(_name))
