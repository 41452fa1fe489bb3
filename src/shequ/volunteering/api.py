"""Volunteering API: the same selectors and services as the pages."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages, Patch
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.http import ApiRequest
from shequ.registry.models import Organisation, Resident
from shequ.resources.models import Venue
from shequ.volunteering import selectors, services, youth
from shequ.volunteering.certificates import certificate_issue
from shequ.volunteering.models import (
    Activity,
    ActivityKind,
    Eligibility,
    OrganiserKind,
    ServiceHours,
    SignUp,
    Team,
    TeamKind,
    TeamLevel,
    Volunteer,
)

router = Router(tags=["volunteering"])


def _user(context: Any) -> Any:
    return context["request"].auth


class ShiftOut(Schema):
    id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


class ActivityOut(Schema):
    id: int
    area_id: int
    area_name: str = Field(alias="area.name")
    title: str
    kind: str
    organiser_kind: str
    team_id: int | None
    organisation_id: int | None
    starts_at: datetime
    ends_at: datetime
    venue_id: int | None
    venue_name: str | None
    place: str
    capacity: int
    confirmed: int
    waitlisted: int
    cancel_deadline: datetime
    target_groups: list[str]
    eligibility: str
    status: str
    version: int

    @staticmethod
    def resolve_venue_name(obj: Activity) -> str | None:
        return obj.venue.resource.name if obj.venue is not None else None

    @staticmethod
    def resolve_confirmed(obj: Any) -> int:
        return getattr(obj, "confirmed_count", 0)

    @staticmethod
    def resolve_waitlisted(obj: Any) -> int:
        return getattr(obj, "waitlist_count", 0)


class MySignUpOut(Schema):
    id: int
    status: str
    shift_id: int | None
    waitlist_position: int | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None

    @staticmethod
    def resolve_waitlist_position(obj: SignUp) -> int | None:
        return selectors.waitlist_position(obj) if obj.status == "waitlisted" else None

    @staticmethod
    def resolve_checked_in_at(obj: SignUp) -> datetime | None:
        attendance = getattr(obj, "attendance", None)
        return attendance.checked_in_at if attendance else None

    @staticmethod
    def resolve_checked_out_at(obj: SignUp) -> datetime | None:
        attendance = getattr(obj, "attendance", None)
        return attendance.checked_out_at if attendance else None


class ActivityDetailOut(ActivityOut):
    description: str
    shifts: list[ShiftOut]
    my_signup: MySignUpOut | None
    can_manage: bool

    @staticmethod
    def resolve_shifts(obj: Activity) -> Any:
        return list(obj.shifts.all())

    @staticmethod
    def resolve_my_signup(obj: Activity, context: Any) -> Any:
        return selectors.my_signup(_user(context), obj)

    @staticmethod
    def resolve_can_manage(obj: Activity, context: Any) -> bool:
        return selectors.can_manage(_user(context), obj)


class ShiftIn(Input):
    name: str = Field(max_length=50)
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(gt=0, le=services.MAX_CAPACITY)


class ActivityIn(Input):
    area_id: int
    title: str = Field(max_length=100)
    description: str = Field("", max_length=4000)
    kind: ActivityKind
    organiser_kind: OrganiserKind = OrganiserKind.SOCIAL_WORKER
    team_id: int | None = None
    organisation_id: int | None = None
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(gt=0, le=services.MAX_CAPACITY)
    venue_id: int | None = None
    place: str = Field("", max_length=200)
    target_groups: list[str] = Field(default_factory=list, max_length=10)
    eligibility: Eligibility = Eligibility.VERIFIED
    cancel_deadline: datetime | None = None
    shifts: list[ShiftIn] = Field(default_factory=list, max_length=20)


class VersionIn(Input):
    version: int


class CancelIn(Input):
    version: int
    reason: str = Field(max_length=200)


class FinishIn(Input):
    version: int
    beneficiary_household_ids: list[int] = Field(default_factory=list, max_length=2000)
    beneficiary_organisation_ids: list[int] = Field(default_factory=list, max_length=500)
    participant_organisation_ids: list[int] = Field(default_factory=list, max_length=500)


class SignUpIn(Input):
    shift_id: int | None = None
    volunteer_id: int | None = None  # an organiser signs someone else up


class AttendanceOut(Schema):
    checked_in_at: datetime
    checked_in_via: str
    checked_out_at: datetime | None
    checked_out_via: str


class HoursCorrectionOut(Schema):
    minutes_before: int
    minutes_after: int
    reason: str
    by_name: str
    at: datetime


class HoursOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    served_on: date
    computed_minutes: int
    minutes: int
    status: str
    version: int
    corrections: list[HoursCorrectionOut]

    @staticmethod
    def resolve_corrections(obj: ServiceHours) -> Any:
        return list(obj.corrections.all())


class SignUpOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    volunteer_name: str = Field(alias="volunteer.name")
    shift_id: int | None
    status: str
    created_at: datetime
    attendance: AttendanceOut | None
    hours: HoursOut | None

    @staticmethod
    def resolve_attendance(obj: SignUp) -> Any:
        return getattr(obj, "attendance", None)

    @staticmethod
    def resolve_hours(obj: SignUp) -> Any:
        return getattr(obj, "hours", None)


class ScanIn(Input):
    token: str = Field(max_length=300)


class ScanOut(Schema):
    action: str
    activity_id: int
    checked_in_at: datetime
    checked_out_at: datetime | None
    minutes: int | None


class AtIn(Input):
    at: datetime | None = None


class CorrectIn(Input):
    version: int
    minutes: int = Field(ge=0, le=services.MAX_MINUTES)
    reason: str = Field(max_length=200)


class VolunteerOut(Schema):
    id: int
    area_id: int
    name: str
    resident_id: int | None
    user_id: int | None
    skills: list[str]
    availability: str
    verified: bool
    verified_at: datetime | None

    @staticmethod
    def resolve_verified(obj: Volunteer) -> bool:
        return obj.is_verified


class RecordOut(Schema):
    volunteer: VolunteerOut
    minutes: int
    hours: float
    activities: int
    points: int
    stars: int


class VolunteerIn(Input):
    area_id: int
    resident_id: int | None = None
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    id_number: str = Field("", max_length=30)
    skills: list[str] = Field(default_factory=list, max_length=20)
    availability: str = Field("", max_length=200)
    username: str = Field("", max_length=150)  # the account they sign in with


class RedemptionIn(Input):
    item: str = Field(max_length=100)
    points: int = Field(gt=0, le=1_000_000)


class RedemptionOut(Schema):
    id: int
    volunteer_id: int
    item: str
    points: int
    at: datetime


class TeamOut(Schema):
    id: int
    area_id: int
    name: str
    level: str
    kind: str
    organisation_id: int | None
    leader_id: int | None
    member_count: int

    @staticmethod
    def resolve_member_count(obj: Any) -> int:
        return getattr(obj, "member_count", None) or obj.members.count()

    @staticmethod
    def resolve_leader_id(obj: Any, context: Any) -> int | None:
        # A third-party evaluator gets figures, not people: not even the id that names the leader.
        return None if access.figures_only(_user(context)) else obj.leader_id


class TeamIn(Input):
    area_id: int
    name: str = Field(max_length=100)
    kind: TeamKind
    level: TeamLevel
    organisation_id: int | None = None
    leader_id: int | None = None


class MemberIn(Input):
    volunteer_id: int
    leader: bool = False


class RankOut(Schema):
    rank: int
    volunteer_id: int
    name: str
    area: str
    minutes: int
    hours: float
    activities: int


class ActivityPatch(Patch):
    NULLABLE = frozenset({"venue_id"})

    version: int
    title: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=4000)
    kind: ActivityKind | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = Field(None, gt=0, le=services.MAX_CAPACITY)
    venue_id: int | None = None  # the venue's resource id, as when creating; null: no venue
    place: str | None = Field(None, max_length=200)
    target_groups: list[str] | None = Field(None, max_length=10)
    eligibility: Eligibility | None = None
    cancel_deadline: datetime | None = None


class BriefPhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("api:report_photo", kwargs={"photo_id": obj.pk})


class CountsOut(Schema):
    participants: int
    resident_participants: int
    participant_units: int
    beneficiary_households: int
    beneficiary_units: int


class HoursConfirmedOut(Schema):
    confirmed: int


class ActivityBriefOut(Schema):
    activity_id: int
    written: bool
    text: str
    version: int
    written_at: datetime | None
    photos: list[BriefPhotoOut]
    counts: CountsOut
    confirmed_minutes: int


class HonourOut(Schema):
    rank: int
    volunteer_id: int
    name: str
    area: str
    minutes: int
    hours: float
    activities: int
    total_minutes: int
    stars: int


class RecognitionOut(Schema):
    year: int
    listed: int
    star_counts: dict[int, int]
    honours: list[HonourOut]


class SelfRegistrationIn(Input):
    skills: list[str] = Field(default_factory=list, max_length=20)
    availability: str = Field("", max_length=200)
    name: str = Field("", max_length=50)  # only when the registry holds no record of the person
    phone: str = Field("", max_length=30)


def _organisation(request: ApiRequest, pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    return access.get_for(request.auth, "organisation", "view", pk=pk)


def _venue(request: ApiRequest, pk: int | None) -> Venue | None:
    if pk is None:
        return None
    resource = access.get_for(request.auth, "resource", "view", pk=pk)
    venue = Venue.objects.select_related("resource__area").filter(resource=resource).first()
    if venue is None:
        raise NotFound()
    return venue


# --- activities -----------------------------------------------------------------------------------


@router.get("/activities", response=list[ActivityOut])
@paginate(Pages)
def activity_list(
    request: ApiRequest, area: int | None = None, status: str = "", when: str = "", q: str = ""
) -> QuerySet[Activity]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.activities_for(request.auth, area=area_obj, status=status, when=when, q=q[:50])


@router.get("/activities/{int:activity_id}", response=ActivityDetailOut)
def activity_detail(request: ApiRequest, activity_id: int) -> Activity:
    return selectors.activity_for(request.auth, activity_id)


@router.post("/activities", response={201: ActivityDetailOut})
def activity_create(request: ApiRequest, data: ActivityIn) -> Status[Activity]:
    area = core_selectors.area_for(request.auth, data.area_id)
    team = selectors.team_for(request.auth, data.team_id) if data.team_id else None
    activity = services.activity_create(
        by=request.auth,
        area=area,
        title=data.title,
        description=data.description,
        kind=data.kind,
        organiser_kind=data.organiser_kind,
        team=team,
        organisation=_organisation(request, data.organisation_id),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        venue=_venue(request, data.venue_id),
        place=data.place,
        target_groups=data.target_groups,
        eligibility=data.eligibility,
        cancel_deadline=data.cancel_deadline,
        shifts=[services.ShiftPlan(s.name, s.starts_at, s.ends_at, s.capacity) for s in data.shifts],
    )
    return Status(201, selectors.activity_for(request.auth, activity.pk))


@router.patch("/activities/{int:activity_id}", response=ActivityDetailOut)
def activity_update(request: ApiRequest, activity_id: int, data: ActivityPatch) -> Activity:
    """Change what was sent (title, time, venue, places, …); a stale version is a 409."""
    activity = selectors.activity_for(request.auth, activity_id)
    fields = data.dict(exclude_unset=True)
    version = fields.pop("version")
    if "venue_id" in fields:
        fields["venue"] = _venue(request, fields.pop("venue_id"))
    services.activity_update(by=request.auth, activity=activity, version=version, **fields)
    return selectors.activity_for(request.auth, activity_id)


@router.get("/activities/report-photos/{int:photo_id}", response={200: None}, url_name="report_photo")
def report_photo(request: ApiRequest, photo_id: int) -> FileResponse:
    """A photo of an activity's report (简报) the caller may read, as JPEG, for token clients too."""
    photo = selectors.brief_photo_for(request.auth, photo_id)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="report-{photo.report_id}-{photo.pk}.jpg"'
    return response


