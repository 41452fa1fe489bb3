"""The one calendar of every venue: each use (an activity, a meeting, a class session, a group's slot)
is one booking, and a booking that overlaps another held booking of the venue is refused, whatever
either is for. Callers book inside their own transaction, so their record and its booking are written
or refused together; the venue's row is locked while the calendar is checked, so two people booking
the last free hour at once cannot both get it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.resources.models import BookingStatus, Venue, VenueBooking


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def clash_of(
    venue: Venue, starts_at: datetime, ends_at: datetime, *, source: str = ""
) -> VenueBooking | None:
    """The first held booking of the venue that overlaps [starts_at, ends_at), other than `source`'s."""
    return (
        VenueBooking.objects.filter(
            venue=venue, status=BookingStatus.HELD, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(source=source)
        .order_by("starts_at")
        .first()
    )


def clash_error(venue: Venue, clash: VenueBooking) -> Conflict:
    return Conflict(
        _("%(venue)s is already booked from %(start)s to %(end)s (%(title)s).")
        % {
            "venue": venue.resource.name,
            "start": _local(clash.starts_at),
            "end": _local(clash.ends_at),
            "title": clash.title,
        },
        code="venue_booked",
        fields={"venue": "booked"},
    )


def lock_venue(by: Any, venue: Venue) -> Venue:
    """The venue's row, locked for the caller's transaction; NotFound if `by` may not see it."""
    if by is not None and not access.can(by, "resource", "view", path=venue.resource.area.path):
        raise NotFound()
    return (
        Venue.objects.select_for_update(of=("self",))
        .select_related("resource", "resource__area")
        .get(pk=venue.pk)
    )


def venue_book(
    *,
    by: Any,
    venue: Venue,
    starts_at: datetime,
    ends_at: datetime,
    source: str,
    title: str,
    series: str = "",
) -> VenueBooking:
    """Book the venue for `source` (or move its booking to this venue and time). Refused with a 409
    naming the other use when the time is taken. Call inside the caller's transaction."""
    if ends_at <= starts_at:
        raise DomainError(
            _("The end must come after the start."), code="ends_before_start", fields={"ends_at": "x"}
        )
    locked = lock_venue(by, venue)
    clash = clash_of(locked, starts_at, ends_at, source=source)
    if clash is not None:
        raise clash_error(locked, clash)
    booking, _created = VenueBooking.objects.update_or_create(
        source=source,
        defaults={
            "venue": locked,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "title": title[:200],
            "status": BookingStatus.HELD,
            "series": series,
            "booked_by": by,
            "checked_in_at": None,
        },
    )
    return booking


def venue_release(*, source: str, status: str = BookingStatus.CANCELLED) -> int:
    """Free the time `source` held (cancelled, or released because nobody came)."""
    return VenueBooking.objects.filter(source=source, status=BookingStatus.HELD).update(status=status)


def bookings_for(
    user: Any, *, start: datetime, end: datetime, venue: Venue | None = None, area: Any = None
) -> QuerySet[VenueBooking]:
    """Held bookings in [start, end) of the venues the user may see (the register's scope)."""
    resources = access.scope(user, "resource", "view")
    qs = VenueBooking.objects.filter(
        venue__resource__in=resources, status=BookingStatus.HELD, starts_at__lt=end, ends_at__gt=start
    )
    if venue is not None:
        qs = qs.filter(venue=venue)
    if area is not None:
        from shequ.core.models import subtree_q

        qs = qs.filter(subtree_q(area.path, "venue__resource__area__path"))
    return qs.select_related("venue__resource").order_by("starts_at", "id")
