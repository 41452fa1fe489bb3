"""Every read of deliberation, for the acting user: starts from the access layer's scope of meetings;
a meeting of another area answers as not found."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.models import Area, subtree_q
from shequ.deliberation import quorum as arithmetic
from shequ.deliberation.models import Attendance, Base, Meeting, MeetingStatus


def meetings_for(user: Any, *, area: Area | None = None, status: str = "", q: str = "") -> QuerySet[Meeting]:
    qs = access.scope(user, "meeting", "view").select_related("area", "venue__resource")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if status in MeetingStatus.values:
        qs = qs.filter(status=status)
    q = q.strip()[:50]
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-starts_at", "-id")


def meeting_for(user: Any, pk: int) -> Meeting:
    """One meeting the user may see, or NotFound (also for meetings of other areas)."""
    found = meetings_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _adult_cutoff(on: date) -> date:
    """Born on or before this day: aged 18 or over on `on`."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 18, day=28)


def eligible_count(meeting: Meeting) -> int:
    """The size of the meeting's quorum base: the residents aged 18+ or the households of its area,
    or the group delegates expected."""
    from shequ.registry.models import Household, Resident, ResidentStatus

    if meeting.quorum_base == Base.DELEGATES:
        return meeting.delegates_expected or 0
    if meeting.quorum_base == Base.HOUSEHOLDS:
        return Household.objects.filter(subtree_q(meeting.area.path, "area__path")).count()
    cutoff = _adult_cutoff(meeting.starts_at.date())
    return Resident.objects.filter(
        subtree_q(meeting.area.path, "area__path"), status=ResidentStatus.ACTIVE, birth_date__lte=cutoff
    ).count()


def present_count(meeting: Meeting) -> int:
    """Those present (in person or by proxy) counted on the meeting's base."""
    qs = Attendance.objects.filter(meeting=meeting)
    if meeting.quorum_base == Base.DELEGATES:
        return qs.filter(is_delegate=True).count()
    if meeting.quorum_base == Base.HOUSEHOLDS:
        return qs.exclude(resident__household=None).values("resident__household").distinct().count()
    return qs.filter(resident__birth_date__lte=_adult_cutoff(meeting.starts_at.date())).count()


def meeting_quorum(meeting: Meeting) -> arithmetic.Quorum:
    """The quorum now, computed live on the meeting's base and share."""
    return arithmetic.quorum(
        present_count(meeting),
        eligible_count(meeting),
        meeting.quorum_numerator,
        meeting.quorum_denominator,
        strict=meeting.quorum_strict,
    )


def attendances_for(meeting: Meeting) -> QuerySet[Attendance]:
    """The attendance of a meeting the caller has already found through meeting_for."""
    return (
        Attendance.objects.filter(meeting=meeting)
        .select_related("resident", "resident__area")
        .order_by("at", "id")
    )


def agenda_candidates(user: Any, meeting: Meeting) -> QuerySet[Any]:
    """The seam to appeals: open appeals of the meeting's area that staff marked for a meeting."""
    from shequ.appeals.selectors import appeals_for_agenda

    return appeals_for_agenda(user, meeting.area).exclude(topics__meeting=meeting)
