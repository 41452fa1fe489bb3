"""Case notes, the most sensitive data in the product: encrypted at rest; readable by the case
worker, their supervisor, and whoever holds an approved case-notes grant over the case's area. Every
read is audited, and so is every refused read (outside any transaction, so the refusal's entry
stays). Notes are never in a list, an export, a report or an evaluator's view: only `notes_read`
decrypts them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from shequ.casework.models import Case, CaseNote
from shequ.casework.services._base import clean_text, locked, step
from shequ.casework.workflow import CASE, is_case_worker, is_supervisor
from shequ.core import access, grants
from shequ.core.audit import audit_log
from shequ.core.crypto import decrypt, encrypt
from shequ.core.errors import Forbidden
from shequ.core.models import AuditAction, GrantKind

NOTE_CONTEXT = "casework.note.text"
MAX_NOTE = 5000


@dataclass(frozen=True)
class NoteView:
    id: int
    text: str
    written_by: str
    written_at: datetime


def add_note(case: Case, by: Any, body: str) -> CaseNote:
    """Write a note (the caller checked and runs in the transaction)."""
    return CaseNote.objects.create(
        case=case, text_encrypted=encrypt(body, context=NOTE_CONTEXT), written_by=by or case.owner
    )


def note_write(*, by: Any, case: Case, version: int | None, text: str) -> Case:
    body = clean_text(text, field="text", limit=MAX_NOTE, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "note")
        note = add_note(current, by, body)
        return step(by, current, "note", changes={"note": note.pk})


def may_read_notes(user: Any, case: Case) -> bool:
    """For showing the link: the case worker, the supervisor, or an active grant (no audit)."""
    if not access.can(user, "case", "view_notes", path=case.area_path):
        return False
    if is_case_worker(user, case) or is_supervisor(user, case):
        return True
    return grants.active_grant(user, GrantKind.CASE_NOTES, path=case.area_path) is not None


def notes_read(*, by: Any, case: Case) -> list[NoteView]:
    """The case's notes, decrypted, for one who may read them; the read is audited. Refused (403,
    grant_required, audited) for anyone else who may see the case."""
    try:
        access.require(by, "case", "view_notes", path=case.area_path)
        grant = None
        if not (is_case_worker(by, case) or is_supervisor(by, case)):
            grant = grants.active_grant(by, GrantKind.CASE_NOTES, path=case.area_path)
            if grant is None:
                raise grants.GrantRequired(GrantKind.CASE_NOTES, case.area)
    except Forbidden as refusal:
        audit_log(
            action=AuditAction.VIEW_SENSITIVE,
            actor=by,
            obj=case,
            area_path=case.area_path,
            changes={"what": "case_notes", "refused": refusal.code},
        )
        raise
    notes = list(case.notes.select_related("written_by"))
    if grant is not None:
        grants.audit_use(user=by, grant=grant, obj=case, area_path=case.area_path, what="case_notes")
    else:
        audit_log(
            action=AuditAction.VIEW_SENSITIVE,
            actor=by,
            obj=case,
            area_path=case.area_path,
            changes={"what": "case_notes", "as": "case_worker" if is_case_worker(by, case) else "supervisor"},
        )
    return [
        NoteView(n.pk, decrypt(n.text_encrypted, context=NOTE_CONTEXT), str(n.written_by), n.written_at)
        for n in notes
    ]
