"""Every read of reports: the areas a user may have reports of, and their own report jobs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.models import Area
from shequ.reports.models import ReportJob
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