@router.get("/activities/{int:activity_id}/report", response=ActivityBriefOut)
def activity_brief(request: ApiRequest, activity_id: int) -> dict[str, Any]:
    """The brief (简报) as funders and supervisors read it, with the counts of the service records."""
    activity, report = selectors.brief_for(request.auth, activity_id)
    return _brief(activity, report)


class BriefIn(Input):
    text: str = Field(max_length=4000)
    version: int | None = None  # the brief's version when rewriting it; a stale one is a 409


@router.put("/activities/{int:activity_id}/report", response=ActivityBriefOut)
def activity_brief_write(request: ApiRequest, activity_id: int, data: BriefIn) -> dict[str, Any]:
    """The organiser writes (or rewrites) the brief of a finished activity: the page's twin, its text
    only (photos are added on the page)."""
    activity = selectors.activity_for(request.auth, activity_id)
    report = services.brief_save(by=request.auth, activity=activity, text=data.text, version=data.version)
    return _brief(activity, report)


@router.post("/activities/{int:activity_id}/hours/confirm", response=HoursConfirmedOut)
def activity_hours_confirm(request: ApiRequest, activity_id: int) -> dict[str, int]:
    """Confirm every pending entry of hours of the activity at once (the attendance page's button)."""
    activity = selectors.activity_for(request.auth, activity_id)
    return {"confirmed": services.hours_confirm_all(by=request.auth, activity=activity)}


