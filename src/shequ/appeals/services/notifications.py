"""A user's notifications of appeals: marked read only by a deliberate act (a POST), never by a GET."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shequ.appeals.models import Appeal, Notification
from shequ.core.errors import NotFound


def notifications_read(*, by: Any, appeal: Appeal | None = None) -> int:
    """Mark the user's unread notifications read (of one appeal, or all); how many were."""
    unread = Notification.objects.filter(user_id=by.pk, read_at__isnull=True)
    if appeal is not None:
        unread = unread.filter(appeal=appeal)
    return unread.update(read_at=timezone.now())


def notification_open(*, by: Any, notification_id: int) -> int | None:
    """Open one of the user's notifications: it and the others of its appeal are read. Returns the
    appeal's id. Another user's notification is not found."""
    found = Notification.objects.filter(pk=notification_id, user_id=by.pk).first()
    if found is None:
        raise NotFound()
    unread = Notification.objects.filter(user_id=by.pk, read_at__isnull=True)
    if found.appeal_id is None:
        unread.filter(pk=found.pk).update(read_at=timezone.now())
    else:
        unread.filter(appeal_id=found.appeal_id).update(read_at=timezone.now())
    return found.appeal_id
