"""What every casework write shares: the locked, current case at the version the user saw, and one
step of the rule table with its history row and audit entry."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import Case, CaseEvent
from shequ.casework.workflow import CASE
from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, DomainError
from shequ.core.models import AuditAction


def locked(case: Case, version: int | None) -> Case:
    """The case as it is now, locked for this transaction; a stale version is a conflict."""
    # of=self: PostgreSQL locks no row of an outer join (the client is a resident or a household).
    current = (
        Case.objects.select_for_update(of=("self",))
        .select_related("area", "resident", "household")
        .get(pk=case.pk)
    )
    if version is not None and current.version != version:
        raise Conflict(
            _("Someone else changed this case first (it is now: %(stage)s). Reload the page and try again.")
            % {"stage": current.get_stage_display()}
        )
    return current


def step(by: Any, case: Case, action: str, *, reason: str = "", changes: dict | None = None) -> Case:
    """Move the (locked, checked) case to the action's next state, bump its version, write its history
    and its audit entry. The caller has called CASE.check and runs in a transaction."""
    before = case.stage
    case.stage = CASE.next_state(case, action)
    case.version += 1
    case.save()
    CaseEvent.objects.create(
        case=case, action=action, from_stage=before, to_stage=case.stage, reason=reason[:500], by=by
    )
    audit_log(
        action=AuditAction.UPDATE,
        actor=by,
        obj=case,
        area_path=case.area_path,
        changes={"action": action}
        | ({"stage": [before, case.stage]} if before != case.stage else {})
        | (changes or {}),
    )
    return case


def clean_text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), code="required", fields={field: "required"})
    if len(value) > limit:
        raise DomainError(
            _("At most %(n)d characters.") % {"n": limit}, code="too_long", fields={field: "long"}
        )
    return value


def day(value: Any, *, field: str, earliest: date | None = None) -> date:
    """A date typed by a user: a real date (YYYY-MM-DD), not in the future, not before `earliest`."""
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DomainError(
                _("Give a date as YYYY-MM-DD."), code="bad_date", fields={field: "date"}
            ) from None
    if parsed > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), code="future_date", fields={field: "date"})
    if earliest is not None and parsed < earliest:
        raise DomainError(
            _("The date cannot be before %(day)s.") % {"day": earliest.isoformat()},
            code="too_early",
            fields={field: "date"},
        )
    return parsed
