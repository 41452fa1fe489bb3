"""Service hours and points: confirming (one or all of an activity), correcting with a reason, the
balance of points and redeeming them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, DomainError
from shequ.core.models import AuditAction
from shequ.core.workflow import text_value
from shequ.volunteering.models import (
    Activity,
    HoursCorrection,
    HoursStatus,
    PointEntry,
    PointReason,
    Redemption,
    ServiceHours,
    Volunteer,
)
from shequ.volunteering.services.common import MAX_MINUTES, _audit, _now, _require


def points_for(minutes: int) -> int:
    return minutes * settings.VOLUNTEER_POINTS_PER_HOUR // 60


def hours_confirm(*, by: Any, hours: ServiceHours, now: datetime | None = None) -> ServiceHours:
    """The organiser confirms the hours: they count from now on, and earn points."""
    now = _now(now)
    activity = hours.activity
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        current = ServiceHours.objects.select_for_update().get(pk=hours.pk)
        if current.status == HoursStatus.CONFIRMED:
            return current
        current.status, current.confirmed_by, current.confirmed_at = HoursStatus.CONFIRMED, by, now
        current.version += 1
        current.save(update_fields=["status", "confirmed_by", "confirmed_at", "version"])
        points = points_for(current.minutes)
        if points:
            PointEntry.objects.create(
                volunteer_id=current.volunteer_id,
                points=points,
                reason=PointReason.HOURS,
                hours=current,
                at=now,
            )
        _audit(
            AuditAction.UPDATE,
            by,
            current,
            activity.area.path,
            {"status": [HoursStatus.PENDING, HoursStatus.CONFIRMED], "points": [0, points]},
        )
        return current


def hours_confirm_all(*, by: Any, activity: Activity, now: datetime | None = None) -> int:
    """Confirm every pending entry of the activity; returns how many."""
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        pending = list(ServiceHours.objects.filter(activity=activity, status=HoursStatus.PENDING))
        for hours in pending:
            hours_confirm(by=by, hours=hours, now=now)
        return len(pending)


def hours_correct(
    *, by: Any, hours: ServiceHours, version: int, minutes: int, reason: str, now: datetime | None = None
) -> ServiceHours:
    """Change the counted minutes, recording who, when, why and from what; confirmed hours move the
    points by the difference."""
    now = _now(now)
    activity = hours.activity
    _require(by, "activity", "manage", activity.area.path)
    reason = text_value(reason, field="reason", limit=200, required=True)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = -1
    if not 0 <= minutes <= MAX_MINUTES:
        raise DomainError(
            _("Minutes must be between 0 and %(n)d.") % {"n": MAX_MINUTES},
            code="minutes_invalid",
            fields={"minutes": "invalid"},
        )
    with transaction.atomic():
        current = ServiceHours.objects.select_for_update().get(pk=hours.pk)
        if current.version != version:
            raise Conflict()
        before = current.minutes
        if before == minutes:
            return current
        HoursCorrection.objects.create(
            hours=current,
            minutes_before=before,
            minutes_after=minutes,
            reason=reason,
            by=by,
            by_name=str(by) if by is not None else "",
            at=now,
        )
        current.minutes = minutes
        current.version += 1
        current.save(update_fields=["minutes", "version"])
        delta = points_for(minutes) - points_for(before)
        if current.status == HoursStatus.CONFIRMED and delta:
            PointEntry.objects.create(
                volunteer_id=current.volunteer_id,
                points=delta,
                reason=PointReason.CORRECTION,
                hours=current,
                at=now,
            )
        _audit(
            AuditAction.UPDATE,
            by,
            current,
            activity.area.path,
            {"minutes": [before, minutes], "reason": [None, reason]},
        )
        return current


def points_balance(volunteer: Volunteer) -> int:
    return PointEntry.objects.filter(volunteer=volunteer).aggregate(total=Sum("points"))["total"] or 0


def points_redeem(
    *, by: Any, volunteer: Volunteer, item: str, points: int, now: datetime | None = None
) -> Redemption:
    """Record a reward given for points; the balance may not go below zero."""
    now = _now(now)
    _require(by, "volunteer", "manage", volunteer.area.path)
    item = text_value(item, field="item", limit=100, required=True)
    try:
        points = int(points)
    except (TypeError, ValueError):
        points = 0
    if points <= 0:
        raise DomainError(_("Enter the points spent."), code="points_invalid", fields={"points": "invalid"})
    with transaction.atomic():
        current = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        balance = points_balance(current)
        if points > balance:
            raise DomainError(
                _("Only %(n)d points are left.") % {"n": balance},
                code="points_short",
                fields={"points": "short"},
            )
        redemption = Redemption.objects.create(
            volunteer=current, item=item, points=points, recorded_by=by, at=now
        )
        PointEntry.objects.create(
            volunteer=current, points=-points, reason=PointReason.REDEMPTION, redemption=redemption, at=now
        )
        _audit(
            AuditAction.CREATE,
            by,
            redemption,
            volunteer.area.path,
            {"item": [None, item], "points": [None, points]},
        )
        return redemption
