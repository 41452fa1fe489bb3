"""Minutes (会议记录): a draft written during or after the meeting, amended in a set window, then
frozen and signed by the chair and the recorder. A frozen record refuses edits (409); a correction is
a new record linked to the one it corrects, itself frozen when written."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict
from shequ.deliberation.models import Amendment, Meeting, Minutes, MinutesStatus
from shequ.deliberation.services.common import audit, locked_meeting, now_or
from shequ.deliberation.services.common import text as clean_text
from shequ.deliberation.workflow import MEETING, MINUTES

MAX_MINUTES = 20_000


def minutes_write(*, by: Any, meeting: Meeting, text: str, version: int | None = None) -> Minutes:
    body = clean_text(text, field="text", limit=MAX_MINUTES, required=True)
    with transaction.atomic():
        current = locked_meeting(meeting, version)
        MEETING.check(by, current, "write_minutes")
        try:
            with transaction.atomic():
                minutes = Minutes.objects.create(meeting=current, text=body, created_by=by)
        except IntegrityError:
            raise Conflict(
                _("The minutes of this meeting are written; correct them instead."), code="minutes_exist"
            ) from None
        audit(by, minutes, path=current.area.path, action="write_minutes")
        return minutes


def _locked(minutes: Minutes, version: int | None) -> Minutes:
    current = (
        Minutes.objects.select_for_update(of=("self",)).select_related("meeting__area").get(pk=minutes.pk)
    )
    if version is not None and current.version != version:
        raise Conflict()
    return current


def _save(by: Any, current: Minutes, action: str, changes: dict[str, Any] | None = None) -> Minutes:
    current.version += 1
    current.save()
    audit(by, current, path=current.meeting.area.path, action=action, changes=changes)
    return current


def minutes_amend(*, by: Any, minutes: Minutes, text: str, version: int | None = None) -> Minutes:
    body = clean_text(text, field="text", limit=MAX_MINUTES, required=True)
    with transaction.atomic():
        current = _locked(minutes, version)
        MINUTES.check(by, current, "amend")
        was = current.text
        current.text = body
        return _save(by, current, "amend", {"text": [len(was), len(body)]})


def minutes_propose_amendment(
    *, by: Any, minutes: Minutes, text: str, version: int | None = None, now: datetime | None = None
) -> Amendment:
    """An attendee (or staff) proposes an amendment in the window: kept beside the minutes."""
    now = now_or(now)
    body = clean_text(text, field="text", limit=2000, required=True)
    with transaction.atomic():
        current = _locked(minutes, None)
        MINUTES.check(by, current, "propose_amendment")
        resident = getattr(by, "resident_record", None)
        name = resident.name if resident is not None else str(getattr(by, "display_name", "") or by)
        amendment = Amendment.objects.create(
            minutes=current, author=by, author_name=name[:50], text=body, at=now
        )
        audit(by, amendment, path=current.meeting.area.path, action="create", changes={"minutes": current.pk})
        return amendment


def minutes_open_amendments(
    *, by: Any, minutes: Minutes, days: int, version: int | None = None, now: datetime | None = None
) -> Minutes:
    now = now_or(now)
    with transaction.atomic():
        current = _locked(minutes, version)
        MINUTES.check(by, current, "open_amendments")
        current.status = MINUTES.next_state(current, "open_amendments")
        current.amend_until = now + timedelta(days=days)
        return _save(by, current, "open_amendments", {"amend_until": current.amend_until})


def _signatures(meeting: Meeting) -> str:
    return f"{meeting.chair}、{meeting.recorder}"[:120]


def minutes_freeze(
    *, by: Any, minutes: Minutes, version: int | None = None, now: datetime | None = None
) -> Minutes:
    """Freeze and sign: the chair and the recorder sign (their names are kept with the record)."""
    now = now_or(now)
    with transaction.atomic():
        current = _locked(minutes, version)
        MINUTES.check(by, current, "freeze")
        current.status = MinutesStatus.FROZEN
        current.frozen_at = now
        current.signed_by = _signatures(current.meeting)
        return _save(by, current, "freeze")


def minutes_correct(
    *, by: Any, minutes: Minutes, text: str, version: int | None = None, now: datetime | None = None
) -> Minutes:
    """A correction of a frozen record: a new record, linked to it, frozen and signed as written."""
    now = now_or(now)
    body = clean_text(text, field="text", limit=MAX_MINUTES, required=True)
    with transaction.atomic():
        current = _locked(minutes, version)
        MINUTES.check(by, current, "correct")
        correction = Minutes.objects.create(
            meeting=current.meeting,
            text=body,
            corrects=current,
            status=MinutesStatus.FROZEN,
            frozen_at=now,
            signed_by=_signatures(current.meeting),
            created_by=by,
        )
        audit(
            by, correction, path=current.meeting.area.path, action="correct", changes={"corrects": current.pk}
        )
        return correction
