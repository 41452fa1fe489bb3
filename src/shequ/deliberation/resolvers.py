"""Turn an id typed on a page or sent to the API into an object the acting user may see, the same for
both: "not yours" answers as "not found"."""

from __future__ import annotations

from typing import Any

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.workflow import int_value


def _pk(raw: Any, field: str) -> int:
    return int_value(raw, field=field)


def venue(user: Any, obj: Any, raw: Any) -> Any:
    """A venue of the resource register the user may see."""
    from shequ.resources.models import Venue

    pk = _pk(raw, "venue")
    resources = access.scope(user, "resource", "view") if user is not None else None
    qs = Venue.objects.select_related("resource", "resource__area")
    if resources is not None:
        qs = qs.filter(resource__in=resources)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(fields={"venue": "not_found"})
    return found


def appeal(user: Any, obj: Any, raw: Any) -> Any:
    """An appeal the user may see, of the meeting's area (an appeal of another place is not this
    meeting's matter)."""
    from shequ.appeals.selectors import appeals_for

    pk = _pk(raw, "appeal")
    qs = appeals_for(user) if user is not None else None
    if qs is None:
        from shequ.appeals.models import Appeal

        qs = Appeal.objects.all()
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(fields={"appeal": "not_found"})
    return found


def resident(user: Any, obj: Any, raw: Any) -> Any:
    """A resident the user may see."""
    from shequ.registry.models import Resident

    pk = _pk(raw, "resident")
    qs = access.scope(user, "resident", "view") if user is not None else Resident.objects.all()
    found = qs.select_related("household", "area").filter(pk=pk).first()
    if found is None:
        raise NotFound(fields={"resident": "not_found"})
    return found


def meeting_vote(user: Any, obj: Any, raw: Any) -> Any:
    """A vote of this meeting (obj is the meeting)."""
    found = obj.votes.filter(pk=_pk(raw, "vote")).first()
    if found is None:
        raise NotFound(fields={"vote": "not_found"})
    return found


def meeting_topic(user: Any, obj: Any, raw: Any) -> Any:
    """A topic on this meeting's agenda (obj is the meeting)."""
    found = obj.topics.filter(pk=_pk(raw, "topic")).first()
    if found is None:
        raise NotFound(fields={"topic": "not_found"})
    return found


def meeting_for_proposal(user: Any, obj: Any, raw: Any) -> Any:
    """A meeting the user may see that is still to come or in session, of the proposal's area or an
    area above it (obj is the proposal)."""
    from shequ.deliberation.models import Meeting, MeetingStatus

    pk = _pk(raw, "meeting")
    qs = access.scope(user, "meeting", "view") if user is not None else Meeting.objects.all()
    found = (
        qs.select_related("area")
        .filter(pk=pk, status__in=[MeetingStatus.DRAFT, MeetingStatus.NOTIFIED, MeetingStatus.IN_SESSION])
        .first()
    )
    if found is None or not obj.area.path.startswith(found.area.path):
        raise NotFound(fields={"meeting": "not_found"})
    return found
