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
    Volunteer,
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


class ElsewhereAtOnce(DomainError):
    """The person is checked in at another activity whose time overlaps this one and has not checked
    out there: one person is not in two places at once (issue 16)."""

    status = 409
    code = "checked_in_elsewhere"


def _refuse_if_elsewhere(signup: SignUp, activity: Activity) -> None:
    """Refuse checking `signup`'s volunteer in while they are checked in (not yet out) at another
    activity whose time (or shift) overlaps this one's."""
    # One check-in of a person at a time: two organisers at two activities cannot both let them in.
    Volunteer.objects.select_for_update().filter(pk=signup.volunteer_id).first()
    start, end = _window_of(signup, activity)
    open_elsewhere = (
        Attendance.objects.filter(signup__volunteer_id=signup.volunteer_id, checked_out_at__isnull=True)
        .exclude(signup__activity_id=activity.pk)
        .select_related("signup__activity", "signup__shift", "signup__volunteer")
    )
    for other in open_elsewhere:
        other_start, other_end = _window_of(other.signup, other.signup.activity)
        if other_start < end and start < other_end:
            raise ElsewhereAtOnce(
                _(
                    "%(name)s is checked in at “%(title)s” (since %(time)s), whose time overlaps this "
                    "activity, and has not checked out there: check them out there first."
                )
                % {
                    "name": other.signup.volunteer.name,
                    "title": other.signup.activity.title,
                    "time": _local(other.checked_in_at),
                }
            )


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
            _refuse_if_elsewhere(signup, activity)
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
        _refuse_if_elsewhere(current, activity)
        attendance = Attendance.objects.create(
            signup=current, checked_in_at=at, checked_in_via=CheckMethod.ORGANISER, checked_in_by=by
        )
        _audit(AuditAction.CREATE, by, attendance, activity.area.path, {"checked_in_at": [None, at]})
        return attendance


@dataclass(frozen=True)
class CheckedInAll:
    checked_in: list[SignUp]
    refused: list[tuple[SignUp, str]]  # each one left out, with why


def attendance_check_in_all(*, by: Any, activity: Activity, now: datetime | None = None) -> CheckedInAll:
    """ "Check in all signed-up": everyone with a confirmed place not yet checked in, each through the
    same rules as one by one; those a rule refuses (checked in elsewhere, outside their shift's time)
    are left out and named."""
    now = _now(now)
    _require(by, "activity", "manage", activity.area.path)
    waiting = list(
        SignUp.objects.filter(activity=activity, status=SignUpStatus.CONFIRMED, attendance__isnull=True)
        .select_related("volunteer", "shift")
        .order_by("created_at", "id")
    )
    done: list[SignUp] = []
    refused: list[tuple[SignUp, str]] = []
    for signup in waiting:
        signup.activity = activity
        try:
            attendance_check_in(by=by, signup=signup, now=now)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            refused.append((signup, str(exc.message)))
        else:
            done.append(signup)
    return CheckedInAll(done, refused)


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
