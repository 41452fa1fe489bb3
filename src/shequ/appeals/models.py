"""What an appeal (诉求/事件) is: its category and deadlines, its place and level, every step of its
closed loop, its photos, its evaluation, and the notifications it sends. The workflow's rules are
in workflow.py, its writes in services/; here are only the fields, the constraints and small
derived properties."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core.models import PATH_STEP, Area, optional_key


class Stage(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    HANDLED = "handled", _("Handled")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    EVALUATED = "evaluated", _("Evaluated")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


# Stages in which the appeal still waits for someone: they carry a deadline and show in queues.
OPEN_STAGES = (
    Stage.REPORTED,
    Stage.ACCEPTED,
    Stage.DISPATCHED,
    Stage.IN_PROGRESS,
    Stage.HANDLED,
    Stage.VERIFIED,
)
DEADLINE_STAGES = (Stage.REPORTED, Stage.ACCEPTED, Stage.DISPATCHED, Stage.IN_PROGRESS, Stage.HANDLED)
FINISHED_STAGES = (Stage.CLOSED, Stage.EVALUATED)


class Level(models.TextChoices):
    """Small things stay in the estate, big things in the community; the rest goes up (乡呼县应)."""

    ESTATE = "estate", _("Estate")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")


LEVEL_ORDER = [Level.ESTATE, Level.COMMUNITY, Level.STREET, Level.DISTRICT]
# The kind of area that answers for an appeal at each level (an estate is a grid of the tree).
LEVEL_AREA_KIND = {
    Level.ESTATE: "grid",
    Level.COMMUNITY: "community",
    Level.STREET: "street",
    Level.DISTRICT: "district",
}
# Depth in the area tree of the area answering at each level (district = 1).
LEVEL_DEPTH = {Level.DISTRICT: 1, Level.STREET: 2, Level.COMMUNITY: 3, Level.ESTATE: 4}


class Channel(models.TextChoices):
    RESIDENT = "resident", _("Reported by a resident")
    PATROL = "patrol", _("Found on patrol")
    HOTLINE = "hotline", _("Phone call taken by staff")
    VISIT = "visit", _("Visit taken by staff")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class HandlerKind(models.TextChoices):
    PERSON = "person", _("A person")
    TEAM = "team", _("A team")
    UNIT = "unit", _("A unit (e.g. the property company)")


class Category(models.Model):
    """One entry of the configurable taxonomy (环境卫生, 道路设施, 停车管理 …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    # The level at which a new appeal of this category starts (a policy question goes to the community).
    default_level = models.CharField(
        _("starting level"), max_length=16, choices=Level.choices, default=Level.ESTATE
    )
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_level__in=Level.values), name="appeals_category_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StageDeadline(models.Model):
    """How many hours an appeal of this category and priority may spend in this stage."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="deadlines")
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    hours = models.PositiveIntegerField(_("hours"))

    class Meta:
        verbose_name = _("stage deadline")
        verbose_name_plural = _("stage deadlines")
        constraints = [
            models.UniqueConstraint(fields=["category", "priority", "stage"], name="appeals_deadline_unique"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="appeals_deadline_positive"),
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in DEADLINE_STAGES]),
                name="appeals_deadline_stage_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.priority} · {self.stage}: {self.hours}h"


class Appeal(models.Model):
    """A resident's issue or an event found on patrol, on its way through the closed loop."""

    # Where it is: a building, grid or community. area_path is a copy of its path (areas never
    # move) so that scopes, queues and figures are one index range without a join.
    area = models.ForeignKey(Area, verbose_name=_("place"), on_delete=models.PROTECT, related_name="appeals")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="appeals"
    )
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    # Who reported: the account that typed it (a resident, a grid worker on patrol, staff on behalf),
    # and the person it concerns when staff took a call or a visit.
    reporter = optional_key(
        settings.AUTH_USER_MODEL, _("reported by"), on_delete=models.SET_NULL, related_name="appeals_reported"
    )
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone_encrypted = models.TextField(blank=True)
    # The reporter's name and phone are shown only to community staff and above, never to handlers.
    contact_withheld = models.BooleanField(_("contact withheld"), default=False)

    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.REPORTED)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.ESTATE)
    # The grid, community, street or district answering for it now; escalation moves it up.
    handling_area = models.ForeignKey(
        Area, verbose_name=_("answering area"), on_delete=models.PROTECT, related_name="appeals_held"
    )
    handling_path = models.CharField(max_length=PATH_STEP * 8, editable=False)
    handler_kind = models.CharField(_("handler"), max_length=16, choices=HandlerKind.choices, blank=True)
    handler_user = optional_key(
        settings.AUTH_USER_MODEL,
        _("handling person"),
        on_delete=models.SET_NULL,
        related_name="appeals_handled",
    )
    handler_organisation = optional_key(
        "registry.Organisation",
        _("handling team or unit"),
        on_delete=models.SET_NULL,
        related_name="appeals_handled",
    )
    # A volunteer team (志愿服务队) of the community: the third kind of handler the dispatch offers.
    handler_team = models.ForeignKey(
        "volunteering.Team",
        verbose_name=_("handling volunteer team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals_handled",
    )
    result = models.TextField(_("handling result"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    merged_into = optional_key("self", _("merged into"), related_name="merged")
    # A seam for deliberation: staff mark an appeal for the agenda of a joint meeting (later issue).
    for_deliberation = models.BooleanField(_("for the joint meeting"), default=False)

    # Deadlines: state kept in the database, so the scheduled job survives restarts.
    stage_started_at = models.DateTimeField()
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    # When the handler is warned (80% of the stage's time); cleared once the warning is sent.
    warn_at = models.DateTimeField(null=True, blank=True)
    # Set once when the appeal is past a deadline at the top level (nothing left to escalate to).
    overdue_noticed_at = models.DateTimeField(null=True, blank=True)
    was_overdue = models.BooleanField(_("missed a deadline"), default=False)

    reported_at = models.DateTimeField(_("reported at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Public notice (公示): an anonymised summary and result, shown without login once published.
    published_at = models.DateTimeField(null=True, blank=True)
    public_summary = models.TextField(_("public summary"), blank=True)
    public_result = models.TextField(_("public result"), blank=True)

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "stage"], name="appeals_area_stage"),
            models.Index(fields=["handling_path", "deadline_at"], name="appeals_handling_deadline"),
            models.Index(fields=["stage", "deadline_at"], name="appeals_stage_deadline"),
            models.Index(fields=["warn_at"], name="appeals_warn_at"),
            models.Index(fields=["area_path", "reported_at"], name="appeals_area_reported"),
            models.Index(fields=["reporter", "reported_at"], name="appeals_reporter"),
            models.Index(fields=["handler_user", "stage"], name="appeals_handler_stage"),
            models.Index(fields=["published_at"], name="appeals_published"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="appeals_stage_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="appeals_level_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="appeals_channel_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="appeals_priority_valid"),
            models.CheckConstraint(
                condition=Q(handler_kind__in=["", *HandlerKind.values]), name="appeals_handler_kind_valid"
            ),
            # A merged appeal points at the one it joined, and only a merged one does.
            models.CheckConstraint(
                condition=(Q(stage=Stage.MERGED) & Q(merged_into__isnull=False))
                | (~Q(stage=Stage.MERGED) & Q(merged_into__isnull=True)),
                name="appeals_merged_has_target",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(stage__in=[s.value for s in FINISHED_STAGES]),
                name="appeals_published_only_finished",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="appeals_description_required"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def is_overdue(self, now: object) -> bool:
        return bool(self.deadline_at and self.is_open and self.deadline_at <= now)  # type: ignore[operator]


class AppealStep(models.Model):
    """One step of an appeal's history: who did what, when, from which stage and level to which."""

    class Action(models.TextChoices):
        REPORT = "report", _("Reported")
        ACCEPT = "accept", _("Accepted")
        REJECT = "reject", _("Rejected")
        MERGE = "merge", _("Merged into another appeal")
        DISPATCH = "dispatch", _("Dispatched")
        START = "start", _("Work started")
        HANDLE = "handle", _("Handled")
        REWORK = "rework", _("Sent back for rework")
        VERIFY = "verify", _("Verified")
        CLOSE = "close", _("Closed")
        REOPEN = "reopen", _("Reopened")
        EVALUATE = "evaluate", _("Evaluated")
        ESCALATE = "escalate", _("Escalated")
        WARN = "warn", _("Deadline warning")
        OVERDUE = "overdue", _("Deadline missed")
        PUBLISH = "publish", _("Published")
        # Deliberation (the seam): the appeal became a topic of a meeting, then its decision.
        MEETING = "meeting", _("On a meeting's agenda")
        DECIDED = "decided", _("Decided at a meeting")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("time"))
    # None: the scheduled job.
    actor = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    from_level = models.CharField(max_length=16, choices=Level.choices, blank=True)
    to_level = models.CharField(max_length=16, choices=Level.choices)
    note = models.TextField(_("note"), blank=True)
    # Seconds the appeal had spent in from_stage when it left it (for the time-in-stage figures).
    stage_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("appeal step")
        verbose_name_plural = _("appeal steps")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["appeal", "at"], name="appeals_step_appeal_at")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Evaluation(models.Model):
    """The reporter's satisfaction (1–5) and comment, once the appeal is closed."""

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="evaluation")
    score = models.PositiveSmallIntegerField(_("satisfaction"))
    comment = models.TextField(_("comment"), blank=True)
    by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    # Staff recorded it on a call-back for a reporter without an account (回访).
    on_behalf = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="appeals_evaluation_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.score}"


class Photo(models.Model):
    """A photo of the problem (on report) or of the result (on handling), re-encoded without metadata."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Photo of the problem")
        RESULT = "result", _("Photo of the result")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    image = models.FileField(upload_to="appeals/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id}/{self.pk}"


class Notification(models.Model):
    """A message in the product: the reporter and the handlers are told of each step."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    appeal = optional_key(Appeal, on_delete=models.CASCADE, related_name="+")
    # The step's action; the text is rendered in the reader's language when shown.
    action = models.CharField(max_length=16, choices=AppealStep.Action.choices)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="appeals_notice_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.action} #{self.appeal_id}"


# Hours per stage when a category has no row of its own (read by the deadline job and the deadlines
# page alike, so it lives below both) (normal / urgent / emergency).
DEFAULT_HOURS: dict[str, dict[str, int]] = {
    Priority.NORMAL: {
        Stage.REPORTED: 24,
        Stage.ACCEPTED: 24,
        Stage.DISPATCHED: 24,
        Stage.IN_PROGRESS: 120,
        Stage.HANDLED: 72,
    },
    Priority.URGENT: {
        Stage.REPORTED: 4,
        Stage.ACCEPTED: 4,
        Stage.DISPATCHED: 4,
        Stage.IN_PROGRESS: 48,
        Stage.HANDLED: 24,
    },
    Priority.EMERGENCY: {
        Stage.REPORTED: 1,
        Stage.ACCEPTED: 1,
        Stage.DISPATCHED: 1,
        Stage.IN_PROGRESS: 12,
        Stage.HANDLED: 12,
    },
}
