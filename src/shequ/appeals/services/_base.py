"""What every write of appeals shares: the clock of a stage's deadline, locking with the version the
user saw, the step in the appeal's history, the audit entry and who is told."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import (
    DEADLINE_STAGES,
    DEFAULT_HOURS,
    Appeal,
    AppealStep,
    Category,
    Priority,
    StageDeadline,
)
from shequ.appeals.notify import notify
from shequ.appeals.rules import TRIAGE_ROLES
from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, DomainError
from shequ.core.models import AuditAction, User

Action = AppealStep.Action
CONTACT_CONTEXT = "appeals.appeal.contact_phone"
MAX_DESCRIPTION = 2000
WARN_FRACTION = 0.8  # the handler is warned when 80% of a stage's time has passed


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), code="required", fields={field: "required"})
    if len(value) > limit:
        raise DomainError(
            _("At most %(n)d characters.") % {"n": limit}, code="too_long", fields={field: "long"}
        )
    return value


def deadline_hours(category: Category, priority: str, stage: str) -> int | None:
    if stage not in DEADLINE_STAGES:
        return None
    row = StageDeadline.objects.filter(category=category, priority=priority, stage=stage).first()
    if row is not None:
        return row.hours
    return DEFAULT_HOURS.get(priority, DEFAULT_HOURS[Priority.NORMAL]).get(stage)


def _start_clock(appeal: Appeal, now: datetime) -> None:
    """Give the appeal the deadline of its current stage, counted from now, and its warning time."""
    hours = deadline_hours(appeal.category, appeal.priority, appeal.stage)
    if hours is None:
        appeal.deadline_at = appeal.warn_at = None
    else:
        appeal.deadline_at = now + timedelta(hours=hours)
        appeal.warn_at = now + timedelta(hours=hours * WARN_FRACTION)
    appeal.overdue_noticed_at = None


def _enter(appeal: Appeal, stage: str, now: datetime) -> int:
    """Move to `stage`; returns the seconds spent in the stage it leaves."""
    spent = max(0, int((now - appeal.stage_started_at).total_seconds()))
    if appeal.deadline_at is not None and now > appeal.deadline_at:
        appeal.was_overdue = True
    appeal.stage = stage
    appeal.stage_started_at = now
    _start_clock(appeal, now)
    return spent


def _locked(appeal: Appeal, version: int | None) -> Appeal:
    current = Appeal.objects.select_for_update().select_related("category").get(pk=appeal.pk)
    if version is not None and current.version != version:
        raise Conflict(
            _(
                "Someone else acted on this appeal first (it is now: %(stage)s). "
                "Reload the page to see what changed, then try again."
            )
            % {"stage": current.get_stage_display()}
        )
    return current


def _actor_name(by: Any) -> str:
    return str(by) if by is not None else "系统"


def _step(
    appeal: Appeal,
    *,
    by: Any,
    action: str,
    from_stage: str,
    from_level: str,
    now: datetime,
    note: str = "",
    stage_seconds: int | None = None,
) -> AppealStep:
    return AppealStep.objects.create(
        appeal=appeal,
        at=now,
        actor=by,
        actor_name=_actor_name(by),
        action=action,
        from_stage=from_stage,
        to_stage=appeal.stage,
        from_level=from_level,
        to_level=appeal.level,
        note=note,
        stage_seconds=stage_seconds,
    )


def _save(appeal: Appeal, *, by: Any, action: str, changes: dict[str, Any]) -> None:
    appeal.version += 1
    appeal.save()
    audit_log(
        action=AuditAction.UPDATE,
        actor=by,
        obj=appeal,
        area_path=appeal.area_path,
        changes={"action": action, **changes},
        actor_name=None if by is not None else "系统",
    )


def answering_users(appeal: Appeal) -> list[User]:
    """Those who hold a triage role on the area answering for the appeal now."""
    return list(
        User.objects.filter(
            is_active=True,
            assignments__area_id=appeal.handling_area_id,
            assignments__role__in=[r.value for r in TRIAGE_ROLES],
        ).distinct()
    )


def _tell(appeal: Appeal, *, action: str, now: datetime, by: Any, answering: bool = False) -> None:
    users: list[Any] = [appeal.reporter, appeal.handler_user]
    if answering or appeal.handler_user_id is None:
        users += answering_users(appeal)
    notify(users=users, appeal=appeal, action=action, at=now, actor=by)
