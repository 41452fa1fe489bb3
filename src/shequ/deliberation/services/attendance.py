"""Attendance: who is present (or represented by a proxy), taken from the list at the door while the
meeting is in session. Each attendance is also a service record, so that taking part in a meeting
counts as taking part in a service (docs/metrics.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, NotFound
from shequ.deliberation.models import Attendance, Meeting
from shequ.deliberation.services.common import audit, locked_meeting, now_or, text
from shequ.deliberation.services.meetings import meeting_source
from shequ.deliberation.workflow import MEETING
from shequ.volunteering.records import record_service


def attendance_record(
    *,
    by: Any,
    meeting: Meeting,
    resident: Any,
    proxy_name: str = "",
    is_delegate: bool = False,
    version: int | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Record a resident of the meeting's area as present; a second time is a 409. Not tied to the
    meeting's version: two people at the door record at once."""
    now = now_or(now)
    proxy_name = text(proxy_name, field="proxy_name", limit=50)
    with transaction.atomic():
        current = locked_meeting(meeting, version)
        MEETING.check(by, current, "attend")
        if not resident.area.path.startswith(current.area.path):
            raise NotFound(fields={"resident": "not_found"})
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    meeting=current,
                    resident=resident,
                    proxy_name=proxy_name,
                    is_delegate=bool(is_delegate),
                    recorded_by=by,
                    at=now,
                )
        except IntegrityError:
            raise Conflict(
                _("%(name)s is already recorded as present.") % {"name": resident.name},
                code="already_attended",
                fields={"resident": "x"},
            ) from None
        record_service(
            source=meeting_source(current),
            label=current.title,
            area=current.area,
            served_on=timezone.localtime(current.starts_at).date(),
            residents=[resident],
        )
        audit(
            by,
            attendance,
            path=current.area.path,
            action="attend",
            changes={"meeting": current.pk, "proxy": bool(proxy_name)},
        )
        return attendance
