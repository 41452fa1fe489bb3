"""After the activity: its brief (what was done, by how many, with photos) as the organiser saves it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, DomainError
from shequ.core.models import AuditAction
from shequ.core.workflow import text_value
from shequ.volunteering.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    ReportPhoto,
)
from shequ.volunteering.services.common import _audit, _locked_activity, _now, _require


def brief_save(
    *,
    by: Any,
    activity: Activity,
    text: str,
    photos: Iterable[Any] = (),
    version: int | None = None,
    now: datetime | None = None,
) -> ActivityReport:
    """Write or rewrite the activity's short report (简报), with photos (uploads, checked here)."""
    from shequ.core.photos import MAX_PHOTOS, clean_photos

    now = _now(now)
    _require(by, "activity", "manage", activity.area.path)
    text = text_value(text, field="text", limit=4000, required=True)
    cleaned = clean_photos(list(photos))
    with transaction.atomic():
        current = _locked_activity(activity)
        if current.status != ActivityStatus.FINISHED:
            raise DomainError(_("The report is written once the activity is finished."), code="not_finished")
        report = ActivityReport.objects.select_for_update().filter(activity=current).first()
        if report is None:
            report = ActivityReport.objects.create(activity=current, text=text, written_by=by, written_at=now)
            before = ""
        else:
            if version is not None and report.version != version:
                raise Conflict()
            before = report.text
            report.text, report.written_by, report.written_at = text, by, now
            report.version += 1
            report.save()
        if report.photos.count() + len(cleaned) > MAX_PHOTOS:
            raise DomainError(
                _("A report has at most %(n)d photos.") % {"n": MAX_PHOTOS},
                code="photo_count",
                fields={"photos": "n"},
            )
        for photo in cleaned:
            ReportPhoto.objects.create(
                report=report, image=photo.content, width=photo.width, height=photo.height
            )
        _audit(
            AuditAction.UPDATE if before else AuditAction.CREATE,
            by,
            report,
            current.area.path,
            {"text": [before[:50], text[:50]], "photos": [0, len(cleaned)]},
        )
        return report