def _brief(activity: Activity, report: Any) -> dict[str, Any]:
    return {
        "activity_id": activity.pk,
        "written": report is not None,
        "text": report.text if report else "",
        "version": report.version if report else 0,
        "written_at": report.written_at if report else None,
        "photos": list(report.photos.all()) if report else [],
        "counts": selectors.counts_of(activity),
        "confirmed_minutes": selectors.hours_total(activity)["confirmed_minutes"],
    }


@router.post("/activities/{int:activity_id}/publish", response=ActivityDetailOut)
def activity_publish(request: ApiRequest, activity_id: int, data: VersionIn) -> Activity:
    activity = selectors.activity_for(request.auth, activity_id)
    services.activity_publish(by=request.auth, activity=activity, version=data.version)
    return selectors.activity_for(request.auth, activity_id)


@router.post("/activities/{int:activity_id}/cancel", response=ActivityDetailOut)
def activity_cancel(request: ApiRequest, activity_id: int, data: CancelIn) -> Activity:
    activity = selectors.activity_for(request.auth, activity_id)
    services.activity_cancel(by=request.auth, activity=activity, version=data.version, reason=data.reason)
    return selectors.activity_for(request.auth, activity_id)


@router.post("/activities/{int:activity_id}/finish", response=ActivityDetailOut)
def activity_finish(request: ApiRequest, activity_id: int, data: FinishIn) -> Activity:
    activity = selectors.activity_for(request.auth, activity_id)
    households = list(
        access.scope(request.auth, "household", "view").filter(pk__in=data.beneficiary_household_ids)
    )
    if len(households) != len(set(data.beneficiary_household_ids)):
        raise NotFound()
    organisations = access.scope(request.auth, "organisation", "view")
    benefited = list(organisations.filter(pk__in=data.beneficiary_organisation_ids))
    units = list(organisations.filter(pk__in=data.participant_organisation_ids))
    if len(benefited) != len(set(data.beneficiary_organisation_ids)) or len(units) != len(
        set(data.participant_organisation_ids)
    ):
        raise NotFound()
    services.activity_finish(
        by=request.auth,
        activity=activity,
        version=data.version,
        beneficiary_households=households,
        beneficiary_organisations=benefited,
        participant_organisations=units,
    )
    return selectors.activity_for(request.auth, activity_id)


