"""Every read of volunteering, for the acting user: starts from the access layer's scope. A volunteer
also reaches their own record and sign-ups, and published activities of the areas above their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.models import Area, subtree_q
from shequ.registry.search import refuse_number
from shequ.registry.services.personal_data import pinyin_of
from shequ.volunteering.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    HoursStatus,
    PointEntry,
    RecordKind,
    ServiceHours,
    ServiceRecord,
    SignUp,
    SignUpStatus,
    Team,
    Volunteer,
)

# China's volunteer star ratings (中国志愿服务联合会): cumulative confirmed hours for one to five stars.
STAR_HOURS = (100, 300, 600, 1000, 1500)


def volunteer_of(user: Any) -> Volunteer | None:
    """The signed-in person's own volunteer record, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.select_related("area", "resident").filter(user_id=user.pk).first()


def volunteers_for(
    user: Any, *, area: Area | None = None, q: str = "", verified: bool | None = None
) -> QuerySet[Volunteer]:
    qs = access.scope(user, "volunteer", "view").select_related("area", "resident")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if verified is not None:
        qs = qs.filter(verified_at__isnull=not verified)
    q = q.strip()[:50]
    if q:
        refuse_number(q)
        qs = qs.filter(Q(name__icontains=q) | Q(skills__icontains=q))
    return qs.order_by("area__path", "name", "id")


def volunteer_for(user: Any, volunteer_id: int) -> Volunteer:
    """A volunteer the user may see: in their scope, or their own record."""
    own = volunteer_of(user)
    if own is not None and own.pk == volunteer_id:
        return own
    volunteer = volunteers_for(user).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise NotFound()
    return volunteer


def teams_for(user: Any, *, area: Area | None = None) -> QuerySet[Team]:
    qs = (
        access.scope(user, "team", "view")
        .select_related("area", "leader", "organisation")
        .annotate(member_count=Count("members", distinct=True))
    )
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    return qs.order_by("area__path", "level", "name")


def team_for(user: Any, team_id: int) -> Team:
    team = teams_for(user).filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return team


def _visible_q(user: Any) -> Q:
    """Activities the user may see: all of the areas they manage, published ones of the areas they
    see and of every area above those (a community's residents see the street's activities)."""
    manage = access.paths_for(user, "activity", "manage")
    view = access.paths_for(user, "activity", "view")
    if not view:
        return Q(pk__in=[])
    ancestors = {p[:i] for p in view for i in range(4, len(p), 4)}
    public = access.path_q("area__path", view) | Q(area__path__in=sorted(ancestors))
    return access.path_q("area__path", manage) | (public & ~Q(status=ActivityStatus.DRAFT))


def activities_for(
    user: Any,
    *,
    area: Area | None = None,
    status: str = "",
    when: str = "",
    q: str = "",
    now: Any = None,
) -> QuerySet[Activity]:
    """`when` is "upcoming" (not yet ended), "past", or "" for both."""
    now = now or timezone.now()
    qs = Activity.objects.filter(_visible_q(user)).select_related(
        "area", "venue__resource", "team", "organisation"
    )
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if status in ActivityStatus.values:
        qs = qs.filter(status=status)
    if when == "upcoming":
        qs = qs.filter(ends_at__gte=now).order_by("starts_at", "id")
    elif when == "past":
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        qs = qs.order_by("-starts_at", "-id")
    q = q.strip()[:50]
    if q:
        qs = qs.filter(title__icontains=q)
    confirmed = Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED), distinct=True)
    waiting = Count("signups", filter=Q(signups__status=SignUpStatus.WAITLISTED), distinct=True)
    return qs.annotate(confirmed_count=confirmed, waitlist_count=waiting)


def activities_on_days(user: Any, *, days: int = 2, limit: int = 6) -> tuple[list[Activity], int]:
    """For the home page of an organiser: the activities they manage that start today or in the
    next days (not cancelled), earliest first, and how many."""
    manage = access.paths_for(user, "activity", "manage")
    if not manage:
        return [], 0
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    end = start + timedelta(days=days)
    qs = (
        Activity.objects.filter(access.path_q("area__path", manage), starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=[ActivityStatus.CANCELLED, ActivityStatus.DRAFT])
        .select_related("area")
        .order_by("starts_at", "id")
    )
    return list(qs[:limit]), qs.count()


