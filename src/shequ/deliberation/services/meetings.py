"""Meetings: called in an area, booked at a venue, notified, opened, closed or cancelled — each step a
row of the MEETING table (workflow.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.errors import DomainError
from shequ.core.models import Area, AreaKind
from shequ.deliberation.models import Base, Meeting, MeetingKind, MeetingMode
from shequ.deliberation.services.common import audit, locked_meeting, now_or, text
from shequ.deliberation.workflow import MEETING
from shequ.resources import booking
from shequ.resources.models import Venue
from shequ.volunteering.records import source_key, withdraw_service

MAX_QUORUM_DENOMINATOR = 100


# Days ahead those who take part are told, unless the meeting says (a locality may ask 15 for owners).
DEFAULT_NOTICE_DAYS = 7
MAX_NOTICE_DAYS = 60


def meeting_source(meeting: Meeting) -> str:
    """The name of the meeting in the venue's calendar and in the service records."""
    return source_key(meeting)


def _check_quorum(base: str, numerator: int, denominator: int, delegates: int | None) -> None:
    if base not in Base.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={"quorum_base": "x"})
    if not (0 < denominator <= MAX_QUORUM_DENOMINATOR and 0 < numerator <= denominator):
        raise DomainError(
            _("The quorum is a share of the base, e.g. 1/2 or 2/3."),
            code="quorum_share",
            fields={"quorum_numerator": "range"},
        )
    if base == Base.DELEGATES and not delegates:
        raise DomainError(
            _("Say how many group delegates are expected: the quorum is counted on them."),
            code="delegates_expected",
            fields={"delegates_expected": "required"},
        )


def meeting_create(
    *,
    by: Any,
    area: Area,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    chair: str,
    recorder: str,
    mode: str = MeetingMode.IN_PERSON,
    venue: Venue | None = None,
    place: str = "",
    quorum_base: str = Base.PERSONS,
    quorum_numerator: int = 1,
    quorum_denominator: int = 2,
    quorum_strict: bool = True,
    delegates_expected: int | None = None,
    notice_days: int = DEFAULT_NOTICE_DAYS,
) -> Meeting:
    """A new meeting (a draft until its notice is sent). At a venue, its time is booked at once; a
    time the venue already holds for anything else is refused with a 409 naming that use."""
    if by is not None:
        access.require(by, "meeting", "manage", path=area.path)
    if area.kind == AreaKind.DISTRICT:
        raise DomainError(
            _("A meeting belongs to a street, a community, a grid or a building."),
            code="area_kind",
            fields={"area": "kind"},
        )
    if kind not in MeetingKind.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={"kind": "choice"})
    if mode not in MeetingMode.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={"mode": "choice"})
    title = text(title, field="title", limit=200, required=True)
    chair = text(chair, field="chair", limit=50, required=True)
    recorder = text(recorder, field="recorder", limit=50, required=True)
    place = text(place, field="place", limit=200)
    if ends_at <= starts_at:
        raise DomainError(
            _("The end must come after the start."), code="ends_before_start", fields={"ends_at": "x"}
        )
    if mode != MeetingMode.ONLINE and venue is None and not place:
        raise DomainError(
            _("Choose a venue or say where the meeting is held."),
            code="place_required",
            fields={"venue": "x"},
        )
    if mode == MeetingMode.ONLINE:
        venue = None
    _check_quorum(quorum_base, quorum_numerator, quorum_denominator, delegates_expected)
    if not 0 <= notice_days <= MAX_NOTICE_DAYS:
        raise DomainError(
            _("Give a number from %(low)s to %(high)s.") % {"low": 0, "high": MAX_NOTICE_DAYS},
            code="out_of_range",
            fields={"notice_days": "range"},
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            area=area,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            venue=venue,
            place=place,
            chair=chair,
            recorder=recorder,
            quorum_base=quorum_base,
            quorum_numerator=quorum_numerator,
            quorum_denominator=quorum_denominator,
            quorum_strict=quorum_strict,
            delegates_expected=delegates_expected if quorum_base == Base.DELEGATES else None,
            notice_days=notice_days,
            created_by=by,
        )
        if venue is not None:
            booking.venue_book(
                by=by,
                venue=venue,
                starts_at=starts_at,
                ends_at=ends_at,
                source=meeting_source(meeting),
                title=title,
            )
        audit(by, meeting, path=area.path, action="create", changes={"kind": kind, "title": title})
        return meeting


def _move(by: Any, meeting: Meeting, version: int | None, action: str, *, now: datetime | None) -> Meeting:
    now = now_or(now)
    with transaction.atomic():
        current = locked_meeting(meeting, version)
        MEETING.check(by, current, action)
        was = current.status
        current.status = MEETING.next_state(current, action)
        stamp = {"notify": "notified_at", "open": "opened_at", "close": "closed_at"}.get(action)
        if stamp:
            setattr(current, stamp, now)
        if action == "cancel":
            booking.venue_release(source=meeting_source(current))
            withdraw_service(source=meeting_source(current))
        current.version += 1
        current.save()
        audit(by, current, path=current.area.path, action=action, changes={"status": [was, current.status]})
        return current


def meeting_notify(*, by: Any, meeting: Meeting, version: int | None, now: datetime | None = None) -> Meeting:
    """Send the notice: the meeting is announced to those who take part."""
    return _move(by, meeting, version, "notify", now=now)


def meeting_open(*, by: Any, meeting: Meeting, version: int | None, now: datetime | None = None) -> Meeting:
    """Open the session: attendance and votes can be recorded."""
    return _move(by, meeting, version, "open", now=now)


def meeting_close(*, by: Any, meeting: Meeting, version: int | None, now: datetime | None = None) -> Meeting:
    return _move(by, meeting, version, "close", now=now)


def meeting_cancel(*, by: Any, meeting: Meeting, version: int | None, now: datetime | None = None) -> Meeting:
    """Call the meeting off before it opens: its venue booking is released."""
    return _move(by, meeting, version, "cancel", now=now)
