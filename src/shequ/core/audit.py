"""The one audit call. Services call it inside their transaction, so an entry exists iff the change does."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model

from shequ.core.context import NO_REQUEST, current_request
from shequ.core.models import AuditAction, AuditEntry

# Values of these fields never enter the log, only the fact that they changed.
SECRET_FIELDS = {"password", "id_number", "phone", "id_number_encrypted", "phone_encrypted"}


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime | date | Decimal):
        return str(value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed; secrets masked."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = ["***", "***"] if key in SECRET_FIELDS else [old, new]
    return out


def audit_log(
    *,
    action: AuditAction | str,
    actor: Any = None,
    obj: Model | None = None,
    area_path: str = "",
    changes: dict[str, Any] | None = None,
    object_repr: str | None = None,
    actor_name: str | None = None,
) -> AuditEntry:
    info = current_request.get() or NO_REQUEST
    entry = AuditEntry(
        actor_id=getattr(actor, "pk", None),
        actor_name=actor_name if actor_name is not None else (getattr(actor, "username", "") or ""),
        ip=info.ip,
        user_agent=info.user_agent[:200],
        action=str(action),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:200],
        area_path=area_path,
        changes=changes or {},
    )
    entry.save()
    return entry
