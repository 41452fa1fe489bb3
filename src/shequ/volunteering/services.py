"""Every write of volunteering. Each checks access, validates, writes and audits in one transaction.
`by=None` is the operator at the command line (the demo). Sign-up and the places of an activity are
decided under a lock on the activity's row, venue bookings under a lock on the venue's row, so that two
concurrent requests cannot both take the last place or the same hour of a room (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log, diff
from shequ.core.crypto import blind_index, encrypt
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.idnumber import id_number_problem, normalise_id_number
from shequ.core.models import Area, AreaKind, AuditAction, User
from shequ.core.workflow import text_value
from shequ.registry import selectors as registry_selectors
from shequ.registry.models import Household, Organisation, OrganisationKind, PoliticalStatus, Resident
from shequ.registry.selectors import COMMUNITY_PATH, SELF_ROLES
from shequ.registry.services import ID_PROBLEMS, check_phone
from shequ.resources import booking
from shequ.resources.models import Venue
from shequ.volunteering.models import (
    TARGET_GROUPS,
    Activity,
    ActivityKind,
    ActivityReport,
    ActivityStatus,
    Attendance,
    CheckMethod,
    Eligibility,
    HoursCorrection,
    HoursStatus,
    OrganiserKind,
    PointEntry,
    PointReason,
    RecordKind,
    Redemption,
    ReportPhoto,
    ServiceHours,
    ServiceRecord,
    Shift,
    SignUp,
    SignUpStatus,
    Team,
    TeamKind,
    TeamLevel,
    Volunteer,
)

PHONE_CONTEXT = "volunteering.volunteer.phone"
ID_CONTEXT = "volunteering.volunteer.id_number"
QR_SALT = "shequ.volunteering.check-in"
# A QR code shown on the organiser's phone is good for this long (the page renews it), so a photo of
# it sent to someone at home stops working.
QR_MAX_AGE = timedelta(minutes=15)
# Check-in opens this long before the start; scans are taken until this long after the end.
CHECK_IN_OPENS = timedelta(minutes=30)
CHECK_OUT_CLOSES = timedelta(hours=2)
# A second scan this soon after checking in is a repeated scan, not a check-out.
REPEAT_SCAN = timedelta(minutes=10)
MAX_CAPACITY = 10_000
MAX_DURATION = timedelta(days=7)
MAX_MINUTES = 24 * 60


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _audit(action: str, by: Any, obj: Any, path: str, changes: dict[str, Any]) -> None:
    """audit_log of {field: [old, new]}, made storable (times as text, records as keys) by diff()."""
    before = {key: pair[0] for key, pair in changes.items()}
    after = {key: pair[1] for key, pair in changes.items()}
    audit_log(action=action, actor=by, obj=obj, area_path=path, changes=diff(before, after))


def _require(by: Any, resource: str, action: str, path: str) -> None:
    if by is not None:
        access.require(by, resource, action, path=path)


# --- volunteers -----------------------------------------------------------------------------------


def _clean_skills(skills: Iterable[str]) -> list[str]:
    out = []
    for skill in skills or ():
        skill = text_value(skill, field="skills", limit=20)
        if skill and skill not in out:
            out.append(skill)
    if len(out) > 20:
        raise DomainError(_("At most 20 skills."), code="too_many", fields={"skills": "many"})
    return out


def volunteer_register(
    *,
    by: Any,
    area: Area,
    resident: Resident | None = None,
    name: str = "",
    phone: str = "",
    id_number: str = "",
    skills: Iterable[str] = (),
    availability: str = "",
    user: User | None = None,
    verify: bool = False,
    now: datetime | None = None,
) -> Volunteer:
    """Register a volunteer in a community or street: a resident of the registry living there, or
    someone from outside with a name and a mobile number (and an ID number for the certificate)."""
    now = _now(now)
    _require(by, "volunteer", "manage", area.path)
    if area.kind not in (AreaKind.STREET, AreaKind.COMMUNITY):
        raise DomainError(
            _("Volunteers are registered in a community or a street."),
            code="area_kind",
            fields={"area": "kind"},
        )
    fields: dict[str, Any] = {
        "skills": _clean_skills(skills),
        "availability": text_value(availability, field="availability", limit=200),
    }
    if resident is not None:
        if by is not None and not access.can(by, "resident", "view", path=resident.area.path):
            raise NotFound()
        if not resident.area.path.startswith(area.path):
            raise DomainError(
                _("The resident does not live in this area."),
                code="resident_area",
                fields={"resident": "area"},
            )
        if resident.status != "active":
            raise DomainError(
                _("Only a person living here can be registered."),
                code="resident_inactive",
                fields={"resident": "inactive"},
            )
        fields["name"] = resident.name
    else:
        fields["name"] = text_value(name, field="name", limit=50, required=True)
        phone = check_phone(phone)
        if not phone:
            raise DomainError(
                _("A volunteer from outside the area needs a mobile number."),
                code="required",
                fields={"phone": "required"},
            )
        fields["phone_encrypted"] = encrypt(phone, context=PHONE_CONTEXT)
        fields["phone_index"] = blind_index(phone, context=PHONE_CONTEXT)
        if id_number:
            id_number = normalise_id_number(id_number)
            problem = id_number_problem(id_number, today=timezone.localdate(now))
            if problem:
                raise DomainError(
                    ID_PROBLEMS[problem], code=f"id_number_{problem}", fields={"id_number": problem}
                )
            fields["id_number_encrypted"] = encrypt(id_number, context=ID_CONTEXT)
            fields["id_last4"] = id_number[-4:]
    if user is not None:
        _check_account(user, area)
    with transaction.atomic():
        if resident is not None and Volunteer.objects.filter(resident=resident).exists():
            raise Conflict(_("This resident is already registered as a volunteer."), code="already_volunteer")
        if user is not None and Volunteer.objects.filter(user=user).exists():
            raise Conflict(_("This account already belongs to a volunteer."), code="account_taken")
        volunteer = Volunteer.objects.create(area=area, resident=resident, user=user, **fields)
        if verify:
            volunteer.verified_at, volunteer.verified_by = now, by
            volunteer.save(update_fields=["verified_at", "verified_by"])
        changes = {
            "name": [None, volunteer.name],
            "resident": [None, resident],
            "user": [None, user],
            "phone": [None, phone or None],
            "verified": [False, verify],
        }
        _audit(AuditAction.CREATE, by, volunteer, area.path, changes)
        return volunteer


def _check_account(user: User, area: Area) -> None:
    """The account must belong to someone who lives or volunteers in the area."""
    related = [
        h
        for h in access.held_roles(user)
        if h.role in ("volunteer", "resident")
        and (h.path.startswith(area.path) or area.path.startswith(h.path))
    ]
    if not related:
        raise DomainError(
            _("Link an account that holds the volunteer or resident role in this area."),
            code="account_area",
            fields={"username": "area"},
        )


def volunteer_verify(*, by: Any, volunteer: Volunteer, now: datetime | None = None) -> Volunteer:
    _require(by, "volunteer", "manage", volunteer.area.path)
    with transaction.atomic():
        current = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if current.verified_at is not None:
            return current
        current.verified_at, current.verified_by = _now(now), by
        current.version += 1
        current.save(update_fields=["verified_at", "verified_by", "version"])
        _audit(AuditAction.UPDATE, by, current, volunteer.area.path, {"verified": [False, True]})
        return current


def home_community(user: Any) -> Area | None:
    """The community in which the signed-in person lives or volunteers (their first such role)."""
    for held in access.held_roles(user):
        if held.role in SELF_ROLES and len(held.path) >= COMMUNITY_PATH:
            return Area.objects.filter(path=held.path[:COMMUNITY_PATH], kind=AreaKind.COMMUNITY).first()
    return None


def volunteer_register_self(
    *,
    by: Any,
    skills: Iterable[str] = (),
    availability: str = "",
    name: str = "",
    phone: str = "",
    now: datetime | None = None,
) -> Volunteer:
    """A signed-in resident registers themselves as a volunteer of their community, linked to their
    account and, when it is found for sure, to their registry record (whose name is used: nothing is
    typed twice). The record waits for a social worker to verify it (volunteer_verify)."""
    now = _now(now)
    community = home_community(by)
    if community is None:
        raise Forbidden(
            _(
                "Only a resident with an account of their community can register here. Ask your"
                " community's social worker to register you."
            ),
            code="not_resident",
        )
    resident = registry_selectors.resident_on_account(by, recognise=True)
    fields: dict[str, Any] = {
        "skills": _clean_skills(skills),
        "availability": text_value(availability, field="availability", limit=200),
    }
    if resident is not None:
        fields["name"] = resident.name
    else:
        fields["name"] = text_value(
            name or getattr(by, "display_name", ""), field="name", limit=50, required=True
        )
        phone = check_phone(phone)
        if not phone:
            raise DomainError(
                _("Enter your mobile number so that the organisers can reach you."),
                code="required",
                fields={"phone": "required"},
            )
        fields["phone_encrypted"] = encrypt(phone, context=PHONE_CONTEXT)
        fields["phone_index"] = blind_index(phone, context=PHONE_CONTEXT)
    with transaction.atomic():
        if Volunteer.objects.filter(user=by).exists():
            raise Conflict(_("You are already registered as a volunteer."), code="already_volunteer")
        if resident is not None and Volunteer.objects.filter(resident=resident).exists():
            raise Conflict(
                _(
                    "You are already registered as a volunteer. Ask your community's social worker to link"
                    " your account to that record."
                ),
                code="already_volunteer",
            )
        volunteer = Volunteer.objects.create(area=community, resident=resident, user=by, **fields)
        _audit(
            AuditAction.CREATE,
            by,
            volunteer,
            community.path,
            {
                "name": [None, volunteer.name],
                "resident": [None, resident],
                "user": [None, by],
                "self_registered": [None, True],
            },
        )
        return volunteer


def volunteer_link_account(*, by: Any, volunteer: Volunteer, user: User) -> Volunteer:
    _require(by, "volunteer", "manage", volunteer.area.path)
    _check_account(user, volunteer.area)
    with transaction.atomic():
        current = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if Volunteer.objects.filter(user=user).exclude(pk=current.pk).exists():
            raise Conflict(_("This account already belongs to a volunteer."), code="account_taken")
        before = current.user_id
        current.user = user
        current.version += 1
        current.save(update_fields=["user", "version"])
        _audit(AuditAction.UPDATE, by, current, volunteer.area.path, {"user": [before, user.pk]})
        return current


# --- teams ----------------------------------------------------------------------------------------


def team_create(
    *,
    by: Any,
    area: Area,
    name: str,
    kind: str,
    level: str,
    organisation: Organisation | None = None,
    leader: Volunteer | None = None,
) -> Team:
    """A volunteer team at street or community level, or of a social organisation (三级联盟)."""
    _require(by, "team", "manage", area.path)
    name = text_value(name, field="name", limit=100, required=True)
    if kind not in TeamKind.values:
        raise DomainError(_("Choose the kind of team."), code="kind_invalid", fields={"kind": "invalid"})
    if level not in TeamLevel.values:
        raise DomainError(
            _("Choose the level of the team."), code="level_invalid", fields={"level": "invalid"}
        )
    expected = {TeamLevel.STREET: AreaKind.STREET, TeamLevel.COMMUNITY: AreaKind.COMMUNITY}.get(
        TeamLevel(level)
    )
    if expected is not None and area.kind != expected:
        raise DomainError(
            _("A street team belongs to a street, a community team to a community."),
            code="level_area",
            fields={"level": "area"},
        )
    if level == TeamLevel.SOCIAL_ORGANISATION and (
        organisation is None or organisation.kind != OrganisationKind.SOCIAL_ORGANISATION
    ):
        raise DomainError(
            _("Choose the social organisation the team belongs to."),
            code="organisation_required",
            fields={"organisation": "required"},
        )
    if organisation is not None:
        _visible_organisation(by, organisation, area)
    if leader is not None:
        _team_volunteer(by, leader, area)
    with transaction.atomic():
        team = Team.objects.create(
            area=area, name=name, kind=kind, level=level, organisation=organisation, leader=leader
        )
        if leader is not None:
            team.members.add(leader)
        _audit(
            AuditAction.CREATE, by, team, area.path, diff({}, {"name": name, "kind": kind, "level": level})
        )
        return team


def _visible_organisation(by: Any, organisation: Organisation, area: Area) -> None:
    path = organisation.area.path
    if by is not None and not access.can(by, "organisation", "view", path=path):
        raise NotFound()
    if not (path.startswith(area.path) or area.path.startswith(path)):
        raise DomainError(
            _("The organisation does not belong to this area."),
            code="organisation_area",
            fields={"organisation": "area"},
        )


def _team_volunteer(by: Any, volunteer: Volunteer, area: Area) -> None:
    path = volunteer.area.path
    if by is not None and not access.can(by, "volunteer", "view", path=path):
        raise NotFound()
    if not (path.startswith(area.path) or area.path.startswith(path)):
        raise DomainError(
            _("The volunteer is registered in another area."),
            code="volunteer_area",
            fields={"volunteer": "area"},
        )


def team_add_member(*, by: Any, team: Team, volunteer: Volunteer, leader: bool = False) -> Team:
    _require(by, "team", "manage", team.area.path)
    _team_volunteer(by, volunteer, team.area)
    with transaction.atomic():
        current = Team.objects.select_for_update().get(pk=team.pk)
        current.members.add(volunteer)
        changes: dict[str, Any] = {"members": [None, volunteer.pk]}
        if leader:
            changes["leader"] = [current.leader_id, volunteer.pk]
            current.leader = volunteer
        current.version += 1
        current.save(update_fields=["leader", "version"])
        _audit(AuditAction.UPDATE, by, current, team.area.path, changes)
        return current


def team_remove_member(*, by: Any, team: Team, volunteer: Volunteer) -> Team:
    _require(by, "team", "manage", team.area.path)
    with transaction.atomic():
        current = Team.objects.select_for_update().get(pk=team.pk)
        current.members.remove(volunteer)
        if current.leader_id == volunteer.pk:
            current.leader = None
        current.version += 1
        current.save(update_fields=["leader", "version"])
        _audit(AuditAction.UPDATE, by, current, team.area.path, {"members": [volunteer.pk, None]})
        return current


# --- activities -----------------------------------------------------------------------------------


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


def _locked_activity(activity: Activity, version: int | None = None) -> Activity:
    current = Activity.objects.select_for_update(of=("self",)).select_related("area").get(pk=activity.pk)
    if version is not None and current.version != version:
        raise Conflict()
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


# --- sign-up --------------------------------------------------------------------------------------


def _volunteer_of(user: Any) -> Volunteer:
    pk = getattr(user, "pk", None)
    volunteer = (
        Volunteer.objects.select_related("resident", "area").filter(user_id=pk).first() if pk else None
    )
    if volunteer is None:
        raise DomainError(
            _("You are not registered as a volunteer yet. Ask your community's social worker."),
            code="not_volunteer",
        )
    return volunteer


def _check_eligible(activity: Activity, volunteer: Volunteer) -> None:
    political = volunteer.resident.political_status if volunteer.resident is not None else None
    if activity.eligibility == Eligibility.VERIFIED and not volunteer.is_verified:
        raise DomainError(
            _("Only verified volunteers may sign up; your registration is not verified yet."),
            code="not_verified",
        )
    if activity.eligibility == Eligibility.LEAGUE_MEMBERS and political != PoliticalStatus.LEAGUE_MEMBER:
        raise DomainError(_("This activity is for youth-league members."), code="not_league_member")
    if activity.eligibility == Eligibility.PARTY_MEMBERS and political not in (
        PoliticalStatus.PARTY_MEMBER,
        PoliticalStatus.ACTIVIST,
    ):
        raise DomainError(_("This activity is for party members and activists."), code="not_party_member")


def signup_create(
    *,
    by: Any,
    activity: Activity,
    volunteer: Volunteer | None = None,
    shift: Shift | None = None,
    now: datetime | None = None,
) -> SignUp:
    """Sign up for a published activity: a confirmed place while places are left, else a place on the
    waiting list. Without `volunteer` it is the signed-in volunteer; an organiser may sign up others."""
    from shequ.volunteering.selectors import activity_visible

    now = _now(now)
    if volunteer is None:
        volunteer = _volunteer_of(by)
    elif by is not None:
        access.require(by, "activity", "manage", path=activity.area.path)
        _team_volunteer(by, volunteer, activity.area)
    if by is not None and not activity_visible(by, activity):
        raise NotFound()
    if shift is not None and shift.activity_id != activity.pk:
        raise NotFound()
    with transaction.atomic():
        current = _locked_activity(activity)
        if current.status != ActivityStatus.PUBLISHED:
            raise DomainError(_("This activity is not open for sign-up."), code="not_open")
        if now >= current.starts_at:
            raise DomainError(_("Sign-up closed when the activity started."), code="started")
        if current.shifts.exists() and shift is None:
            raise DomainError(_("Choose a shift."), code="shift_required", fields={"shift": "required"})
        _check_eligible(current, volunteer)
        if (
            SignUp.objects.filter(activity=current, volunteer=volunteer)
            .exclude(status=SignUpStatus.CANCELLED)
            .exists()
        ):
            raise Conflict(_("You have already signed up for this activity."), code="already_signed_up")
        limit = shift.capacity if shift is not None else current.capacity
        taken = SignUp.objects.filter(activity=current, shift=shift, status=SignUpStatus.CONFIRMED).count()
        status = SignUpStatus.CONFIRMED if taken < limit else SignUpStatus.WAITLISTED
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(
                    activity=current,
                    volunteer=volunteer,
                    shift=shift,
                    status=status,
                    created_at=now,
                    confirmed_at=now if status == SignUpStatus.CONFIRMED else None,
                )
        except IntegrityError:
            raise Conflict(
                _("You have already signed up for this activity."), code="already_signed_up"
            ) from None
        _audit(
            AuditAction.CREATE,
            by,
            signup,
            current.area.path,
            {"activity": [None, current.pk], "volunteer": [None, volunteer.pk], "status": [None, status]},
        )
        return signup


def signup_cancel(*, by: Any, signup: SignUp, now: datetime | None = None) -> SignUp:
    """Cancel a sign-up: the volunteer before the activity's deadline, the organiser at any time before
    it ends. A freed place goes to the first on the waiting list."""
    now = _now(now)
    activity = signup.activity
    own = by is None or signup.volunteer.user_id == by.pk
    if not own:
        access.require(by, "activity", "manage", path=activity.area.path)
    with transaction.atomic():
        current_activity = _locked_activity(activity)
        current = SignUp.objects.select_for_update().get(pk=signup.pk)
        if current.status == SignUpStatus.CANCELLED:
            raise DomainError(_("This sign-up is already cancelled."), code="already_cancelled")
        if current_activity.status not in (ActivityStatus.PUBLISHED, ActivityStatus.DRAFT):
            raise DomainError(_("The activity is closed; its sign-ups stay as they are."), code="closed")
        if Attendance.objects.filter(signup=current).exists():
            raise DomainError(_("Someone who has checked in cannot cancel."), code="checked_in")
        organiser = by is not None and access.can(by, "activity", "manage", path=current_activity.area.path)
        if own and not organiser and now > current_activity.cancel_deadline:
            raise DomainError(
                _("Sign-ups could be cancelled until %(time)s. Please tell the organiser you cannot come.")
                % {"time": _local(current_activity.cancel_deadline)},
                code="cancel_deadline",
            )
        was = current.status
        current.status, current.cancelled_at, current.cancelled_by = SignUpStatus.CANCELLED, now, by
        current.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _audit(AuditAction.UPDATE, by, current, current_activity.area.path, {"status": [was, current.status]})
        if was == SignUpStatus.CONFIRMED:
            _promote_next(by, current_activity, current.shift_id, now)
        return current


def _promote_next(by: Any, activity: Activity, shift_id: int | None, now: datetime) -> SignUp | None:
    following = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, shift=shift_id, status=SignUpStatus.WAITLISTED)
        .order_by("created_at", "id")
        .first()
    )
    if following is None:
        return None
    following.status, following.confirmed_at = SignUpStatus.CONFIRMED, now
    following.save(update_fields=["status", "confirmed_at"])
    _audit(
        AuditAction.UPDATE,
        by,
        following,
        activity.area.path,
        {"status": [SignUpStatus.WAITLISTED, SignUpStatus.CONFIRMED]},
    )
    return following


# --- attendance -----------------------------------------------------------------------------------


def qr_token(activity: Activity) -> str:
    """The signed, time-stamped token in the activity's QR code (renewed by the QR page)."""
    return signing.dumps({"a": activity.pk}, salt=QR_SALT, compress=True)