def activities_to_join(user: Any, *, limit: int = 5) -> tuple[list[Activity], int]:
    """For the home page of a resident or volunteer: published activities not yet begun that they
    have not signed up for, soonest first, and how many."""
    now = timezone.now()
    qs = (
        Activity.objects.filter(_visible_q(user), status=ActivityStatus.PUBLISHED, starts_at__gt=now)
        .exclude(signups__volunteer__user_id=user.pk)
        .select_related("area")
        .order_by("starts_at", "id")
    )
    return list(qs[:limit]), qs.count()


def activity_visible(user: Any, activity: Activity) -> bool:
    return Activity.objects.filter(_visible_q(user), pk=activity.pk).exists()


def activity_for(user: Any, activity_id: int) -> Activity:
    activity = activities_for(user).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound()
    return activity


def can_manage(user: Any, activity: Activity) -> bool:
    return access.can(user, "activity", "manage", path=activity.area.path)


def attendees_of(activity: Activity) -> list[dict[str, Any]]:
    """The residents recorded as attending, as the organiser's list shows them: a minor's name masked
    (the registry's rule for lists), no ID number or phone."""
    from shequ.core.idnumber import mask_name
    from shequ.registry.selectors import is_minor
    from shequ.volunteering.models import Attendee

    rows = Attendee.objects.filter(activity=activity).select_related("resident", "youth_group")
    return [
        {
            "id": a.pk,
            "resident_id": a.resident_id,
            "name": mask_name(a.resident.name) if is_minor(a.resident) else a.resident.name,
            "youth_group": a.youth_group.name if a.youth_group else "",
            "added_at": a.added_at,
        }
        for a in rows
    ]


def signups_of(activity: Activity) -> QuerySet[SignUp]:
    """The organiser's list: confirmed first, then the waiting list in order, then cancelled."""
    return (
        activity.signups.select_related("volunteer", "shift", "attendance", "hours")
        .prefetch_related("hours__corrections")
        .order_by("status", "created_at", "id")
    )


def my_signup(user: Any, activity: Activity) -> SignUp | None:
    volunteer = volunteer_of(user)
    if volunteer is None:
        return None
    return (
        SignUp.objects.select_related("attendance", "hours", "shift")
        .filter(activity=activity, volunteer=volunteer)
        .exclude(status=SignUpStatus.CANCELLED)
        .first()
    )


def waitlist_position(signup: SignUp) -> int:
    """1 for the first on the waiting list."""
    return (
        SignUp.objects.filter(
            activity_id=signup.activity_id, shift=signup.shift, status=SignUpStatus.WAITLISTED
        )
        .filter(Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.pk))
        .count()
        + 1
    )


def signups_of_volunteer(volunteer: Volunteer) -> QuerySet[SignUp]:
    return volunteer.signups.select_related("activity__area", "attendance", "hours", "shift").order_by(
        "-activity__starts_at", "-id"
    )


def confirmed_hours(volunteer: Volunteer, *, start: date | None = None, end: date | None = None) -> QuerySet:
    qs = ServiceHours.objects.filter(volunteer=volunteer, status=HoursStatus.CONFIRMED).select_related(
        "activity__area", "activity__organisation", "activity__team"
    )
    if start is not None:
        qs = qs.filter(served_on__gte=start)
    if end is not None:
        qs = qs.filter(served_on__lte=end)
    return qs.order_by("served_on", "id")


@dataclass(frozen=True)
class Record:
    volunteer: Volunteer
    minutes: int
    activities: int
    points: int
    stars: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def stars_for(minutes: int) -> int:
    return sum(1 for h in STAR_HOURS if minutes >= h * 60)


def record_of(volunteer: Volunteer) -> Record:
    total = ServiceHours.objects.filter(volunteer=volunteer, status=HoursStatus.CONFIRMED).aggregate(
        minutes=Sum("minutes"), n=Count("id")
    )
    points = PointEntry.objects.filter(volunteer=volunteer).aggregate(p=Sum("points"))["p"] or 0
    minutes = total["minutes"] or 0
    return Record(volunteer, minutes, total["n"], points, stars_for(minutes))


