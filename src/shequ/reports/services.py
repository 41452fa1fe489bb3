"""Every write of reports: request one (queued on the task queue), build it (the task), and the
download's audit entry.

A report is built with the requester's scope and nothing more: the task reads the figures as that
user (shequ.metrics.selectors), after checking again that they may still have reports of the area.
The file is written only once it is whole; a job that fails keeps no file and says why in a sentence.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.errors import DomainError
from shequ.core.models import Area, AreaKind, AuditAction
from shequ.reports import content as report_content
from shequ.reports.models import PENDING, JobStatus, ReportFormat, ReportJob, ReportKind, ReportSubmission
from shequ.reports.workflow import SUBMISSION

logger = logging.getLogger("shequ.reports")

REPORT_KINDS = (AreaKind.DISTRICT, AreaKind.STREET, AreaKind.COMMUNITY)
# A job still queued or running after this long was lost (the worker stopped): it is marked failed,
# so it no longer blocks a new request of the same report.
STALE_AFTER = timedelta(hours=2)
FIRST_YEAR = 2000


class ReportError(DomainError):
    code = "report_invalid"


def _check_period(kind: str, year: int, month: int | None, today: date) -> None:
    if kind not in ReportKind.values:
        raise ReportError(
            _("Choose a monthly or a yearly report."), code="kind_invalid", fields={"kind": "invalid"}
        )
    if not FIRST_YEAR <= year <= today.year:
        raise ReportError(_("Choose a year up to this one."), code="year_invalid", fields={"year": "invalid"})
    if kind == ReportKind.MONTHLY:
        if month is None or not 1 <= month <= 12:
            raise ReportError(
                _("Choose the month of the report."), code="month_invalid", fields={"month": "invalid"}
            )
        if (year, month) > (today.year, today.month):
            raise ReportError(
                _("A monthly report can be made from its month on, not before."),
                code="month_future",
                fields={"month": "future"},
            )


def expire_stale(now: datetime | None = None) -> int:
    """Mark jobs the queue lost (queued or running for longer than STALE_AFTER) failed."""
    now = now or timezone.now()
    return ReportJob.objects.filter(status__in=PENDING, created_at__lt=now - STALE_AFTER).update(
        status=JobStatus.FAILED,
        finished_at=now,
        error=_(
            "The report was not finished in time (the background worker may have stopped). Request it again."
        ),
    )


def report_request(
    *,
    by: Any,
    area: Area,
    kind: str,
    year: int,
    month: int | None = None,
    format: str,
    now: datetime | None = None,
) -> ReportJob:
    """Queue the report of `area` for the period; the same report still waiting or being made is
    returned as it is instead of a second one."""
    access.require(by, "report", "create", path=area.path)
    if area.kind not in REPORT_KINDS:
        raise ReportError(
            _("Reports are made for a district, a street or a community."),
            code="area_kind",
            fields={"area": "kind"},
        )
    if format not in ReportFormat.values:
        raise ReportError(_("Choose .xlsx or PDF."), code="format_invalid", fields={"format": "invalid"})
    now = now or timezone.now()
    month = month if kind == ReportKind.MONTHLY else None
    _check_period(kind, year, month, timezone.localdate(now))
    expire_stale(now)
    with transaction.atomic():
        same = dict(area=area, kind=kind, year=year, month=month, format=format, requested_by=by)
        existing = ReportJob.objects.select_for_update().filter(status__in=PENDING, **same).first()
        if existing is not None:
            return existing
        job = ReportJob.objects.create(**same, created_at=now)
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=job,
            area_path=area.path,
            changes={"kind": [None, kind], "period": [None, job.period_label()], "format": [None, format]},
        )
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: int) -> None:
    from shequ.core.queue import get_huey

    get_huey().report_build(job_id)


def _progress(job_id: int, percent: int, message: str) -> None:
    # Outside any transaction: the page polling the job sees each step as it happens.
    ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        progress=max(0, min(percent, 99)), message=str(message)[:200]
    )


def _fail(job_id: int, error: str) -> None:
    ReportJob.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, error=error[:300], finished_at=timezone.now(), file=""
    )


def render(content: report_content.ReportContent, format: str) -> bytes:
    if format == ReportFormat.PDF:
        from shequ.reports.pdf import write_pdf

        return write_pdf(content)
    from shequ.reports.xlsx import write_xlsx

    return write_xlsx(content)


def report_build(job_id: int) -> ReportJob | None:
    """The task: claim the queued job, gather its figures as the requester, write the file, mark it
    done; on any error mark it failed with a sentence for the requester. Running it twice does nothing
    the second time (only a queued job is claimed)."""
    claimed = ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    if not claimed:
        return None
    job = ReportJob.objects.select_related("area", "requested_by").get(pk=job_id)
    user = job.requested_by
    with translation.override(user.language or settings.LANGUAGE_CODE):
        stored = ""
        try:
            if not user.is_active or not access.can(user, "report", "create", path=job.area.path):
                raise DomainError(_("You may no longer have reports of this area."), code="report_scope")
            content = report_content.gather(
                viewer=user,
                area=job.area,
                kind=job.kind,
                year=job.year,
                month=job.month,
                progress=lambda percent, message: _progress(job_id, percent, message),
            )
            data = render(content, job.format)
            _progress(job_id, 95, _("Saving the file"))
            name = f"{job.pk}-{secrets.token_hex(8)}.{job.format}"
            job.file.save(name, ContentFile(data), save=False)
            stored = job.file.name or ""
            if not _finish(job_id, stored, len(data)):  # marked failed meanwhile (stale): no orphan file
                _discard(job, stored)
        except DomainError as exc:
            _discard(job, stored)
            _fail(job_id, str(exc.message))
        except Exception:
            logger.exception("report %s could not be made", job_id)
            _discard(job, stored)
            _fail(
                job_id,
                _(
                    "The report could not be made because of an unexpected error. "
                    "Try again later; if it fails again, tell your administrator."
                ),
            )
    return ReportJob.objects.get(pk=job_id)


def _finish(job_id: int, stored: str, size: int) -> bool:
    return bool(
        ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE,
            file=stored,
            size=size,
            progress=100,
            message=_("Ready"),
            finished_at=timezone.now(),
        )
    )


def _discard(job: ReportJob, stored: str) -> None:
    if stored:
        try:
            job.file.storage.delete(stored)
        except OSError:
            logger.exception("could not remove the unfinished report file %s", stored)


def report_downloaded(*, by: Any, job: ReportJob) -> None:
    """The download is written to the audit log: a report names areas and their figures."""
    audit_log(
        action=AuditAction.EXPORT,
        actor=by,
        obj=job,
        area_path=job.area.path,
        changes={"report": [None, job.filename()], "size": [None, job.size]},
    )


# --- handing in the monthly report (issue 16; the rules: reports/workflow.py) ---------------------


def _check_handin_month(area: Area, year: int, month: int, today: date) -> None:
    if area.kind != AreaKind.COMMUNITY:
        raise ReportError(_("Only a community hands in a monthly report."), code="not_a_community")
    if not 1 <= month <= 12 or not FIRST_YEAR <= year <= today.year:
        raise ReportError(_("Choose the month of the report."), code="month_invalid", fields={"month": "x"})
    if (year, month) > (today.year, today.month):
        raise ReportError(
            _("A month's report is handed in from its month on, not before."),
            code="month_future",
            fields={"month": "future"},
        )


def submission_act(
    *,
    by: Any,
    area: Area,
    year: int,
    month: int,
    action: str,
    note: str = "",
    reason: str = "",
    today: date | None = None,
) -> ReportSubmission:
    """One action of the hand-in table on a community's month: hand it in (its figures taken from the
    records now), receive it, or return it with a reason. The table decides who and when."""
    today = today or timezone.localdate()
    _check_handin_month(area, year, month, today)
    with transaction.atomic():
        row, _made = ReportSubmission.objects.get_or_create(
            area=area, year=year, month=month, defaults={"area_path": area.path}
        )
        current = ReportSubmission.objects.select_for_update().get(pk=row.pk)
        SUBMISSION.check(by, current, action)
        before = current.status
        current.status = SUBMISSION.next_state(current, action)
        now = timezone.now()
        if action == "submit":
            current.figures = report_content.month_figures(by, area, year, month)
            current.note = note
            current.reason = ""
            current.submitted_by = by
            current.submitted_at = now
            current.reviewed_by, current.reviewed_at = None, None
        else:
            current.reason = reason if action == "return" else ""
            current.reviewed_by = by
            current.reviewed_at = now
        current.full_clean(exclude=["area", "submitted_by", "reviewed_by"])
        current.save()
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=current,
            area_path=current.area_path,
            changes={"status": [before, current.status], "period": [None, current.period_label()]},
        )
    return current
