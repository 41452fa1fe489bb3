"""What every write of volunteering shares: the sealing contexts of a volunteer's numbers, the limits of an
activity and of check-in, and the small helpers (the clock, the activity's row lock, audit of changes,
the permission check)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from shequ.core import access
from shequ.core.audit import audit_log, diff
from shequ.core.errors import Conflict
from shequ.volunteering.models import (
    Activity,
)

PHONE_CONTEXT = "volunteering.volunteer.phone"
ID_CONTEXT = "volunteering.volunteer.id_number"
QR_SALT = "shequ.volunteering.check-in"
# A QR code shown on the organiser's phone is good for this long (the page renews it), so a photo of
# it sent to someone at home stops working.
QR_MAX_AGE = timedelta(minutes=15)
# Check-in opens this long before the start; scans are taken until this long after the end.
CHECK_IN_OPENS = timedelta(minutes=30)
CHECK_OUT_CLOSES = timedelta(hours=2)
# A second scan this soon after checking in is a repeated scan, not a check-out.
REPEAT_SCAN = timedelta(minutes=10)
MAX_CAPACITY = 10_000
MAX_DURATION = timedelta(days=7)
MAX_MINUTES = 24 * 60


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _audit(action: str, by: Any, obj: Any, path: str, changes: dict[str, Any]) -> None:
    """audit_log of {field: [old, new]}, made storable (times as text, records as keys) by diff()."""
    before = {key: pair[0] for key, pair in changes.items()}
    after = {key: pair[1] for key, pair in changes.items()}
    audit_log(action=action, actor=by, obj=obj, area_path=path, changes=diff(before, after))


def _require(by: Any, resource: str, action: str, path: str) -> None:
    if by is not None:
        access.require(by, resource, action, path=path)


def _locked_activity(activity: Activity, version: int | None = None) -> Activity:
    """The activity's row, locked until the transaction ends: sign-up, check-in and every change of
    the activity are decided one at a time (Conflict when the version the user saw is stale)."""
    current = Activity.objects.select_for_update(of=("self",)).select_related("area").get(pk=activity.pk)
    if version is not None and current.version != version:
        raise Conflict()
    return current
