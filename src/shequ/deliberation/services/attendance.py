"""Attendance: who is present (or represented by a proxy), taken from the list at the door while the
meeting is in session. Each attendance is also a service record, so that taking part in a meeting
counts as taking part in a service (docs/metrics.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.deliberation.models import Attendance, Meeting, MeetingStatus
from shequ.deliberation.services.common import audit, locked_meeting, now_or, text
from shequ.deliberation.services.meetings import meeting_source
from shequ.deliberation.workflow import MEETING
from shequ.volunteering.records import record_service

SIGN_IN_SALT = "shequ.deliberation.sign-in"
SIGN_IN_MAX_AGE = timedelta(minutes=15)  # the QR page renews its code; a photo of it soon stops working


def sign_in_token(meeting: Meeting, *, delegates: bool = False) -> str:
    """The signed, time-stamped token in the meeting's QR code (volunteering's check-in, for meetings);
    the delegates' code (shown at the delegates' table) marks those who scan it as group delegates."""
    return signing.dumps({"m": meeting.pk, "d": int(delegates)}, salt=SIGN_IN_SALT, compress=True)


def is_delegates_token(token: str) -> bool:
    data = signing.loads(token, salt=SIGN_IN_SALT, max_age=SIGN_IN_MAX_AGE)
    return bool(isinstance(data, dict) and data.get("d"))


def meeting_of_token(token: str) -> int:
    """The meeting id in a scanned token, or a refusal saying it is forged or too old."""
    try:
        data = signing.loads(token, salt=SIGN_IN_SALT, max_age=SIGN_IN_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            _("This QR code has expired. Scan the code shown at the meeting now."), code="qr_expired"
        ) from None
    except signing.BadSignature:
        raise DomainError(_("This is not a sign-in code of this site."), code="qr_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise DomainError(_("This is not a sign-in code of this site."), code="qr_invalid")
    return int(data["m"])


def attendance_sign_in(*, by: Any, token: str, now: datetime | None = None) -> Attendance:
    """A resident scanned the meeting's QR code: they are recorded as present, once, if they live in
    the meeting's area and the meeting is in session."""
    from shequ.deliberation.homes import over_home

    now = now_or(now)
    meeting = Meeting.objects.select_related("area").filter(pk=meeting_of_token(token)).first()
    resident = getattr(by, "resident_record", None)
    if meeting is None or resident is None or not over_home(by, meeting.area):
        raise NotFound()
    if not resident.area.path.startswith(meeting.area.path):
        raise NotFound()
    with transaction.atomic():
        current = locked_meeting(meeting, None)
        if current.status != MeetingStatus.IN_SESSION:
            raise DomainError(_("The meeting is not in session: sign-in is closed."), code="not_in_session")
        delegate = is_delegates_token(token)
        return _present(current, by=by, resident=resident, via="qr", now=now, is_delegate=delegate)


def _present(
    current: Meeting, *, by: Any, resident: Any, now: datetime, via: str = "list", **extra: Any
) -> Attendance:
    """Under the meeting's lock: the resident present once, counted as a service record."""
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=current, resident=resident, recorded_by=by, at=now, via=via, **extra
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
        changes={"meeting": current.pk, "proxy": bool(extra.get("proxy_name")), "via": via},
    )
    return attendance


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
        return _present(
            current, by=by, resident=resident, now=now, proxy_name=proxy_name, is_delegate=bool(is_delegate)
        )
