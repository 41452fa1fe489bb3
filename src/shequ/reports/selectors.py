"""Every read of reports: the areas a user may have reports of, and their own report jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.models import Area, AreaKind
from shequ.reports.models import ReportJob, ReportSubmission
from shequ.reports.services import REPORT_KINDS

MAX_AREAS = 2000  # the choice list of the request form; a district has a few hundred communities


def report_areas_for(user: Any) -> QuerySet[Area]:
    """Districts, streets and communities within the user's report scope, in tree order."""
    paths = access.paths_for(user, "report", "create")
    if not paths:
        return Area.objects.none()
    return Area.objects.filter(access.path_q("path", paths), kind__in=REPORT_KINDS).order_by("path")


def jobs_for(user: Any) -> QuerySet[ReportJob]:
    """The user's own report jobs, newest first: nobody sees another's requests."""
    if not getattr(user, "is_authenticated", False):
        return ReportJob.objects.none()
    return (
        ReportJob.objects.filter(requested_by_id=user.pk)
        .select_related("area")
        .order_by("-created_at", "-id")
    )


def job_for(user: Any, job_id: int) -> ReportJob:
    """One of the user's own jobs whose area they still may have reports of; NotFound otherwise, so
    another's job does not show it exists."""
    job = jobs_for(user).filter(pk=job_id).first()
    if job is None or not access.can(user, "report", "view", path=job.area.path):
        raise NotFound()
    return job


# --- monthly reports handed in (issue 16) -----------------------------------------------------------


@dataclass(frozen=True)
class Handin:
    """A community's month: its hand-in record, or an unsaved draft when nothing was done yet."""

    area: Area
    submission: ReportSubmission

    @property
    def status(self) -> str:
        return str(self.submission.status)


def _draft(area: Area, year: int, month: int) -> ReportSubmission:
    return ReportSubmission(area=area, area_path=area.path, year=year, month=month)


def handins_for(user: Any, *, year: int, month: int) -> list[Handin]:
    """Every community within the user's view with its hand-in of the month, in tree order: the
    street sees which of its communities have handed in (and which not)."""
    paths = access.paths_for(user, "report_submission", "view")
    if not paths:
        return []
    communities = Area.objects.filter(access.path_q("path", paths), kind=AreaKind.COMMUNITY).order_by("path")
    found = {
        s.area_id: s for s in access.scope(user, "report_submission", "view").filter(year=year, month=month)
    }
    return [Handin(a, found.get(a.pk) or _draft(a, year, month)) for a in communities[:MAX_AREAS]]


def handin_for(user: Any, area_id: int, *, year: int, month: int) -> Handin:
    """One community's month; NotFound outside the user's view (or when it is no community)."""
    area = Area.objects.filter(pk=area_id, kind=AreaKind.COMMUNITY).first()
    if area is None or not access.can(user, "report_submission", "view", path=area.path):
        raise NotFound()
    found = ReportSubmission.objects.filter(area=area, year=year, month=month).first()
    return Handin(area, found or _draft(area, year, month))
