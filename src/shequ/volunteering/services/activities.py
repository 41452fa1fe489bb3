"""Activities: creating, editing, publishing, cancelling and finishing them, with their shifts and
the venue booked for them (a lock on the venue's row, so two activities cannot take the same hour).
Over 500 lines for a reason: creating and editing share one set of checks (times, organiser, shifts,
venue, eligibility) that is only right when read together."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log, diff
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import Area, AreaKind, AuditAction
from shequ.core.workflow import text_value
from shequ.registry.models import Household, Organisation, OrganisationKind
from shequ.resources import booking
from shequ.resources.models import Venue
from shequ.volunteering.models import (
    TARGET_GROUPS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    CheckMethod,
    Eligibility,
    OrganiserKind,
    RecordKind,
    ServiceRecord,
    Shift,
    SignUp,
    SignUpStatus,
    Team,
)
from shequ.volunteering.services.attendance import _hours_from, _window_of
from shequ.volunteering.services.common import (
    MAX_CAPACITY,
    MAX_DURATION,
    _audit,
    _locked_activity,
    _now,
    _require,
)
from shequ.volunteering.services.signups import _promote_next
from shequ.volunteering.services.teams import _visible_organisation


@dataclass(frozen=True)
class ShiftPlan:
    name: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


def _capacity(value: Any, *, field: str = "capacity") -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if not 0 < n <= MAX_CAPACITY:
        raise DomainError(
            _("Places must be between 1 and %(n)d.") % {"n": MAX_CAPACITY},
            code="capacity_invalid",
            fields={field: "invalid"},
        )
    return n


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise DomainError(
            _("The end must come after the start."), code="times_order", fields={"ends_at": "order"}
        )
    if ends_at - starts_at > MAX_DURATION:
        raise DomainError(_("An activity lasts at most 7 days."), code="too_long", fields={"ends_at": "long"})


def _organiser_fields(
    by: Any, area: Area, organiser_kind: str, team: Team | None, organisation: Organisation | None
) -> dict[str, Any]:
    if organiser_kind not in OrganiserKind.values:
        raise DomainError(
            _("Choose who organises the activity."), code="organiser_invalid", fields={"organiser_kind": "x"}
        )
    if organiser_kind == OrganiserKind.TEAM:
        if team is None:
            raise DomainError(_("Choose the team."), code="team_required", fields={"team": "required"})
        if by is not None and not access.can(by, "team", "view", path=team.area.path):
            raise NotFound()
        return {"team": team, "organisation": None}
    if organiser_kind == OrganiserKind.SOCIAL_WORKER:
        return {"team": None, "organisation": None}
    wanted = {
        OrganiserKind.PARTY_BRANCH: {OrganisationKind.PARTY_BRANCH},
        OrganiserKind.LEAGUE_BRANCH: {OrganisationKind.LEAGUE_BRANCH},
        OrganiserKind.ORGANISATION: {OrganisationKind.SOCIAL_ORGANISATION, OrganisationKind.UNIT},
    }[OrganiserKind(organiser_kind)]
    if organisation is None or organisation.kind not in wanted:
        raise DomainError(
            _("Choose the organising branch or organisation."),
            code="organisation_required",
            fields={"organisation": "required"},
        )
    _visible_organisation(by, organisation, area)
    return {"team": None, "organisation": organisation}


def _activity_source(pk: int) -> str:
    return f"volunteering.activity:{pk}"


def _book_venue(by: Any, venue: Venue, starts_at: datetime, ends_at: datetime, exclude: int | None) -> Venue:
    """Lock the venue's row and refuse a time its one calendar already holds for anything else (an
    activity, a meeting, a class). Inside the caller's transaction; the booking itself is written by
    `_hold_venue` once the activity is saved."""
    locked = booking.lock_venue(by, venue)
    clash = booking.clash_of(
        locked, starts_at, ends_at, source=_activity_source(exclude) if exclude is not None else ""
    )
    if clash is not None:
        raise booking.clash_error(locked, clash)
    return locked


def _hold_venue(by: Any, activity: Activity) -> None:
    """The activity's booking in the venue's calendar follows its venue and time."""
    source = _activity_source(activity.pk)
    if activity.venue is None:
        booking.venue_release(source=source)
        return
    booking.venue_book(
        by=by,
        venue=activity.venue,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        source=source,
        title=activity.title,
    )


def activity_create(
    *,
    by: Any,
    area: Area,
    title: str,
    kind: str,
    organiser_kind: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    description: str = "",
    team: Team | None = None,
    organisation: Organisation | None = None,
    venue: Venue | None = None,
    place: str = "",
    target_groups: Iterable[str] = (),
    eligibility: str = Eligibility.VERIFIED,
    cancel_deadline: datetime | None = None,
    shifts: Sequence[ShiftPlan] = (),
    now: datetime | None = None,
) -> Activity:
    """A new activity (a draft until published). With a venue the time is booked at once."""
    now = _now(now)
    _require(by, "activity", "manage", area.path)
    if area.kind == AreaKind.DISTRICT:
        raise DomainError(
            _("Choose the street, community, grid or building of the activity."),
            code="area_kind",
            fields={"area": "kind"},
        )
    title = text_value(title, field="title", limit=100, required=True)
    if kind not in ActivityKind.values:
        raise DomainError(_("Choose the kind of activity."), code="kind_invalid", fields={"kind": "invalid"})
    if eligibility not in Eligibility.values:
        raise DomainError(
            _("Choose who may sign up."), code="eligibility_invalid", fields={"eligibility": "x"}
        )
    _check_times(starts_at, ends_at)
    if starts_at <= now:
        raise DomainError(
            _("The activity must start in the future."), code="starts_past", fields={"starts_at": "past"}
        )
    groups = list(dict.fromkeys(target_groups or ()))
    if any(g not in TARGET_GROUPS for g in groups):
        raise DomainError(
            _("Choose target groups from the list."), code="groups_invalid", fields={"target_groups": "x"}
        )
    if cancel_deadline is None:
        cancel_deadline = max(now, starts_at - timedelta(hours=settings.VOLUNTEER_CANCEL_HOURS))
    if cancel_deadline > starts_at:
        raise DomainError(
            _("Cancelling must close before the activity starts."),
            code="cancel_deadline",
            fields={"cancel_deadline": "late"},
        )
    capacity = _capacity(capacity)
    plans = list(shifts)
    for plan in plans:
        text_value(plan.name, field="shifts", limit=50, required=True)
        _check_times(plan.starts_at, plan.ends_at)
        if plan.starts_at < starts_at or plan.ends_at > ends_at:
            raise DomainError(
                _("Each shift lies within the activity's time."),
                code="shift_times",
                fields={"shifts": "times"},
            )
        _capacity(plan.capacity, field="shifts")
    if plans:
        capacity = sum(p.capacity for p in plans)
    organiser = _organiser_fields(by, area, organiser_kind, team, organisation)
    with transaction.atomic():
        if venue is not None:
            venue = _book_venue(by, venue, starts_at, ends_at, exclude=None)
            largest = max((p.capacity for p in plans), default=capacity)
            if largest > venue.capacity:
                raise DomainError(
                    _("%(venue)s holds %(n)d people.") % {"venue": venue.resource.name, "n": venue.capacity},
                    code="venue_capacity",
                    fields={"capacity": "venue"},
                )
        activity = Activity.objects.create(
            area=area,
            title=title,
            description=text_value(description, field="description", limit=4000),
            kind=kind,
            organiser_kind=organiser_kind,
            organiser=by,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=venue,
            place=text_value(place, field="place", limit=200),
            capacity=capacity,
            cancel_deadline=cancel_deadline,
            target_groups=groups,
            eligibility=eligibility,
            created_by=by,
            **organiser,
        )
        if venue is not None:
            _hold_venue(by, activity)
        for plan in plans:
            Shift.objects.create(
                activity=activity,
                name=plan.name.strip(),
                starts_at=plan.starts_at,
                ends_at=plan.ends_at,
                capacity=plan.capacity,
            )
        changes = diff(
            {},
            {
                "title": title,
                "kind": kind,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "venue": venue,
                "capacity": capacity,
            },
        )
        _audit(AuditAction.CREATE, by, activity, area.path, changes)
        return activity


# What an organiser may change on an activity after creating it (who organises it stays).
EDITABLE = (
    "title",
    "description",
    "kind",
    "starts_at",
    "ends_at",
    "venue",
    "place",
    "capacity",
    "cancel_deadline",
    "target_groups",
    "eligibility",
)


def activity_update(
    *, by: Any, activity: Activity, version: int, now: datetime | None = None, **changes: Any
) -> Activity:
    """Change a draft or published activity (title, time, venue, places, …) under the same rules as
    when it was created: the venue is booked again for the new time (never double-booked), places
    cannot fall below the confirmed sign-ups, and raising them gives the freed places to the waiting
    list in order. A stale `version` is refused (409)."""
    now = _now(now)
    _require(by, "activity", "manage", activity.area.path)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="not_editable",
        )
    with transaction.atomic():
        current = _locked_activity(activity, version)
        if current.status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
            raise DomainError(
                _("A finished or cancelled activity can no longer be changed."), code="not_open"
            )
        new: dict[str, Any] = {}
        if "title" in changes:
            new["title"] = text_value(changes["title"], field="title", limit=100, required=True)
        if "description" in changes:
            new["description"] = text_value(changes["description"], field="description", limit=4000)
        if "place" in changes:
            new["place"] = text_value(changes["place"], field="place", limit=200)
        if "kind" in changes:
            if changes["kind"] not in ActivityKind.values:
                raise DomainError(
                    _("Choose the kind of activity."), code="kind_invalid", fields={"kind": "invalid"}
                )
            new["kind"] = changes["kind"]
        if "eligibility" in changes:
            if changes["eligibility"] not in Eligibility.values:
                raise DomainError(
                    _("Choose who may sign up."), code="eligibility_invalid", fields={"eligibility": "x"}
                )
            new["eligibility"] = changes["eligibility"]
        if "target_groups" in changes:
            groups = list(dict.fromkeys(changes["target_groups"] or ()))
            if any(g not in TARGET_GROUPS for g in groups):
                raise DomainError(
                    _("Choose target groups from the list."),
                    code="groups_invalid",
                    fields={"target_groups": "x"},
                )
            new["target_groups"] = groups
        starts_at = changes.get("starts_at") or current.starts_at
        ends_at = changes.get("ends_at") or current.ends_at
        moved = starts_at != current.starts_at or ends_at != current.ends_at
        if moved:
            if current.starts_at <= now:
                raise DomainError(
                    _("The activity has started; its time can no longer be changed."),
                    code="started",
                    fields={"starts_at": "started"},
                )
            _check_times(starts_at, ends_at)
            if starts_at <= now:
                raise DomainError(
                    _("The activity must start in the future."),
                    code="starts_past",
                    fields={"starts_at": "past"},
                )
            shifts = list(current.shifts.all())
            if any(s.starts_at < starts_at or s.ends_at > ends_at for s in shifts):
                raise DomainError(
                    _("Each shift lies within the activity's time."),
                    code="shift_times",
                    fields={"ends_at": "shifts"},
                )
            new["starts_at"], new["ends_at"] = starts_at, ends_at
        deadline = changes.get("cancel_deadline") or current.cancel_deadline
        if changes.get("cancel_deadline") is None and deadline > starts_at:
            deadline = max(now, starts_at - timedelta(hours=settings.VOLUNTEER_CANCEL_HOURS))
        if deadline > starts_at:
            raise DomainError(
                _("Cancelling must close before the activity starts."),
                code="cancel_deadline",
                fields={"cancel_deadline": "late"},
            )
        if deadline != current.cancel_deadline:
            new["cancel_deadline"] = deadline
        capacity = current.capacity
        if "capacity" in changes and changes["capacity"] is not None:
            capacity = _capacity(changes["capacity"])
            if capacity != current.capacity and current.shifts.exists():
                raise DomainError(
                    _("The places of an activity with shifts are those of its shifts."),
                    code="capacity_shifts",
                    fields={"capacity": "shifts"},
                )
            confirmed = SignUp.objects.filter(activity=current, status=SignUpStatus.CONFIRMED).count()
            if capacity < confirmed:
                raise DomainError(
                    _(
                        "%(n)d people already have a confirmed place, so the places cannot be fewer than"
                        " %(n)d. Cancel sign-ups first if fewer people may come."
                    )
                    % {"n": confirmed},
                    code="capacity_below_confirmed",
                    fields={"capacity": "below_confirmed"},
                )
            new["capacity"] = capacity
        venue = changes.get("venue", current.venue)
        if venue is not None and (moved or ("venue" in changes and venue.pk != current.venue_id)):
            venue = _book_venue(by, venue, starts_at, ends_at, exclude=current.pk)
        if venue is not None and ("venue" in changes or "capacity" in new):
            shifts_places = [s.capacity for s in current.shifts.all()]
            largest = max(shifts_places, default=capacity)
            locked = Venue.objects.select_related("resource").get(pk=venue.pk)
            if largest > locked.capacity:
                raise DomainError(
                    _("%(venue)s holds %(n)d people.")
                    % {"venue": locked.resource.name, "n": locked.capacity},
                    code="venue_capacity",
                    fields={"capacity": "venue"},
                )
        if "venue" in changes and (venue.pk if venue else None) != current.venue_id:
            new["venue"] = venue
        before = {key: getattr(current, key) for key in new}
        changed = {key: value for key, value in new.items() if before[key] != value}
        if not changed:
            return current
        for key, value in changed.items():
            setattr(current, key, value)
        current.version += 1
        current.save()
        if {"venue", "starts_at", "ends_at", "title"} & set(changed):
            _hold_venue(by, current)
        _audit(
            AuditAction.UPDATE,
            by,
            current,
            current.area.path,
            {key: [before[key], value] for key, value in changed.items()},
        )
        if "capacity" in changed and current.status == ActivityStatus.PUBLISHED:
            free = (
                current.capacity
                - SignUp.objects.filter(activity=current, shift=None, status=SignUpStatus.CONFIRMED).count()
            )
            for _n in range(max(0, free)):
                if _promote_next(by, current, None, now) is None:
                    break
        return current


def _set_status(by: Any, current: Activity, status: str, **extra: Any) -> Activity:
    before = current.status
    current.status = status
    for key, value in extra.items():
        setattr(current, key, value)
    current.version += 1
    current.save()
    _audit(AuditAction.UPDATE, by, current, current.area.path, {"status": [before, status]})
    return current


def activity_publish(*, by: Any, activity: Activity, version: int, now: datetime | None = None) -> Activity:
    """Publish a draft to the area's residents and volunteers."""
    now = _now(now)
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        current = _locked_activity(activity, version)
        if current.status != ActivityStatus.DRAFT:
            raise DomainError(_("Only a draft can be published."), code="not_draft")
        if current.starts_at <= now:
            raise DomainError(_("The activity has already started."), code="started")
        return _set_status(by, current, ActivityStatus.PUBLISHED, published_at=now)