def ranking(
    user: Any, *, area: Area | None = None, start: date, end: date, limit: int = 50
) -> list[dict[str, Any]]:
    """Volunteers of the user's areas (or of `area`) by confirmed hours served between start and end."""
    volunteers = volunteers_for(user, area=area)
    rows = (
        ServiceHours.objects.filter(
            volunteer__in=volunteers.values("pk"),
            status=HoursStatus.CONFIRMED,
            served_on__gte=start,
            served_on__lte=end,
        )
        .values("volunteer_id", "volunteer__name", "volunteer__area__name")
        .annotate(minutes=Sum("minutes"), activities=Count("id"))
        .order_by("-minutes", "volunteer_id")[:limit]
    )
    return [
        {
            "rank": i,
            "volunteer_id": r["volunteer_id"],
            "name": r["volunteer__name"],
            "area": r["volunteer__area__name"],
            "minutes": r["minutes"],
            "hours": round(r["minutes"] / 60, 1),
            "activities": r["activities"],
        }
        for i, r in enumerate(rows, start=1)
    ]


@dataclass(frozen=True)
class Counts:
    """What an activity's service records say: persons who took part (of them residents of the
    registry), units that took part, households and units that benefited."""

    participants: int
    resident_participants: int
    participant_units: int
    beneficiary_households: int
    beneficiary_units: int


def counts_of(activity: Activity) -> Counts:
    rows = ServiceRecord.objects.filter(activity=activity).aggregate(
        persons=Count("id", filter=Q(kind=RecordKind.PARTICIPANT, organisation__isnull=True)),
        residents=Count("id", filter=Q(kind=RecordKind.PARTICIPANT, resident__isnull=False)),
        units=Count("id", filter=Q(kind=RecordKind.PARTICIPANT, organisation__isnull=False)),
        households=Count("id", filter=Q(kind=RecordKind.BENEFICIARY, household__isnull=False)),
        benefited_units=Count("id", filter=Q(kind=RecordKind.BENEFICIARY, organisation__isnull=False)),
    )
    return Counts(
        rows["persons"], rows["residents"], rows["units"], rows["households"], rows["benefited_units"]
    )


def brief_of(activity: Activity) -> ActivityReport | None:
    return ActivityReport.objects.prefetch_related("photos").filter(activity=activity).first()


def signup_for(user: Any, signup_id: int) -> SignUp:
    """A sign-up the user may act on: their own, or one of an activity they manage."""
    signup = (
        SignUp.objects.select_related("activity__area", "volunteer", "shift").filter(pk=signup_id).first()
    )
    if signup is None:
        raise NotFound()
    own = signup.volunteer.user_id is not None and signup.volunteer.user_id == getattr(user, "pk", None)
    if own or (activity_visible(user, signup.activity) and can_manage(user, signup.activity)):
        return signup
    raise NotFound()


def hours_for(user: Any, hours_id: int) -> ServiceHours:
    """Service hours of an activity the user manages (to confirm or correct)."""
    hours = ServiceHours.objects.select_related("activity__area", "volunteer").filter(pk=hours_id).first()
    if hours is None or not activity_visible(user, hours.activity) or not can_manage(user, hours.activity):
        raise NotFound()
    return hours


def venue_choices(user: Any, area: Area) -> QuerySet[Any]:
    """Venues of the resource register the user may book for an activity of `area`: those of the
    area, of the areas above it and below it."""
    from shequ.resources.models import Venue

    ancestors = [area.path[:i] for i in range(4, len(area.path), 4)]
    resources = access.scope(user, "resource", "view").filter(
        subtree_q(area.path, "area__path") | Q(area__path__in=ancestors)
    )
    return (
        Venue.objects.filter(resource__in=resources)
        .select_related("resource")
        .order_by("resource__name")[:200]
    )


def organisation_choices(user: Any, area: Area) -> QuerySet[Any]:
    ancestors = [area.path[:i] for i in range(4, len(area.path), 4)]
    return (
        access.scope(user, "organisation", "view")
        .filter(subtree_q(area.path, "area__path") | Q(area__path__in=ancestors))
        .order_by("kind", "name")[:300]
    )