class AttendeeOut(Schema):
    id: int
    resident_id: int
    name: str
    youth_group: str
    added_at: datetime


class AttendeesIn(Input):
    attendee_ids: list[int] = Field(max_length=200, description="residents of the registry")


class AttendeesAdded(Schema):
    added: int
    attendees: list[AttendeeOut]


def _managed_activity(request: ApiRequest, activity_id: int) -> Activity:
    activity = selectors.activity_for(request.auth, activity_id)
    access.require(request.auth, "activity", "manage", path=activity.area.path)
    return activity


@router.get("/activities/{int:activity_id}/attendees", response=list[AttendeeOut])
def activity_attendees(request: ApiRequest, activity_id: int) -> list[dict[str, Any]]:
    """Residents recorded as attending without a volunteer's sign-up (walk-ins, youths, 1+1+5 groups)."""
    return selectors.attendees_of(_managed_activity(request, activity_id))


@router.post("/activities/{int:activity_id}/attendees", response=AttendeesAdded)
def activity_attendees_add(request: ApiRequest, activity_id: int, data: AttendeesIn) -> dict[str, Any]:
    """Record residents as attending: each counts as a resident who took part."""
    activity = _managed_activity(request, activity_id)
    residents = list(access.scope(request.auth, "resident", "view").filter(pk__in=data.attendee_ids))
    if len(residents) != len(set(data.attendee_ids)):
        raise NotFound()
    added = services.attendee_add(by=request.auth, activity=activity, residents=residents)
    return {"added": added, "attendees": selectors.attendees_of(activity)}