def activity_cancel(
    *, by: Any, activity: Activity, version: int, reason: str, now: datetime | None = None
) -> Activity:
    """Cancel a draft or published activity; its venue is free again. Sign-ups stay as a record."""
    now = _now(now)
    _require(by, "activity", "manage", activity.area.path)
    reason = text_value(reason, field="reason", limit=200, required=True)
    with transaction.atomic():
        current = _locked_activity(activity, version)
        if current.status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
            raise DomainError(_("A finished or cancelled activity cannot be cancelled."), code="not_open")
        booking.venue_release(source=_activity_source(current.pk))
        return _set_status(by, current, ActivityStatus.CANCELLED, cancelled_at=now, cancel_reason=reason)


def activity_finish(
    *,
    by: Any,
    activity: Activity,
    version: int,
    beneficiary_households: Iterable[Household] = (),
    beneficiary_organisations: Iterable[Organisation] = (),
    participant_organisations: Iterable[Organisation] = (),
    now: datetime | None = None,
) -> Activity:
    """Close a held activity: whoever is still checked in is checked out at the end (or now), their
    hours computed, and the service records written — who took part and who benefited."""
    now = _now(now)
    _require(by, "activity", "manage", activity.area.path)
    households = list(dict.fromkeys(beneficiary_households))
    benefited_units = list(dict.fromkeys(beneficiary_organisations))
    units = list(dict.fromkeys(participant_organisations))
    for household in households:
        if by is not None and not access.can(by, "household", "view", path=household.area.path):
            raise NotFound()
    for org in [*benefited_units, *units]:
        if by is not None and not access.can(by, "organisation", "view", path=org.area.path):
            raise NotFound()
    with transaction.atomic():
        current = _locked_activity(activity, version)
        if current.status != ActivityStatus.PUBLISHED:
            raise DomainError(_("Only a published activity can be finished."), code="not_published")
        if now < current.starts_at:
            raise DomainError(_("The activity has not started yet."), code="not_started")
        open_attendances = Attendance.objects.filter(
            signup__activity=current, checked_out_at__isnull=True
        ).select_related("signup__shift", "signup__volunteer")
        for attendance in open_attendances:
            _start, end = _window_of(attendance.signup, current)
            attendance.checked_out_at = max(attendance.checked_in_at, min(now, end))
            attendance.checked_out_via, attendance.checked_out_by = CheckMethod.ORGANISER, by
            attendance.save(update_fields=["checked_out_at", "checked_out_via", "checked_out_by"])
            _hours_from(attendance, current)
        served_on = timezone.localdate(current.starts_at)
        base = {
            "activity": current,
            "source": f"volunteering.activity:{current.pk}",
            "source_label": current.title[:200],
            "area_id": current.area_id,
            "served_on": served_on,
        }
        records = [
            ServiceRecord(
                kind=RecordKind.PARTICIPANT,
                resident_id=s.volunteer.resident_id,
                volunteer=s.volunteer,
                **base,
            )
            for s in current.signups.filter(attendance__isnull=False).select_related("volunteer")
        ]
        # Residents staff recorded as attending (walk-ins, youths without an account, 1+1+5 groups)
        # take part too; one who also checked in as a volunteer is counted once.
        counted = {r.resident_id for r in records if r.resident_id}
        records += [
            ServiceRecord(kind=RecordKind.PARTICIPANT, resident_id=resident_id, **base)
            for resident_id in current.attendees.values_list("resident_id", flat=True)
            if resident_id not in counted
        ]
        organiser_unit = [current.organisation] if current.organisation is not None else []
        for org in dict.fromkeys([*organiser_unit, *units]):
            records.append(ServiceRecord(kind=RecordKind.PARTICIPANT, organisation=org, **base))
        records += [ServiceRecord(kind=RecordKind.BENEFICIARY, household=h, **base) for h in households]
        records += [
            ServiceRecord(kind=RecordKind.BENEFICIARY, organisation=o, **base) for o in benefited_units
        ]
        ServiceRecord.objects.bulk_create(records)
        current = _set_status(by, current, ActivityStatus.FINISHED, finished_at=now)
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            object_repr=f"{current.title}: {len(records)} service records",
            area_path=current.area.path,
            changes={"service_records": [0, len(records)]},
        )
        return current
