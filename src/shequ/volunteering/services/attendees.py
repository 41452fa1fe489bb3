"""Residents recorded as attending an activity by its staff, without a volunteer's sign-up: a walk-in,
a youth without an account, the members of a 1+1+5 group. They take part in the service: a finished
activity's participant records include them (volunteering/records.py), so the participation rate
counts them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import AuditAction
from shequ.registry.models import Resident, ResidentStatus
from shequ.volunteering.models import Activity, ActivityStatus, Attendee, YouthGroup
from shequ.volunteering.records import record_service, withdraw_service
from shequ.volunteering.services.common import _audit, _locked_activity, _now, _require
from shequ.volunteering.youth import members_of

MAX_AT_ONCE = 200
OPEN = (ActivityStatus.PUBLISHED, ActivityStatus.FINISHED)


def _source(activity: Activity) -> str:
    return f"volunteering.activity:{activity.pk}"


def attendee_add(
    *,
    by: Any,
    activity: Activity,
    residents: Iterable[Resident],
    youth_group: YouthGroup | None = None,
    now: datetime | None = None,
) -> int:
    """Record residents as attending (once each; one already recorded is left as it is). Returns how
    many were added. A resident outside what the organiser may see answers as not found."""
    now = _now(now)
    _require(by, "activity", "manage", activity.area.path)
    people = list(dict.fromkeys(residents))
    if not people:
        raise DomainError(_("Choose at least one resident."), code="required", fields={"attendee_ids": "x"})
    if len(people) > MAX_AT_ONCE:
        raise DomainError(
            _("At most %(n)d at a time.") % {"n": MAX_AT_ONCE}, code="too_many", fields={"attendee_ids": "x"}
        )
    for resident in people:
        if by is not None and not access.can(by, "resident", "view", path=resident.area.path):
            raise NotFound()
        if resident.status != ResidentStatus.ACTIVE:
            raise DomainError(
                _("Only a resident living here can be recorded as attending."),
                code="resident_inactive",
                fields={"attendee_ids": "inactive"},
            )
    with transaction.atomic():
        current = _locked_activity(activity)
        if current.status not in OPEN:
            raise DomainError(
                _("Attendance is recorded for a published or finished activity."), code="not_open"
            )
        known = set(Attendee.objects.filter(activity=current).values_list("resident_id", flat=True))
        fresh = [r for r in people if r.pk not in known]
        Attendee.objects.bulk_create(
            [
                Attendee(activity=current, resident=r, youth_group=youth_group, added_by=by, added_at=now)
                for r in fresh
            ]
        )
        if fresh and current.status == ActivityStatus.FINISHED:
            record_service(
                source=_source(current),
                label=current.title,
                area=current.area,
                served_on=timezone.localdate(current.starts_at),
                residents=fresh,
                activity=current,
            )
        if fresh:
            changes: dict[str, Any] = {"attendees": [len(known), len(known) + len(fresh)]}
            if youth_group is not None:
                changes["youth_group"] = [None, youth_group.pk]
            _audit(AuditAction.UPDATE, by, current, current.area.path, changes)
        return len(fresh)


def attendee_add_group(
    *, by: Any, activity: Activity, youth_group: YouthGroup, now: datetime | None = None
) -> int:
    """Sign up the members of a 1+1+5 group (its party member, activist and backbones) as attending."""
    if by is not None and not access.can(by, "youth_group", "view", path=youth_group.area.path):
        raise NotFound()
    return attendee_add(
        by=by, activity=activity, residents=members_of(youth_group), youth_group=youth_group, now=now
    )


def attendee_remove(*, by: Any, activity: Activity, resident: Resident) -> None:
    """Take back an attendance recorded by mistake (and its service record, if written)."""
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        current = _locked_activity(activity)
        deleted, _detail = Attendee.objects.filter(activity=current, resident=resident).delete()
        if not deleted:
            raise NotFound()
        signed = current.signups.filter(attendance__isnull=False, volunteer__resident=resident).exists()
        if current.status == ActivityStatus.FINISHED and not signed:
            withdraw_service(source=_source(current), resident=resident)
        _audit(AuditAction.UPDATE, by, current, current.area.path, {"attendee_removed": [resident.pk, None]})
