"""What the services of deliberation share: the meeting's row under lock, the audit entry, texts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, DomainError
from shequ.core.models import AuditAction
from shequ.deliberation.models import Meeting


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def locked_meeting(meeting: Meeting, version: int | None) -> Meeting:
    """The meeting's row for this transaction; a stale version (someone acted first) is a 409."""
    current = Meeting.objects.select_for_update(of=("self",)).select_related("area").get(pk=meeting.pk)
    if version is not None and current.version != version:
        raise Conflict(
            _(
                "Someone else changed this meeting first (it is now: %(status)s). "
                "Reload the page and try again."
            )
            % {"status": current.get_status_display()}
        )
    return current


def audit(by: Any, obj: Model, *, path: str, action: str, changes: dict[str, Any] | None = None) -> None:
    audit_log(
        action=AuditAction.CREATE if action == "create" else AuditAction.UPDATE,
        actor=by,
        obj=obj,
        area_path=path,
        changes={"action": action, **(changes or {})},
        actor_name=None if by is not None else "系统",
    )


def text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        raise DomainError(_("This field is required."), code="required", fields={field: "required"})
    if len(value) > limit:
        raise DomainError(
            _("At most %(n)d characters.") % {"n": limit}, code="too_long", fields={field: "long"}
        )
    return value
