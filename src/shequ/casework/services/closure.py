"""结案: the case worker asks to close with a reason and a required closing note (kept as a case
note); the supervisor approves. Reopening is services.cases.case_reopen."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import Case, ClosureReason
from shequ.casework.services._base import clean_text, locked, step
from shequ.casework.services.notes import MAX_NOTE, add_note
from shequ.casework.workflow import CASE
from shequ.core.errors import DomainError


def closure_request(*, by: Any, case: Case, version: int | None, reason: str, note: str) -> Case:
    if reason not in ClosureReason.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={"reason": "choice"})
    body = clean_text(note, field="note", limit=MAX_NOTE, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "request_closure")
        current.closure_reason = reason
        current.closure_requested_at = timezone.now()
        note_row = add_note(current, by, body)
        return step(by, current, "request_closure", changes={"reason": reason, "note": note_row.pk})


def closure_approve(*, by: Any, case: Case, version: int | None) -> Case:
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "approve_closure")
        current.closed_on = timezone.localdate()
        return step(by, current, "approve_closure", changes={"reason": current.closure_reason})