@router.post("/activities/{int:activity_id}/attendees/groups/{int:group_id}", response=AttendeesAdded)
def activity_attendees_add_group(request: ApiRequest, activity_id: int, group_id: int) -> dict[str, Any]:
    """Sign up the members of a 1+1+5 group as attending."""
    activity = _managed_activity(request, activity_id)
    group = youth.youth_group_for(request.auth, group_id)
    added = services.attendee_add_group(by=request.auth, activity=activity, youth_group=group)
    return {"added": added, "attendees": selectors.attendees_of(activity)}


@router.delete("/activities/{int:activity_id}/attendees/{int:resident_id}", response=list[AttendeeOut])
def activity_attendee_remove(request: ApiRequest, activity_id: int, resident_id: int) -> list[dict[str, Any]]:
    activity = _managed_activity(request, activity_id)
    resident = access.get_for(request.auth, "resident", "view", pk=resident_id)
    services.attendee_remove(by=request.auth, activity=activity, resident=resident)
    return selectors.attendees_of(activity)


@router.get("/activities/{int:activity_id}/signups", response=list[SignUpOut])
@paginate(Pages)
def activity_signups(request: ApiRequest, activity_id: int) -> QuerySet[SignUp]:
    activity = selectors.activity_for(request.auth, activity_id)
    access.require(request.auth, "activity", "manage", path=activity.area.path)
    return selectors.signups_of(activity)


@router.post("/activities/{int:activity_id}/signups", response={201: SignUpOut})
def signup_create(request: ApiRequest, activity_id: int, data: SignUpIn) -> Status[SignUp]:
    activity = selectors.activity_for(request.auth, activity_id)
    shift = activity.shifts.filter(pk=data.shift_id).first() if data.shift_id else None
    if data.shift_id and shift is None:
        raise NotFound()
    volunteer = selectors.volunteer_for(request.auth, data.volunteer_id) if data.volunteer_id else None
    signup = services.signup_create(by=request.auth, activity=activity, volunteer=volunteer, shift=shift)
    return Status(201, signup)


@router.post("/signups/{int:signup_id}/cancel", response=SignUpOut)
def signup_cancel(request: ApiRequest, signup_id: int) -> SignUp:
    signup = selectors.signup_for(request.auth, signup_id)
    return services.signup_cancel(by=request.auth, signup=signup)


@router.post("/check-in", response=ScanOut)
def check_in_scan(request: ApiRequest, data: ScanIn) -> dict[str, Any]:
    """What a volunteer's phone sends after scanning the activity's QR code."""
    result = services.attendance_scan(by=request.auth, token=data.token)
    return {
        "action": result.action,
        "activity_id": result.activity.pk,
        "checked_in_at": result.attendance.checked_in_at,
        "checked_out_at": result.attendance.checked_out_at,
        "minutes": result.hours.minutes if result.hours else None,
    }


@router.post("/signups/{int:signup_id}/check-in", response=SignUpOut)
def signup_check_in(request: ApiRequest, signup_id: int, data: AtIn) -> SignUp:
    signup = selectors.signup_for(request.auth, signup_id)
    services.attendance_check_in(by=request.auth, signup=signup, at=data.at)
    return selectors.signup_for(request.auth, signup_id)


class RefusedOut(Schema):
    signup_id: int
    message: str


class CheckInAllOut(Schema):
    checked_in: list[int]  # the sign-ups checked in
    refused: list[RefusedOut]  # those a rule left out (checked in elsewhere at the same time…), with why


@router.post("/activities/{int:activity_id}/check-in-all", response=CheckInAllOut)
def activity_check_in_all(request: ApiRequest, activity_id: int) -> dict[str, Any]:
    """Everyone with a confirmed place not yet checked in, each by the rules of one check-in."""
    activity = selectors.activity_for(request.auth, activity_id)
    result = services.attendance_check_in_all(by=request.auth, activity=activity)
    return {
        "checked_in": [s.pk for s in result.checked_in],
        "refused": [{"signup_id": s.pk, "message": why} for s, why in result.refused],
    }


