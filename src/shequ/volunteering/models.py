"""What volunteering records: volunteers and teams, activities with their shifts and sign-ups, attendance,
service hours with their corrections, points, activity reports, and the service records (who took part,
who benefited) the metrics count. The workflows live in services.py; here are fields and constraints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.models import Area, optional_key
from shequ.core.texts import cut_text


class Volunteer(models.Model):
    """A person who serves: a resident of the registry, or someone from outside the area (name, phone and,
    for the certificate, an ID number, kept encrypted like the registry's)."""

    area = models.ForeignKey(
        Area, verbose_name=_("registered in"), on_delete=models.PROTECT, related_name="volunteers"
    )
    resident = models.OneToOneField(
        "registry.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    # The account the person signs in with to sign up and check in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    name = models.CharField(_("name"), max_length=50)
    phone_encrypted = models.CharField(max_length=200, blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_encrypted = models.CharField(max_length=200, blank=True)
    id_last4 = models.CharField(max_length=4, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    verified_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["area", "name"], name="volunteering_volunteer_area")]
        constraints = [
            # An outsider has no registry record: their name and phone are what identify them.
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | (~Q(name="") & ~Q(phone_encrypted="")),
                name="volunteering_volunteer_identified",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class TeamLevel(models.TextChoices):
    """The three-level volunteer alliance: street, community, and social organisations."""

    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")


class TeamKind(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    GARBAGE_SORTING = "garbage_sorting", _("Garbage sorting")
    STREET_LIGHTS = "street_lights", _("Street lights")
    ELDERLY_VISITS = "elderly_visits", _("Elderly visits")
    PARTY_SERVICE = "party_service", _("Party-member service")
    YOUTH = "youth", _("Youth service")
    OTHER = "other", _("Other")


class Team(models.Model):
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=24, choices=TeamLevel.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=TeamKind.choices)
    organisation = optional_key("registry.Organisation", _("organisation"), related_name="volunteer_teams")
    leader = optional_key(Volunteer, _("leader"), on_delete=models.SET_NULL, related_name="+")
    members = models.ManyToManyField(Volunteer, blank=True, related_name="teams", verbose_name=_("members"))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(condition=Q(level__in=TeamLevel.values), name="volunteering_team_level"),
            models.CheckConstraint(condition=Q(kind__in=TeamKind.values), name="volunteering_team_kind"),
            models.CheckConstraint(
                condition=~Q(level="social_organisation") | Q(organisation__isnull=False),
                name="volunteering_team_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    VOLUNTEER_SERVICE = "volunteer_service", _("Volunteer service")
    COMMUNITY_ACTIVITY = "community_activity", _("Community activity")
    PARTY_ACTIVITY_DAY = "party_activity_day", _("Party activity day")
    YOUTH_SOCIAL_PRACTICE = "youth_social_practice", _("Youth social practice")
    TRAINING = "training", _("Training")


class OrganiserKind(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    TEAM = "team", _("Volunteer team")
    ORGANISATION = "organisation", _("Organisation")
    PARTY_BRANCH = "party_branch", _("Party branch")
    LEAGUE_BRANCH = "league_branch", _("Youth-league branch")


class Eligibility(models.TextChoices):
    """Who may sign up."""

    VERIFIED = "verified", _("Verified volunteers")
    REGISTERED = "registered", _("Every registered volunteer")
    LEAGUE_MEMBERS = "league_members", _("Youth-league members")
    PARTY_MEMBERS = "party_members", _("Party members and activists")


class ActivityStatus(models.TextChoices):
    # With a context: an appeal's "published" is 已公示, an activity's 已发布.
    DRAFT = "draft", pgettext_lazy("activity status", "Draft")
    PUBLISHED = "published", pgettext_lazy("activity status", "Published")
    CANCELLED = "cancelled", pgettext_lazy("activity status", "Cancelled")
    FINISHED = "finished", pgettext_lazy("activity status", "Finished")


# Statuses in which an activity holds its venue.
BOOKING_STATUSES = (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED, ActivityStatus.FINISHED)

TARGET_GROUPS = {
    "all": _("All residents"),
    "elderly": _("The elderly"),
    "children": _("Children"),
    "youth": _("Young people"),
    "disabled": _("People with disabilities"),
    "hardship": _("Households in hardship"),
    "migrants": _("Newcomers"),
    "units": _("Units in the area"),
}


class Activity(models.Model):
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ActivityKind.choices)
    organiser_kind = models.CharField(_("organised by"), max_length=24, choices=OrganiserKind.choices)
    organiser = optional_key(
        settings.AUTH_USER_MODEL, _("responsible worker"), on_delete=models.SET_NULL, related_name="+"
    )
    team = optional_key(Team, _("team"), related_name="activities")
    organisation = optional_key("registry.Organisation", _("organisation"), related_name="activities")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = optional_key("resources.Venue", _("venue"), related_name="activities")
    place = models.CharField(_("place"), max_length=200, blank=True)  # where, when not a venue
    capacity = models.PositiveIntegerField(_("places"))
    cancel_deadline = models.DateTimeField(_("sign-ups can be cancelled until"))
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    eligibility = models.CharField(
        _("who may sign up"), max_length=20, choices=Eligibility.choices, default=Eligibility.VERIFIED
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["venue", "starts_at"], name="volunteering_activity_venue"),
            models.Index(fields=["area", "status", "starts_at"], name="volunteering_activity_area"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="volunteering_activity_times"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="volunteering_activity_capacity"),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="volunteering_activity_status"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="volunteering_activity_kind"
            ),
            models.CheckConstraint(
                condition=~Q(organiser_kind="team") | Q(team__isnull=False),
                name="volunteering_activity_team_organiser",
            ),
            models.CheckConstraint(
                condition=~Q(organiser_kind__in=["organisation", "party_branch", "league_branch"])
                | Q(organisation__isnull=False),
                name="volunteering_activity_org_organiser",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    """A part of an activity with its own time and places (e.g. 上午班, 下午班)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="shifts")
    name = models.CharField(_("name"), max_length=50)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="volunteering_shift_times"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="volunteering_shift_capacity"),
        ]

    def __str__(self) -> str:
        return self.name


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    shift = optional_key(Shift, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(_("status"), max_length=16, choices=SignUpStatus.choices)
    # Orders the waiting list: the first to sign up is the first to get a freed place.
    created_at = models.DateTimeField(_("signed up at"))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["activity", "status", "created_at"], name="volunteering_signup_queue")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=~Q(status="cancelled"),
                name="volunteering_signup_one_active",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SignUpStatus.values), name="volunteering_signup_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id}@{self.activity_id}"


class CheckMethod(models.TextChoices):
    QR = "qr", _("QR code")
    ORGANISER = "organiser", _("By the organiser")


class Attendance(models.Model):
    signup = models.OneToOneField(SignUp, on_delete=models.CASCADE, related_name="attendance")
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_in_via = models.CharField(max_length=10, choices=CheckMethod.choices)
    checked_in_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_out_via = models.CharField(max_length=10, choices=CheckMethod.choices, blank=True)
    checked_out_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="volunteering_attendance_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.signup_id}"


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class ServiceHours(models.Model):
    """The time one volunteer served at one activity. `computed_minutes` is what check-in and check-out
    gave; `minutes` is what counts, changed only by a recorded correction."""

    signup = models.OneToOneField(SignUp, on_delete=models.PROTECT, related_name="hours")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="hours")
    served_on = models.DateField(_("date"))
    computed_minutes = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField(_("minutes"))
    status = models.CharField(
        _("status"), max_length=16, choices=HoursStatus.choices, default=HoursStatus.PENDING
    )
    confirmed_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        indexes = [
            models.Index(fields=["volunteer", "status", "served_on"], name="volunteering_hours_volunteer"),
            models.Index(fields=["status", "served_on"], name="volunteering_hours_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=HoursStatus.values), name="volunteering_hours_status"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(confirmed_at__isnull=False),
                name="volunteering_hours_confirmed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.minutes}min"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


class HoursCorrection(models.Model):
    """A change of counted minutes: who, when, why, from what to what. Never deleted."""

    hours = models.ForeignKey(ServiceHours, on_delete=models.CASCADE, related_name="corrections")
    minutes_before = models.PositiveIntegerField()
    minutes_after = models.PositiveIntegerField()
    reason = models.CharField(_("reason"), max_length=200)
    by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("hours correction")
        verbose_name_plural = _("hours corrections")
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="volunteering_correction_reason")]

    def __str__(self) -> str:
        return f"{self.minutes_before}→{self.minutes_after}"


class Redemption(models.Model):
    """Points spent by a volunteer on a reward (e.g. 爱心超市 goods)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="redemptions")
    item = models.CharField(_("reward"), max_length=100)
    points = models.PositiveIntegerField(_("points"))
    recorded_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="volunteering_redemption_points")
        ]

    def __str__(self) -> str:
        return self.item


class PointReason(models.TextChoices):
    HOURS = "hours", _("Confirmed service hours")
    CORRECTION = "correction", _("Correction of hours")
    REDEMPTION = "redemption", _("Redemption")


class PointEntry(models.Model):
    """The points ledger: a volunteer's balance is the sum of their entries; nothing is edited."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="point_entries")
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=16, choices=PointReason.choices)
    hours = optional_key(ServiceHours, related_name="+")
    redemption = optional_key(Redemption, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["volunteer", "at"], name="volunteering_points_volunteer")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.points:+d}"


class ActivityReport(models.Model):
    """The short report (简报) after an activity, read by funders and supervisors. Its counts of
    participants and beneficiaries come from the service records, never typed."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="report")
    text = models.TextField(_("report"))
    written_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")

    def __str__(self) -> str:
        return f"{self.activity_id}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="volunteering/reports/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    def __str__(self) -> str:
        return self.image.name or ""


class RecordKind(models.TextChoices):
    PARTICIPANT = "participant", _("Took part")
    BENEFICIARY = "beneficiary", _("Benefited")


class ServiceRecord(models.Model):
    """Who took part in a service (a resident, an outside volunteer, a unit) and who benefited (a
    household, a unit). The participation and benefit rates count these rows exactly.

    A service is a finished activity, or anything another app records through
    `volunteering.records.record_service`: a meeting attended, a class, a group session, a case
    contact. `source` names it ("volunteering.activity:12", "deliberation.meeting:3"), so each person
    is counted once per service however often it is recorded."""

    activity = optional_key(Activity, related_name="service_records")
    source = models.CharField(_("service"), max_length=80)
    source_label = models.CharField(_("what"), max_length=200, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")  # the service's area
    served_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=RecordKind.choices)
    resident = optional_key("registry.Resident", related_name="service_records")
    volunteer = optional_key(Volunteer, related_name="service_records")
    household = optional_key("registry.Household", related_name="service_records")
    organisation = optional_key("registry.Organisation", related_name="service_records")

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        indexes = [
            models.Index(fields=["area", "kind", "served_on"], name="volunteering_record_area"),
            models.Index(fields=["source"], name="volunteering_record_source"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RecordKind.values), name="volunteering_record_kind"),
            # A participant is a person or a unit; a beneficiary is a household or a unit.
            models.CheckConstraint(
                condition=(
                    Q(kind="participant", household__isnull=True)
                    & (Q(resident__isnull=False) | Q(volunteer__isnull=False) | Q(organisation__isnull=False))
                )
                | (
                    Q(kind="beneficiary", resident__isnull=True, volunteer__isnull=True)
                    & (Q(household__isnull=False) | Q(organisation__isnull=False))
                ),
                name="volunteering_record_subject",
            ),
            models.UniqueConstraint(
                fields=["source", "kind", "resident"],
                condition=Q(resident__isnull=False),
                name="volunteering_record_resident",
            ),
            models.UniqueConstraint(
                fields=["source", "kind", "volunteer"],
                condition=Q(volunteer__isnull=False),
                name="volunteering_record_volunteer",
            ),
            models.UniqueConstraint(
                fields=["source", "kind", "household"],
                condition=Q(household__isnull=False),
                name="volunteering_record_household",
            ),
            models.UniqueConstraint(
                fields=["source", "kind", "organisation"],
                condition=Q(organisation__isnull=False),
                name="volunteering_record_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind}"


# --- party leads youth (党建带团建) ------------------------------------------------------------------


class YouthGroup(models.Model):
    """A "1+1+5" group: one party member, one party activist and five youth-league backbones, who find,
    discuss and solve problems of their community. The services check each person's political status."""

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    party_member = models.ForeignKey(
        "registry.Resident", verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+"
    )
    activist = models.ForeignKey(
        "registry.Resident", verbose_name=_("party activist"), on_delete=models.PROTECT, related_name="+"
    )
    backbones = models.ManyToManyField(
        "registry.Resident", verbose_name=_("youth-league backbones"), related_name="youth_groups"
    )
    formed_on = models.DateField(_("formed on"))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("1+1+5 group")
        verbose_name_plural = _("1+1+5 groups")
        constraints = [
            models.CheckConstraint(
                condition=~Q(party_member=F("activist")), name="volunteering_youthgroup_two_people"
            )
        ]

    def __str__(self) -> str:
        return self.name


class GroupMeeting(models.Model):
    group = models.ForeignKey(YouthGroup, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField(
        "registry.Resident", blank=True, related_name="+", verbose_name=_("attendees")
    )
    recorded_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.topic


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Found")
    ACTING = "acting", _("Being acted on")
    SOLVED = "solved", _("Solved")


class GroupProblem(models.Model):
    """A community problem the group found, and (through its actions) what they did about it."""

    group = models.ForeignKey(YouthGroup, on_delete=models.CASCADE, related_name="problems")
    meeting = optional_key(GroupMeeting, on_delete=models.SET_NULL, related_name="problems")
    found_on = models.DateField(_("found on"))
    description = models.TextField(_("problem"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    solved_on = models.DateField(_("solved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem found")
        verbose_name_plural = _("problems found")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProblemStatus.values), name="volunteering_problem_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="solved") | Q(solved_on__isnull=False),
                name="volunteering_problem_solved_on",
            ),
        ]

    def __str__(self) -> str:
        return cut_text(self.description, 30)


class GroupAction(models.Model):
    problem = models.ForeignKey(GroupProblem, on_delete=models.CASCADE, related_name="actions")
    done_on = models.DateField(_("done on"))
    description = models.TextField(_("what was done"))
    recorded_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("action taken")
        verbose_name_plural = _("actions taken")
        ordering = ["done_on", "id"]

    def __str__(self) -> str:
        return cut_text(self.description, 30)


class Attendee(models.Model):
    """A resident recorded as attending an activity without a volunteer's sign-up: a walk-in, a youth
    without an account, a member of a 1+1+5 group signed up by staff. Each takes part in the service
    (a participant's service record when the activity is finished), like a volunteer who checked in."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendees")
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("resident"), on_delete=models.CASCADE, related_name="attended"
    )
    youth_group = models.ForeignKey(
        YouthGroup,
        verbose_name=_("1+1+5 group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "resident"], name="volunteering_attendee_once")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}@{self.activity_id}"