def activity_of_token(token: str, *, now: datetime | None = None) -> int:
    """The activity id in a scanned token, or a clear refusal when it is forged or too old."""
    try:
        data = signing.loads(token, salt=QR_SALT, max_age=QR_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            _("This QR code has expired. Scan the code the organiser shows now."), code="qr_expired"
        ) from None
    except signing.BadSignature:
        raise DomainError(_("This is not a check-in code of this site."), code="qr_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        raise DomainError(_("This is not a check-in code of this site."), code="qr_invalid")
    return int(data["a"])


def _window_of(signup: SignUp, activity: Activity) -> tuple[datetime, datetime]:
    if signup.shift is not None:
        return signup.shift.starts_at, signup.shift.ends_at
    return activity.starts_at, activity.ends_at


def _hours_from(attendance: Attendance, activity: Activity) -> ServiceHours:
    """Minutes served: from check-in to check-out, counted within the activity's (or shift's) time."""
    start, end = _window_of(attendance.signup, activity)
    assert attendance.checked_out_at is not None
    begin = max(attendance.checked_in_at, start)
    finish = min(attendance.checked_out_at, end)
    minutes = max(0, int((finish - begin).total_seconds() // 60))
    hours, created = ServiceHours.objects.get_or_create(
        signup=attendance.signup,
        defaults={
            "volunteer_id": attendance.signup.volunteer_id,
            "activity": activity,
            "served_on": timezone.localdate(start),
            "computed_minutes": minutes,
            "minutes": minutes,
        },
    )
    if not created and hours.status == HoursStatus.PENDING and not hours.corrections.exists():
        hours.computed_minutes = hours.minutes = minutes
        hours.save(update_fields=["computed_minutes", "minutes"])
    return hours


class AlreadyDone(DomainError):
    """A repeated scan: nothing changed, and the answer says what was recorded before."""

    status = 409
    code = "already_checked_in"


@dataclass(frozen=True)
class ScanResult:
    action: str  # "checked_in" or "checked_out"
    activity: Activity
    attendance: Attendance
    hours: ServiceHours | None = None


def attendance_scan(*, by: Any, token: str, now: datetime | None = None) -> ScanResult:
    """The signed-in volunteer scanned the activity's code: the first scan checks in, a later one checks
    out. Each refusal says why in words a volunteer understands."""
    from shequ.volunteering.selectors import activity_visible

    now = _now(now)
    activity_id = activity_of_token(token)
    activity = Activity.objects.select_related("area").filter(pk=activity_id).first()
    if activity is None or not activity_visible(by, activity):
        raise NotFound()
    volunteer = _volunteer_of(by)
    with transaction.atomic():
        signup = (
            SignUp.objects.select_for_update(of=("self",))
            .select_related("shift", "activity__area")
            .filter(activity=activity, volunteer=volunteer)
            .exclude(status=SignUpStatus.CANCELLED)
            .first()
        )
        if signup is None:
            raise DomainError(
                _("You have not signed up for “%(title)s”, so you cannot check in.")
                % {"title": activity.title},
                code="not_signed_up",
            )
        if signup.status == SignUpStatus.WAITLISTED:
            raise DomainError(
                _("You are on the waiting list and have no place yet, so you cannot check in."),
                code="waitlisted",
            )
        if activity.status == ActivityStatus.CANCELLED:
            raise DomainError(_("This activity was cancelled."), code="cancelled")
        if activity.status != ActivityStatus.PUBLISHED:
            raise DomainError(_("This activity is closed."), code="closed")
        start, end = _window_of(signup, activity)
        attendance = Attendance.objects.filter(signup=signup).first()
        if attendance is None:
            if now < start - CHECK_IN_OPENS:
                raise DomainError(
                    _("Check-in has not opened yet: it opens 30 minutes before the start, at %(time)s.")
                    % {"time": _local(start - CHECK_IN_OPENS)},
                    code="too_early",
                )
            if now > end:
                raise DomainError(
                    _("The activity ended at %(time)s; check-in is closed.") % {"time": _local(end)},
                    code="too_late",
                )
            attendance = Attendance.objects.create(
                signup=signup, checked_in_at=now, checked_in_via=CheckMethod.QR, checked_in_by=by
            )
            _audit(AuditAction.CREATE, by, attendance, activity.area.path, {"checked_in_at": [None, now]})
            return ScanResult("checked_in", activity, attendance)
        if attendance.checked_out_at is not None:
            raise AlreadyDone(
                _("You checked out at %(time)s; your attendance is complete.")
                % {"time": _local(attendance.checked_out_at)},
                code="already_checked_out",
            )
        if now - attendance.checked_in_at < REPEAT_SCAN:
            raise AlreadyDone(
                _("You already checked in at %(time)s. Scan again when you leave to check out.")
                % {"time": _local(attendance.checked_in_at)}
            )
        if now > end + CHECK_OUT_CLOSES:
            raise DomainError(
                _("Check-out closed 2 hours after the end. Ask the organiser to record your time."),
                code="too_late",
            )
        attendance.checked_out_at, attendance.checked_out_via, attendance.checked_out_by = (
            now,
            CheckMethod.QR,
            by,
        )
        attendance.save(update_fields=["checked_out_at", "checked_out_via", "checked_out_by"])
        hours = _hours_from(attendance, activity)
        _audit(AuditAction.UPDATE, by, attendance, activity.area.path, {"checked_out_at": [None, now]})
        return ScanResult("checked_out", activity, attendance, hours)


def attendance_check_in(
    *, by: Any, signup: SignUp, at: datetime | None = None, now: datetime | None = None
) -> Attendance:
    """The organiser checks someone in from the list (e.g. a volunteer without a phone). `at` is when
    they arrived, if not now."""
    now = _now(now)
    at = at or now
    activity = signup.activity
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        current = SignUp.objects.select_for_update(of=("self",)).select_related("shift").get(pk=signup.pk)
        if current.status != SignUpStatus.CONFIRMED:
            raise DomainError(
                _("Only someone with a confirmed place can be checked in."), code="not_confirmed"
            )
        if activity.status != ActivityStatus.PUBLISHED:
            raise DomainError(_("This activity is closed."), code="closed")
        start, end = _window_of(current, activity)
        if at < start - CHECK_IN_OPENS or at > now or at > end:
            raise DomainError(
                _("The arrival time must lie between 30 minutes before the start and the end."),
                code="time_outside",
                fields={"at": "outside"},
            )
        if Attendance.objects.filter(signup=current).exists():
            raise AlreadyDone(_("This person has already checked in."))
        attendance = Attendance.objects.create(
            signup=current, checked_in_at=at, checked_in_via=CheckMethod.ORGANISER, checked_in_by=by
        )
        _audit(AuditAction.CREATE, by, attendance, activity.area.path, {"checked_in_at": [None, at]})
        return attendance


def attendance_check_out(
    *, by: Any, signup: SignUp, at: datetime | None = None, now: datetime | None = None
) -> ServiceHours:
    now = _now(now)
    at = at or now
    activity = signup.activity
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update(of=("self",))
            .select_related("signup__shift")
            .filter(signup=signup)
            .first()
        )
        if attendance is None:
            raise DomainError(_("This person has not checked in."), code="not_checked_in")
        if attendance.checked_out_at is not None:
            raise AlreadyDone(_("This person has already checked out."), code="already_checked_out")
        if at < attendance.checked_in_at or at > now:
            raise DomainError(
                _("The leaving time must lie after the check-in and not in the future."),
                code="time_outside",
                fields={"at": "outside"},
            )
        attendance.checked_out_at, attendance.checked_out_via, attendance.checked_out_by = (
            at,
            CheckMethod.ORGANISER,
            by,
        )
        attendance.save(update_fields=["checked_out_at", "checked_out_via", "checked_out_by"])
        hours = _hours_from(attendance, activity)
        _audit(AuditAction.UPDATE, by, attendance, activity.area.path, {"checked_out_at": [None, at]})
        return hours


# --- hours and points -----------------------------------------------------------------------------


def points_for(minutes: int) -> int:
    return minutes * settings.VOLUNTEER_POINTS_PER_HOUR // 60


def hours_confirm(*, by: Any, hours: ServiceHours, now: datetime | None = None) -> ServiceHours:
    """The organiser confirms the hours: they count from now on, and earn points."""
    now = _now(now)
    activity = hours.activity
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        current = ServiceHours.objects.select_for_update().get(pk=hours.pk)
        if current.status == HoursStatus.CONFIRMED:
            return current
        current.status, current.confirmed_by, current.confirmed_at = HoursStatus.CONFIRMED, by, now
        current.version += 1
        current.save(update_fields=["status", "confirmed_by", "confirmed_at", "version"])
        points = points_for(current.minutes)
        if points:
            PointEntry.objects.create(
                volunteer_id=current.volunteer_id,
                points=points,
                reason=PointReason.HOURS,
                hours=current,
                at=now,
            )
        _audit(
            AuditAction.UPDATE,
            by,
            current,
            activity.area.path,
            {"status": [HoursStatus.PENDING, HoursStatus.CONFIRMED], "points": [0, points]},
        )
        return current


def hours_confirm_all(*, by: Any, activity: Activity, now: datetime | None = None) -> int:
    """Confirm every pending entry of the activity; returns how many."""
    _require(by, "activity", "manage", activity.area.path)
    with transaction.atomic():
        pending = list(ServiceHours.objects.filter(activity=activity, status=HoursStatus.PENDING))
        for hours in pending:
            hours_confirm(by=by, hours=hours, now=now)
        return len(pending)


def hours_correct(
    *, by: Any, hours: ServiceHours, version: int, minutes: int, reason: str, now: datetime | None = None
) -> ServiceHours:
    """Change the counted minutes, recording who, when, why and from what; confirmed hours move the
    points by the difference."""
    now = _now(now)
    activity = hours.activity
    _require(by, "activity", "manage", activity.area.path)
    reason = text_value(reason, field="reason", limit=200, required=True)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = -1
    if not 0 <= minutes <= MAX_MINUTES:
        raise DomainError(
            _("Minutes must be between 0 and %(n)d.") % {"n": MAX_MINUTES},
            code="minutes_invalid",
            fields={"minutes": "invalid"},
        )
    with transaction.atomic():
        current = ServiceHours.objects.select_for_update().get(pk=hours.pk)
        if current.version != version:
            raise Conflict()
        before = current.minutes
        if before == minutes:
            return current
        HoursCorrection.objects.create(
            hours=current,
            minutes_before=before,
            minutes_after=minutes,
            reason=reason,
            by=by,
            by_name=str(by) if by is not None else "",
            at=now,
        )
        current.minutes = minutes
        current.version += 1
        current.save(update_fields=["minutes", "version"])
        delta = points_for(minutes) - points_for(before)
        if current.status == HoursStatus.CONFIRMED and delta:
            PointEntry.objects.create(
                volunteer_id=current.volunteer_id,
                points=delta,
                reason=PointReason.CORRECTION,
                hours=current,
                at=now,
            )
        _audit(
            AuditAction.UPDATE,
            by,
            current,
            activity.area.path,
            {"minutes": [before, minutes], "reason": [None, reason]},
        )
        return current


def points_balance(volunteer: Volunteer) -> int:
    return PointEntry.objects.filter(volunteer=volunteer).aggregate(total=Sum("points"))["total"] or 0


def points_redeem(
    *, by: Any, volunteer: Volunteer, item: str, points: int, now: datetime | None = None
) -> Redemption:
    """Record a reward given for points; the balance may not go below zero."""
    now = _now(now)
    _require(by, "volunteer", "manage", volunteer.area.path)
    item = text_value(item, field="item", limit=100, required=True)
    try:
        points = int(points)
    except (TypeError, ValueError):
        points = 0
    if points <= 0:
        raise DomainError(_("Enter the points spent."), code="points_invalid", fields={"points": "invalid"})
    with transaction.atomic():
        current = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        balance = points_balance(current)
        if points > balance:
            raise DomainError(
                _("Only %(n)d points are left.") % {"n": balance},
                code="points_short",
                fields={"points": "short"},
            )
        redemption = Redemption.objects.create(
            volunteer=current, item=item, points=points, recorded_by=by, at=now
        )
        PointEntry.objects.create(
            volunteer=current, points=-points, reason=PointReason.REDEMPTION, redemption=redemption, at=now
        )
        _audit(
            AuditAction.CREATE,
            by,
            redemption,
            volunteer.area.path,
            {"item": [None, item], "points": [None, points]},
        )
        return redemption


# --- after the activity ---------------------------------------------------------------------------


def report_save(
    *,
    by: Any,
    activity: Activity,
    text: str,
    photos: Iterable[Any] = (),
    version: int | None = None,
    now: datetime | None = None,
) -> ActivityReport:
    """Write or rewrite the activity's short report (简报), with photos (uploads, checked here)."""
    from shequ.core.photos import MAX_PHOTOS, clean_photos

    now = _now(now)
    _require(by, "activity", "manage", activity.area.path)
    text = text_value(text, field="text", limit=4000, required=True)
    cleaned = clean_photos(list(photos))
    with transaction.atomic():
        current = _locked_activity(activity)
        if current.status != ActivityStatus.FINISHED:
            raise DomainError(_("The report is written once the activity is finished."), code="not_finished")
        report = ActivityReport.objects.select_for_update().filter(activity=current).first()
        if report is None:
            report = ActivityReport.objects.create(activity=current, text=text, written_by=by, written_at=now)
            before = ""
        else:
            if version is not None and report.version != version:
                raise Conflict()
            before = report.text
            report.text, report.written_by, report.written_at = text, by, now
            report.version += 1
            report.save()
        if report.photos.count() + len(cleaned) > MAX_PHOTOS:
            raise DomainError(
                _("A report has at most %(n)d photos.") % {"n": MAX_PHOTOS},
                code="photo_count",
                fields={"photos": "n"},
            )
        for photo in cleaned:
            ReportPhoto.objects.create(
                report=report, image=photo.content, width=photo.width, height=photo.height
            )
        _audit(
            AuditAction.UPDATE if before else AuditAction.CREATE,
            by,
            report,
            current.area.path,
            {"text": [before[:50], text[:50]], "photos": [0, len(cleaned)]},
        )
        return report