@router.post("/signups/{int:signup_id}/check-out", response=SignUpOut)
def signup_check_out(request: ApiRequest, signup_id: int, data: AtIn) -> SignUp:
    signup = selectors.signup_for(request.auth, signup_id)
    services.attendance_check_out(by=request.auth, signup=signup, at=data.at)
    return selectors.signup_for(request.auth, signup_id)


@router.post("/service-hours/{int:hours_id}/confirm", response=HoursOut)
def hours_confirm(request: ApiRequest, hours_id: int) -> ServiceHours:
    return services.hours_confirm(by=request.auth, hours=selectors.hours_for(request.auth, hours_id))


@router.post("/service-hours/{int:hours_id}/correct", response=HoursOut)
def hours_correct(request: ApiRequest, hours_id: int, data: CorrectIn) -> ServiceHours:
    hours = selectors.hours_for(request.auth, hours_id)
    return services.hours_correct(
        by=request.auth, hours=hours, version=data.version, minutes=data.minutes, reason=data.reason
    )


# --- volunteers, teams, rankings ------------------------------------------------------------------


@router.get("/volunteers", response=list[VolunteerOut])
@paginate(Pages)
def volunteer_list(
    request: ApiRequest, area: int | None = None, q: str = "", verified: bool | None = None
) -> QuerySet[Volunteer]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.volunteers_for(request.auth, area=area_obj, q=q[:50], verified=verified)


@router.get("/volunteers/me", response=RecordOut)
def volunteer_me(request: ApiRequest) -> Any:
    volunteer = selectors.volunteer_of(request.auth)
    if volunteer is None:
        raise NotFound()
    return selectors.record_of(volunteer)


@router.get("/volunteers/{int:volunteer_id}", response=RecordOut)
def volunteer_detail(request: ApiRequest, volunteer_id: int) -> Any:
    return selectors.record_of(selectors.volunteer_for(request.auth, volunteer_id))


