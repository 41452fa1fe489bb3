"""Attendance: the activity's QR code, scanning it to check in and out, and the organiser checking a
volunteer in or out by hand; a check-out gives the service hours to confirm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import DomainError, NotFound
from shequ.core.models import AuditAction
from shequ.volunteering.models import (
    Activity,
    ActivityStatus,
    Attendance,
    CheckMethod,
    HoursStatus,
    ServiceHours,
    SignUp,
    SignUpStatus,
)
from shequ.volunteering.services.common import (
    CHECK_IN_OPENS,
    CHECK_OUT_CLOSES,
    QR_MAX_AGE,
    QR_SALT,
    REPEAT_SCAN,
    _audit,
    _local,
    _now,
    _require,
)
from shequ.volunteering.services.signups import _volunteer_of


def qr_token(activity: Activity) -> str:
    """The signed, time-stamped token in the activity's QR code (renewed by the QR page)."""
    return signing.dumps({"a": activity.pk}, salt=QR_SALT, compress=True)


def activity_of_token(token: str, *, now: datetime | None = None) -> int:
    """The activity id in a scanned token, or a clear refusal when it is forged or too old."""
    try:
        data = signing.loads(token, salt=QR_SALT, max_age=QR_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            _("This QR code has expired. Scan the code the organiser shows now."), code="qr_expired"
        ) from None
    except signing.BadSignature:
        raise DomainError(_("This is not a check-in code of this site."), code="qr_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        raise DomainError(_("This is not a check-in code of this site."), code="qr_invalid")
    return int(data["a"])


def _window_of(signup: SignUp, activity: Activity) -> tuple[datetime, datetime]:
    if signup.shift is not None:
        return signup.shift.starts_at, signup.shift.ends_at
    return activity.starts_at, activity.ends_at


def _hours_from(attendance: Attendance, activity: Activity) -> ServiceHours:
    """Minutes served: from check-in to check-out, counted within the activity's (or shift's) time."""
    start, end = _window_of(attendance.signup, activity)
    assert attendance.checked_out_at is not None
    begin = max(attendance.checked_in_at, start)
    finish = min(attendance.checked_out_at, end)
    minutes = max(0, int((finish - begin).total_seconds() // 60))
    hours, created = ServiceHours.objects.get_or_create(
        signup=attendance.signup,
        defaults={
            "volunteer_id": attendance.signup.volunteer_id,
            "activity": activity,
            "served_on": timezone.localdate(start),
            "computed_minutes": minutes,
            "minutes": minutes,
        },
    )
    if not created and hours.status == HoursStatus.PENDING and not hours.corrections.exists():
        hours.computed_minutes = hours.minutes = minutes
        hours.save(update_fields=["computed_minutes", "minutes"])
    return hours


class AlreadyDone(DomainError):
    """A repeated scan: nothing changed, and the answer says what was recorded before."""

    status = 409
    code = "already_checked_in"


@dataclass(frozen=True)
class ScanResult:
    action: str  # "checked_in" or "checked_out"
    activity: Activity
    attendance: Attendance
    hours: ServiceHours | None = None


def attendance_scan(*, by: Any, token: str, now: datetime | None = None) -> ScanResult:
    """The signed-in volunteer scanned the activity's code: the first scan checks in, a later one checks
    out. Each refusal says why in words a volunteer understands."""
    from shequ.volunteering.selectors import activity_visible

    now = _now(now)
    activity_id = activity_of_token(token)
    activity = Activity.objects.select_related("area").filter(pk=activity_id).first()
    if activity is None or not activity_visible(by, activity):
        raise NotFound()
    volunteer = _volunteer_of(by)
    with transaction.atomic():
        signup = (
            SignUp.objects.select_for_update(of=("self",))
            .select_related("shift", "activity__area")
            .filter(activity=activity, volunteer=volunteer)
            .exclude(status=SignUpStatus.CANCELLED)
            .first()
        )
        if signup is None:
            raise DomainError(
                _("You have not signed up for “%(title)s”, so you cannot check in.")
                % {"title": activity.title},
                code="not_signed_up",
            )
        if signup.status == SignUpStatus.WAITLISTED:
            raise DomainError(
                _("You are on the waiting list and have no place yet, so you cannot check in."),
                code="waitlisted",
            )
        if activity.status == ActivityStatus.CANCELLED:
            raise DomainError(_("This activity was cancelled."), code="cancelled")
        if activity.status != ActivityStatus.PUBLISHED:
            raise DomainError(_("This activity is closed."), code="closed")
        start, end = _window_of(signup, activity)
        attendance = Attendance.objects.filter(signup=signup).first()
        if attendance is None:
            if now < start - CHECK_IN_OPENS:
                raise DomainError(
                    _("Check-in has not opened yet: it opens 30 minutes before the start, at %(time)s.")
                    % {"time": _local(start - CHECK_IN_OPENS)},
                    code="too_early",
                )
            if now > end:
                raise DomainError(
                    _("The activity ended at %(time)s; check-in is closed.") % {"time": _local(end)},
                    code="too_late",
                )
            attendance = Attendance.objects.create(
                signup=signup, checked_in_at=now, checked_in_via=CheckMethod.QR, checked_in_by=by
            )
            _audit(AuditAction.CREATE, by, attendance, activity.area.path, {"checked_in_at": [None, now]})
            return ScanResult("checked_in", activity, attendance)
        if attendance.checked_out_at is not None:
            raise AlreadyDone(
                _("You checked out at %(time)s; your attendance is complete.")
                % {"time": _local(attendance.checked_out_at)},
                code="already_checked_out",
            )
        if now - attendance.checked_in_at < REPEAT_SCAN:
            raise AlreadyDone(
                _("You already checked in at %(time)s. Scan again when you leave to check out.")
                % {"time": _local(attendance.checked_in_at)}
            )
        if now > end + CHECK_OUT_CLOSES:
            raise DomainError(
                _("Check-out closed 2 hours after the end. Ask the organiser to record your time."),
                code="too_late",
            )
        attendance.checked_out_at, attendance.checked_out_via, attendance.checked_out_by = (
            now,
            CheckMethod.QR,
            by,
        )
        attendance.save(update_fields=["checked_out_at", "checked_out_via", "checked_out_by"])
        hours = _hours_from(attendance, activity)
        _audit(AuditAction.UPDATE, by, attendance, activity.area.path, {"checked_out_at": [None, now]})
        return ScanResult("checked_out", activity, attendance, hours)


def attendance_check_in(
    *, by: Any, signup: SignUp, at: datetime | None = None, now: datetime | None = None
) -> Attendance:
    """The organiser checks someone in from the list (e.g. a volunteer without a phone). `at` is when
    they arrived, if not now."""
    now = _now(now)
    at = at or now
    activity = signup.activity
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        current = SignUp.objects.select_for_update(of=("self",)).select_related("shift").get(pk=signup.pk)
        if current.status != SignUpStatus.CONFIRMED:
            raise DomainError(
                _("Only someone with a confirmed place can be checked in."), code="not_confirmed"
            )
        if activity.status != ActivityStatus.PUBLISHED:
            raise DomainError(_("This activity is closed."), code="closed")
        start, end = _window_of(current, activity)
        if at < start - CHECK_IN_OPENS or at > now or at > end:
            raise DomainError(
                _("The arrival time must lie between 30 minutes before the start and the end."),
                code="time_outside",
                fields={"at": "outside"},
            )
        if Attendance.objects.filter(signup=current).exists():
            raise AlreadyDone(_("This person has already checked in."))
        attendance = Attendance.objects.create(
            signup=current, checked_in_at=at, checked_in_via=CheckMethod.ORGANISER, checked_in_by=by
        )
        _audit(AuditAction.CREATE, by, attendance, activity.area.path, {"checked_in_at": [None, at]})
        return attendance


def attendance_check_out(
    *, by: Any, signup: SignUp, at: datetime | None = None, now: datetime | None = None
) -> ServiceHours:
    now = _now(now)
    at = at or now
    activity = signup.activity
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update(of=("self",))
            .select_related("signup__shift")
            .filter(signup=signup)
            .first()
        )
        if attendance is None:
            raise DomainError(_("This person has not checked in."), code="not_checked_in")
        if attendance.checked_out_at is not None:
            raise AlreadyDone(_("This person has already checked out."), code="already_checked_out")
        if at < attendance.checked_in_at or at > now:
            raise DomainError(
                _("The leaving time must lie after the check-in and not in the future."),
                code="time_outside",
                fields={"at": "outside"},
            )
        attendance.checked_out_at, attendance.checked_out_via, attendance.checked_out_by = (
            at,
            CheckMethod.ORGANISER,
            by,
        )
        attendance.save(update_fields=["checked_out_at", "checked_out_via", "checked_out_by"])
        hours = _hours_from(attendance, activity)
        _audit(AuditAction.UPDATE, by, attendance, activity.area.path, {"checked_out_at": [None, at]})
        return hours
