"""What a report job is: one request for the monthly or yearly report of an area, its progress on the
task queue, and the file it produced (kept under MEDIA_ROOT, so a backup carries it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report")
    YEARLY = "yearly", _("Yearly report")


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    PDF = "pdf", _("PDF with charts")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


PENDING = (JobStatus.QUEUED, JobStatus.RUNNING)


class ReportJob(models.Model):
    """A report of one area and period, made in the background with the requester's scope (never
    more) and downloadable by the requester alone once done."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    status = models.CharField(_("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("step"), max_length=200, blank=True)
    # Written only once the whole file is made: a job that failed has no file.
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # What the requester reads when it failed: a sentence in their language, never a traceback.
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("area report")
        verbose_name_plural = _("area reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="reports_job_user_created")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="monthly") & Q(month__gte=1) & Q(month__lte=12))
                | (Q(kind="yearly") & Q(month__isnull=True)),
                name="reports_job_month_fits_kind",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reports_job_progress_le_100"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in JobStatus]), name="reports_job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=[f.value for f in ReportFormat]), name="reports_job_format_valid"
            ),
            # A file exists exactly when the job is done.
            models.CheckConstraint(
                condition=(Q(status="done") & ~Q(file="")) | (~Q(status="done") & Q(file="")),
                name="reports_job_file_iff_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.period_label()} {self.get_kind_display()}"

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    def period_label(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        return str(self.year)

    def filename(self) -> str:
        return f"{self.area.name}-{self.get_kind_display()}-{self.period_label()}.{self.format}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Not handed in")
    SUBMITTED = "submitted", _("Handed in")
    RECEIVED = "received", _("Received")
    RETURNED = "returned", _("Returned")


class ReportSubmission(models.Model):
    """A community's monthly report handed in to its street (issue 16): draft → submitted → received,
    or returned with a reason and handed in again. What it says is the month's figures, taken from
    the records when it is handed in (`figures`), never typed; the rules are reports/workflow.py."""

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=64, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    # The figures as handed in: [{"key", "label", "value"}], so the street reads what was sent even
    # when the records change afterwards.
    figures = models.JSONField(_("figures"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly report handed in")
        verbose_name_plural = _("monthly reports handed in")
        ordering = ["-year", "-month", "area_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "month"], name="reports_submission_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="reports_submission_month"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in SubmissionStatus]), name="reports_submission_status"
            ),
            # A returned report says why.
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(reason=""), name="reports_submission_returned_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.period_label()}"

    def period_label(self) -> str:
        return f"{self.year}-{self.month:02d}"