@router.get("/volunteers/{int:volunteer_id}/certificate", response={200: None})
def volunteer_certificate(
    request: ApiRequest, volunteer_id: int, start: date, end: date, kind: str = "hours"
) -> HttpResponse:
    """The certificate of confirmed service hours between start and end, as a PDF (kind "hours"), or
    the youth social-practice certificate (kind "practice")."""
    volunteer = selectors.volunteer_for(request.auth, volunteer_id)
    issued = certificate_issue(by=request.auth, volunteer=volunteer, start=start, end=end, kind=kind)
    response = HttpResponse(issued.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{issued.number}.pdf"'
    return response


@router.post("/volunteers", response={201: VolunteerOut})
def volunteer_register(request: ApiRequest, data: VolunteerIn) -> Status[Volunteer]:
    area = core_selectors.area_for(request.auth, data.area_id)
    resident: Resident | None = None
    if data.resident_id is not None:
        resident = access.get_for(request.auth, "resident", "view", pk=data.resident_id)
    user = None
    if data.username.strip():
        user = core_selectors.account_for(request.auth, "volunteer", "manage", username=data.username)
    volunteer = services.volunteer_register(
        by=request.auth,
        area=area,
        resident=resident,
        name=data.name,
        phone=data.phone,
        id_number=data.id_number,
        skills=data.skills,
        availability=data.availability,
        user=user,
    )
    return Status(201, volunteer)


class AccountLinkIn(Input):
    username: str = Field(max_length=150, description="the account the person signs in with")


@router.put("/volunteers/{int:volunteer_id}/account", response=VolunteerOut)
def volunteer_link_account(request: ApiRequest, volunteer_id: int, data: AccountLinkIn) -> Volunteer:
    """Link the volunteer record to an account of the caller's areas (a resident who already served
    before having an account); audited. An account outside them answers as an unknown name."""
    volunteer = selectors.volunteers_for(request.auth).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise NotFound()
    account = core_selectors.account_for(request.auth, "volunteer", "manage", username=data.username)
    return services.volunteer_link_account(by=request.auth, volunteer=volunteer, user=account)


@router.delete("/volunteers/{int:volunteer_id}/account", response=VolunteerOut)
def volunteer_unlink_account(request: ApiRequest, volunteer_id: int) -> Volunteer:
    """Undo the link between a volunteer and an account."""
    volunteer = selectors.volunteers_for(request.auth).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise NotFound()
    return services.volunteer_unlink_account(by=request.auth, volunteer=volunteer)


@router.post("/volunteers/{int:volunteer_id}/verify", response=VolunteerOut)
def volunteer_verify(request: ApiRequest, volunteer_id: int) -> Volunteer:
    volunteer = selectors.volunteers_for(request.auth).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise NotFound()
    return services.volunteer_verify(by=request.auth, volunteer=volunteer)


@router.post("/volunteers/{int:volunteer_id}/redemptions", response={201: RedemptionOut})
def volunteer_redeem(request: ApiRequest, volunteer_id: int, data: RedemptionIn) -> Status[Any]:
    volunteer = selectors.volunteers_for(request.auth).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise NotFound()
    redemption = services.points_redeem(
        by=request.auth, volunteer=volunteer, item=data.item, points=data.points
    )
    return Status(201, redemption)


@router.get("/teams", response=list[TeamOut])
@paginate(Pages)
def team_list(request: ApiRequest, area: int | None = None) -> QuerySet[Team]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.teams_for(request.auth, area=area_obj)


@router.post("/teams", response={201: TeamOut})
def team_create(request: ApiRequest, data: TeamIn) -> Status[Team]:
    area = core_selectors.area_for(request.auth, data.area_id)
    leader = selectors.volunteer_for(request.auth, data.leader_id) if data.leader_id else None
    team = services.team_create(
        by=request.auth,
        area=area,
        name=data.name,
        kind=data.kind,
        level=data.level,
        organisation=_organisation(request, data.organisation_id),
        leader=leader,
    )
    return Status(201, selectors.team_for(request.auth, team.pk))


@router.post("/teams/{int:team_id}/members", response=TeamOut)
def team_add_member(request: ApiRequest, team_id: int, data: MemberIn) -> Team:
    team = selectors.team_for(request.auth, team_id)
    volunteer = selectors.volunteer_for(request.auth, data.volunteer_id)
    services.team_add_member(by=request.auth, team=team, volunteer=volunteer, leader=data.leader)
    return selectors.team_for(request.auth, team_id)


@router.post("/volunteers/join", response={201: VolunteerOut})
def volunteer_join(request: ApiRequest, data: SelfRegistrationIn) -> Status[Volunteer]:
    """The signed-in resident registers themselves; the record waits for a social worker's check."""
    volunteer = services.volunteer_register_self(
        by=request.auth,
        skills=data.skills,
        availability=data.availability,
        name=data.name,
        phone=data.phone,
    )
    return Status(201, volunteer)


@router.get("/volunteer-recognition", response=RecognitionOut)
def recognition(request: ApiRequest, year: int, area: int | None = None, limit: int = 500) -> Any:
    """The yearly recognition list (年度表彰名单) of the user's areas or of `area`."""
    if not access.paths_for(request.auth, "volunteer", "view"):
        raise Forbidden()
    if not 2000 <= year <= 2100 or not 1 <= limit <= 5000:
        raise DomainError("year 2000–2100, limit 1–5000", code="invalid")
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.recognition(request.auth, year=year, area=area_obj, limit=limit)


@router.get("/volunteer-ranking", response=list[RankOut])
def ranking(request: ApiRequest, start: date, end: date, area: int | None = None) -> list[dict[str, Any]]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.ranking(request.auth, area=area_obj, start=start, end=end)


# --- party leads youth ----------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    political_status: str


class YouthGroupOut(Schema):
    id: int
    area_id: int
    name: str
    formed_on: date
    party_member: PersonOut
    activist: PersonOut
    backbones: list[PersonOut]

    @staticmethod
    def resolve_backbones(obj: Any) -> Any:
        return list(obj.backbones.order_by("name"))


class ActionOut(Schema):
    id: int
    done_on: date
    description: str


class ProblemOut(Schema):
    id: int
    found_on: date
    description: str
    status: str
    solved_on: date | None
    actions: list[ActionOut]

    @staticmethod
    def resolve_actions(obj: Any) -> Any:
        return list(obj.actions.all())


class MeetingOut(Schema):
    id: int
    held_on: date
    topic: str
    notes: str
    attendee_ids: list[int]

    @staticmethod
    def resolve_attendee_ids(obj: Any) -> list[int]:
        return [a.pk for a in obj.attendees.all()]


class YouthGroupDetailOut(YouthGroupOut):
    meetings: list[MeetingOut]
    problems: list[ProblemOut]

    @staticmethod
    def resolve_meetings(obj: Any) -> Any:
        return list(obj.meetings.prefetch_related("attendees"))

    @staticmethod
    def resolve_problems(obj: Any) -> Any:
        return list(obj.problems.prefetch_related("actions"))


class YouthGroupIn(Input):
    area_id: int
    name: str = Field(max_length=100)
    party_member_id: int
    activist_id: int
    backbone_ids: list[int] = Field(max_length=10)
    formed_on: date


class MeetingIn(Input):
    held_on: date
    topic: str = Field(max_length=100)
    notes: str = Field("", max_length=4000)
    attendee_ids: list[int] = Field(default_factory=list, max_length=10)


class ProblemIn(Input):
    found_on: date
    description: str = Field(max_length=2000)
    meeting_id: int | None = None


class ActionIn(Input):
    done_on: date
    description: str = Field(max_length=2000)
    solved: bool = False


def _resident(request: ApiRequest, pk: int) -> Resident:
    return access.get_for(request.auth, "resident", "view", pk=pk)


@router.get("/youth-groups", response=list[YouthGroupOut])
@paginate(Pages)
def youth_group_list(request: ApiRequest, area: int | None = None) -> Any:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return youth.youth_groups_for(request.auth, area=area_obj)


@router.get("/youth-groups/{int:group_id}", response=YouthGroupDetailOut)
def youth_group_detail(request: ApiRequest, group_id: int) -> Any:
    return youth.youth_group_for(request.auth, group_id)


@router.post("/youth-groups", response={201: YouthGroupDetailOut})
def youth_group_create(request: ApiRequest, data: YouthGroupIn) -> Status[Any]:
    group = youth.youth_group_create(
        by=request.auth,
        area=core_selectors.area_for(request.auth, data.area_id),
        name=data.name,
        party_member=_resident(request, data.party_member_id),
        activist=_resident(request, data.activist_id),
        backbones=[_resident(request, pk) for pk in data.backbone_ids],
        formed_on=data.formed_on,
    )
    return Status(201, youth.youth_group_for(request.auth, group.pk))


@router.post("/youth-groups/{int:group_id}/meetings", response={201: MeetingOut})
def youth_group_meeting(request: ApiRequest, group_id: int, data: MeetingIn) -> Status[Any]:
    group = youth.youth_group_for(request.auth, group_id)
    members = {m.pk: m for m in youth.members_of(group)}
    if any(pk not in members for pk in data.attendee_ids):
        raise NotFound()
    meeting = youth.meeting_record(
        by=request.auth,
        group=group,
        held_on=data.held_on,
        topic=data.topic,
        notes=data.notes,
        attendees=[members[pk] for pk in data.attendee_ids],
    )
    return Status(201, meeting)


@router.post("/youth-groups/{int:group_id}/problems", response={201: ProblemOut})
def youth_group_problem(request: ApiRequest, group_id: int, data: ProblemIn) -> Status[Any]:
    group = youth.youth_group_for(request.auth, group_id)
    meeting = group.meetings.filter(pk=data.meeting_id).first() if data.meeting_id else None
    if data.meeting_id and meeting is None:
        raise NotFound()
    problem = youth.problem_record(
        by=request.auth, group=group, description=data.description, found_on=data.found_on, meeting=meeting
    )
    return Status(201, problem)


@router.post("/youth-groups/{int:group_id}/problems/{int:problem_id}/actions", response={201: ProblemOut})
def youth_group_action(request: ApiRequest, group_id: int, problem_id: int, data: ActionIn) -> Status[Any]:
    group = youth.youth_group_for(request.auth, group_id)
    problem = group.problems.filter(pk=problem_id).first()
    if problem is None:
        raise NotFound()
    youth.action_record(
        by=request.auth,
        problem=problem,
        description=data.description,
        done_on=data.done_on,
        solved=data.solved,
    )
    return Status(201, group.problems.get(pk=problem_id))
