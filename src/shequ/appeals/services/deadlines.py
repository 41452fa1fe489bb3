"""Deadlines: the scheduled job's warnings and escalations (jobs.py), and the stage deadlines of the
taxonomy that district administrators set."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import DEADLINE_STAGES, Appeal, Category, Priority, StageDeadline
from shequ.appeals.notify import notify
from shequ.appeals.rules import may_configure, next_level
from shequ.appeals.services._base import Action, _step, _tell, answering_users
from shequ.appeals.services.loop import _escalate
from shequ.appeals.workflow import ESCALATABLE
from shequ.core.audit import audit_log
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import AuditAction


def appeals_to_warn(now: datetime) -> Any:
    return Appeal.objects.filter(stage__in=DEADLINE_STAGES, warn_at__lte=now, deadline_at__gt=now)


def appeals_overdue(now: datetime) -> Any:
    return Appeal.objects.filter(
        stage__in=DEADLINE_STAGES, deadline_at__lte=now, overdue_noticed_at__isnull=True
    )


def appeal_warn(*, appeal: Appeal, now: datetime) -> bool:
    """Warn the handler (or the answering level) that a deadline approaches. Once per stage."""
    with transaction.atomic():
        current = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if current.warn_at is None or current.warn_at > now or current.stage not in DEADLINE_STAGES:
            return False
        current.warn_at = None
        current.save(update_fields=["warn_at", "updated_at"])
        _step(
            current, by=None, action=Action.WARN, from_stage=current.stage, from_level=current.level, now=now
        )
        users = [current.handler_user] if current.handler_user_id else answering_users(current)
        notify(users=users, appeal=current, action=Action.WARN, at=now)
        return True


def appeal_deadline_missed(*, appeal: Appeal, now: datetime) -> str:
    """An appeal past its stage's deadline: escalated one level, or (at the district, or waiting for
    verification) marked overdue and its answering level told. Returns what was done ("" if nothing:
    someone acted first)."""
    with transaction.atomic():
        current = Appeal.objects.select_for_update().select_related("category", "area").get(pk=appeal.pk)
        if (
            current.stage not in DEADLINE_STAGES
            or current.deadline_at is None
            or current.deadline_at > now
            or current.overdue_noticed_at is not None
        ):
            return ""
        if current.stage in ESCALATABLE and next_level(current.level) is not None:
            _escalate(current, by=None, now=now, note=str(_("The deadline of this stage passed.")))
            return "escalated"
        current.was_overdue = True
        current.overdue_noticed_at = now
        current.warn_at = None
        current.save(update_fields=["was_overdue", "overdue_noticed_at", "warn_at", "updated_at"])
        _step(
            current,
            by=None,
            action=Action.OVERDUE,
            from_stage=current.stage,
            from_level=current.level,
            now=now,
        )
        _tell(current, action=Action.OVERDUE, now=now, by=None, answering=True)
        return "overdue"


# --- the taxonomy ------------------------------------------------------------------------------------


def category_set_deadline(
    *, by: Any, category: Category, priority: str, stage: str, hours: int
) -> StageDeadline:
    """Configure a stage deadline. District administrators only (the taxonomy is district-wide)."""
    if by is not None and not may_configure(by):
        raise Forbidden()
    if priority not in Priority.values or stage not in DEADLINE_STAGES:
        raise DomainError(_("Choose a priority and a stage that has a deadline."), code="deadline_invalid")
    if not isinstance(hours, int) or not 0 < hours <= 24 * 365:
        raise DomainError(_("Hours must be between 1 and 8760."), code="hours_invalid", fields={"hours": "x"})
    with transaction.atomic():
        row, _created = StageDeadline.objects.update_or_create(
            category=category, priority=priority, stage=stage, defaults={"hours": hours}
        )
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=category,
            changes={"deadline": [None, f"{priority}/{stage}={hours}h"]},
        )
        return row