# --- the yearly recognition list (年度表彰名单) --------------------------------------------------------


@dataclass(frozen=True)
class Honour:
    """One volunteer on the list: the year's confirmed hours, and the star level earned by all their
    confirmed hours up to the end of that year."""

    rank: int
    volunteer_id: int
    name: str
    area: str
    minutes: int  # confirmed in the year
    activities: int  # entries of hours in the year
    total_minutes: int  # confirmed up to the year's end
    stars: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def total_hours(self) -> float:
        return round(self.total_minutes / 60, 1)


@dataclass(frozen=True)
class Recognition:
    year: int
    area: Area | None
    honours: list[Honour]  # ranked by the year's hours, at most `limit`
    listed: int  # volunteers with confirmed hours in the year (the whole list, before `limit`)
    star_counts: dict[int, int]  # star level (1–5) -> how many of them reached it by the year's end


def recognition(user: Any, *, year: int, area: Area | None = None, limit: int | None = 500) -> Recognition:
    """Volunteers of the user's areas (or of `area`) with confirmed hours in `year`, ranked by those
    hours (ties by who registered first), each with the star level of China's volunteer ratings
    (STAR_HOURS) that all their confirmed hours up to the year's end reach. One grouped query."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    in_year = Q(hours__status=HoursStatus.CONFIRMED, hours__served_on__gte=start, hours__served_on__lte=end)
    upto = Q(hours__status=HoursStatus.CONFIRMED, hours__served_on__lte=end)
    rows = (
        volunteers_for(user, area=area)
        .order_by()
        .annotate(
            year_minutes=Sum("hours__minutes", filter=in_year),
            year_entries=Count("hours", filter=in_year),
            total_minutes=Sum("hours__minutes", filter=upto),
        )
        .filter(year_minutes__gt=0)
        .order_by("-year_minutes", "id")
        .values_list("id", "name", "area__name", "year_minutes", "year_entries", "total_minutes")
    )
    honours = []
    stars: dict[int, int] = dict.fromkeys(range(1, len(STAR_HOURS) + 1), 0)
    listed = 0
    for pk, name, area_name, minutes, entries, total in rows.iterator(chunk_size=5000):
        listed += 1
        level = stars_for(total)
        if level:
            stars[level] += 1
        if limit is None or listed <= limit:
            honours.append(Honour(listed, pk, name, area_name, minutes, entries, total, level))
    return Recognition(year, area, honours, listed, stars)


def brief_for(user: Any, activity_id: int) -> tuple[Activity, ActivityReport | None]:
    """An activity's report (简报) for those who read reports: the funders and supervisors of its area
    (policy: activity "report") and those who organise it. Anyone else is refused."""
    activity = activity_for(user, activity_id)
    access.require(user, "activity", "report", path=activity.area.path)
    return activity, brief_of(activity)


def brief_photo_for(user: Any, photo_id: int) -> Any:
    from shequ.volunteering.models import ReportPhoto

    photo = ReportPhoto.objects.select_related("report").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound()
    brief_for(user, photo.report.activity_id)
    return photo


def hours_total(activity: Activity) -> dict[str, Any]:
    """The activity's service hours for its report: confirmed minutes and entries, and those pending."""
    return ServiceHours.objects.filter(activity=activity).aggregate(
        confirmed_minutes=Sum("minutes", filter=Q(status=HoursStatus.CONFIRMED), default=0),
        confirmed=Count("id", filter=Q(status=HoursStatus.CONFIRMED)),
        pending=Count("id", filter=Q(status=HoursStatus.PENDING)),
    )


def attendance_rows(activity: Activity) -> list[SignUp]:
    """The check-in list: `signups_of`, each with what its search box matches (the name, its pinyin
    initials and full pinyin: 张三 is found by "zs" and "zhangsan")."""
    rows = list(signups_of(activity))
    for signup in rows:
        initials, full = pinyin_of(signup.volunteer.name)
        signup.search = f"{signup.volunteer.name} {initials} {full}".lower()  # type: ignore[attr-defined]
    return rows
