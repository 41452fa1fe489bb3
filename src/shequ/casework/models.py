"""Casework (个案) through the stages of MZ/T 094-2017, and who supervises whom.

A case carries ``area_path`` (a copy of its client's building path; areas never move) so that scopes
and figures are one index range without a join, as in appeals and needs. Case notes are the most
sensitive data in the product: kept encrypted (core/crypto.py) in their own table, read only through
`services.notes.notes_read`, which checks and audits every read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.models import PATH_STEP, Area
from shequ.needs.models import client_fields


class Stage(models.TextChoices):
    """The stages of MZ/T 094-2017: 接案 → 预估 → 计划 → 介入 → 评估 → 结案."""

    # In their own context: the project's catalogue already says "Closed" of an appeal (已办结).
    INTAKE = "intake", pgettext_lazy("case stage", "Intake")
    ASSESSMENT = "assessment", pgettext_lazy("case stage", "Assessment")
    PLAN = "plan", pgettext_lazy("case stage", "Planning")
    INTERVENTION = "intervention", pgettext_lazy("case stage", "Intervention")
    EVALUATION = "evaluation", pgettext_lazy("case stage", "Evaluation")
    CLOSED = "closed", pgettext_lazy("case stage", "Closed")


OPEN_STAGES = tuple(s for s in Stage.values if s != Stage.CLOSED)


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    VISIT = "visit", _("Home visit")
    APPEAL = "appeal", _("Appeal")
    REFERRAL = "referral", _("Referral")
    NEED = "need", _("Need")


class Risk(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    CLIENT_WITHDREW = "client_withdrew", _("The client withdrew")
    REFERRED_ON = "referred_on", _("Referred to another service")
    MOVED_AWAY = "moved_away", _("The client moved away")
    DIED = "died", _("The client died")
    OTHER = "other", _("Other")


class GoalsMet(models.TextChoices):
    ALL = "all", _("All goals met")
    PARTLY = "partly", _("Some goals met")
    NONE = "none", _("No goal met")


class Case(models.Model):
    """One case: a resident or a household as the client (resident.cases, household.cases), a case
    worker (the owner), its stage."""

    area = models.ForeignKey(Area, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False)
    resident, household = client_fields("cases", resident_label=_("client"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # The appeal about a vulnerable resident that opened the case: appeal.cases is the other way.
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("appeal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    visit = models.ForeignKey(
        "needs.Visit", verbose_name=_("home visit"), null=True, blank=True, on_delete=models.SET_NULL
    )
    need = models.ForeignKey(
        "needs.Need", verbose_name=_("need"), null=True, blank=True, on_delete=models.SET_NULL
    )
    referred_by = models.CharField(_("referred by"), max_length=100, blank=True)
    # What brought the client (not a case note: seen by all who may see the case).
    problem = models.CharField(_("presenting problem"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("case worker"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INTAKE)
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices, blank=True)
    opened_on = models.DateField(_("opened on"))
    # Closure: asked for by the case worker with a reason and a note, approved by the supervisor.
    closure_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    goals_met = models.CharField(_("goals met"), max_length=8, choices=GoalsMet.choices, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["area_path", "stage"], name="casework_case_scope"),
            models.Index(fields=["owner", "stage"], name="casework_case_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | Q(household__isnull=False), name="casework_case_client"
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="casework_case_stage"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="casework_case_source"),
            models.CheckConstraint(
                condition=(Q(stage="closed") & Q(closed_on__isnull=False))
                | (~Q(stage="closed") & Q(closed_on__isnull=True)),
                name="casework_case_closed_on",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def client_name(self) -> str:
        if self.resident is not None:
            return self.resident.name
        return self.household.address if self.household is not None else ""


class CaseEvent(models.Model):
    """The case's history: each step taken, with who, when and why (a reopening is one)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_stage = models.CharField(max_length=16, blank=True)
    to_stage = models.CharField(max_length=16, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.case_id}"


DOMAINS = (
    ("health", _("Health")),
    ("income", _("Income")),
    ("family", _("Family")),
    ("social_support", _("Social support")),
    ("safety", _("Safety")),
)


class Assessment(models.Model):
    """预估: each domain scored 1 (serious difficulty) to 5 (no difficulty), and a risk level."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    health = models.PositiveSmallIntegerField(_("health"))
    income = models.PositiveSmallIntegerField(_("income"))
    family = models.PositiveSmallIntegerField(_("family"))
    social_support = models.PositiveSmallIntegerField(_("social support"))
    safety = models.PositiveSmallIntegerField(_("safety"))
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices)
    summary = models.CharField(_("summary"), max_length=1000, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessed on"))

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(health__range=(1, 5))
                & Q(income__range=(1, 5))
                & Q(family__range=(1, 5))
                & Q(social_support__range=(1, 5))
                & Q(safety__range=(1, 5)),
                name="casework_assessment_scores",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_risk_display()} #{self.case_id}"


class Plan(models.Model):
    """计划: goals and tasks, submitted by the case worker, approved by the supervisor before work."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"plan #{self.case_id}"


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("goal"), max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class PlanTask(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    text = models.CharField(_("task"), max_length=300)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # Set once by the nightly job (jobs.py) when the task is past its due date and not done.
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["due_on"], name="casework_task_due", condition=Q(done_on=None))]

    def __str__(self) -> str:
        return self.text


class ContactKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    OFFICE = "office", _("Office interview")
    PHONE = "phone", _("Phone call")
    ACCOMPANY = "accompany", _("Accompanying the client")
    OTHER = "other", _("Other")


class Contact(models.Model):
    """介入: one dated contact with the client. Its service, when one was given, is a service record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    # What was done, in a line: the content of the conversation belongs in a case note.
    summary = models.CharField(_("what was done"), max_length=300)
    service = models.BooleanField(_("a service was given"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class CaseNote(models.Model):
    """A case note, encrypted at rest. Read only through services.notes (checked and audited)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text_encrypted = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"note #{self.case_id}"  # never the text


class SupervisionLink(models.Model):
    """督导: a social worker who supervises another. Approving plans and closures is the supervisor's."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.CASCADE, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisee"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area_path", "id"]
        constraints = [
            # One supervisor per worker: who approves their plans is never in doubt.
            models.UniqueConstraint(fields=["worker"], name="casework_one_supervisor"),
            models.CheckConstraint(condition=~Q(worker=models.F("supervisor")), name="casework_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor_id} → {self.worker_id}"


class ConsentPurpose(models.TextChoices):
    TRANSFER = "transfer", _("Transfer to another social worker")
    REFERRAL = "referral", _("Referral to a department or an organisation")


class ConsentHow(models.TextChoices):
    WRITTEN = "written", _("Signed in writing")
    ORAL = "oral", _("Given orally, witnessed")


class Consent(models.Model):
    """The client's recorded consent to a transfer or a referral (PIPL art. 23: sharing with another
    handler; art. 29: a separate consent for sensitive information). Refused without it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=10, choices=ConsentPurpose.choices)
    given_to = models.CharField(_("shared with"), max_length=100)
    sensitive = models.BooleanField(_("separate consent to share sensitive information"), default=False)
    how = models.CharField(_("how it was given"), max_length=10, choices=ConsentHow.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    used = models.BooleanField(default=False)  # a consent is spent by the transfer or referral it allowed

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.purpose} #{self.case_id}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiver")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class Transfer(models.Model):
    """A case handed to another social worker: ownership moves when the receiver accepts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(_("why refused"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="casework_one_pending_transfer"
            )
        ]

    def __str__(self) -> str:
        return f"transfer #{self.case_id}"


class ReferralTo(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs (民政)")
    DISABLED_FEDERATION = "disabled_federation", _("Disabled persons' federation (残联)")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance (医保)")
    JUDICIAL_OFFICE = "judicial_office", _("Judicial office (司法所)")
    ORGANISATION = "organisation", _("A social organisation")


class Referral(models.Model):
    """A case referred to a department or an organisation: its named receiver reads a limited summary
    (never the notes; the assessment only with the separate consent) until the case worker revokes it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    to_kind = models.CharField(_("referred to"), max_length=20, choices=ReferralTo.choices)
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("receiver"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("what is asked"), max_length=500)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["receiver"], name="casework_referral_receiver")]

    def __str__(self) -> str:
        return f"referral #{self.case_id}"


class SupervisionSession(models.Model):
    """督导 session: a supervisor and one supervisee, its hours and topics, the cases discussed; it
    counts towards the monthly quota once both have signed it."""

    link = models.ForeignKey(SupervisionLink, on_delete=models.PROTECT, related_name="sessions")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False)
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(_("hours"), max_digits=3, decimal_places=1)
    topics = models.CharField(_("topics"), max_length=500)
    cases = models.ManyToManyField(Case, verbose_name=_("cases discussed"), blank=True, related_name="+")
    supervisor_signed_at = models.DateTimeField(null=True, blank=True)
    worker_signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["worker", "held_on"], name="casework_session_worker")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=8), name="casework_session_hours")
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.hours}h"

    @property
    def signed(self) -> bool:
        return self.supervisor_signed_at is not None and self.worker_signed_at is not None


# --- the client's ties: what the ecomap and the genogram draw beside the registry's household ------


class TieKind(models.TextChoices):
    FAMILY = "family", _("Family outside the household")
    FRIEND = "friend", _("Friends")
    NEIGHBOUR = "neighbour", _("Neighbours")
    COMMUNITY = "community", _("Residents' committee, grid worker")
    HEALTH = "health", _("Health care")
    SERVICE = "service", _("Social services, organisations")
    WORK = "work", _("Work or school")
    OTHER = "other", _("Other")


class TieRelation(models.TextChoices):
    """Where a relative outside the household sits on the genogram, from the client."""

    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Son or daughter")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other relative")


class TieStrength(models.TextChoices):
    STRONG = "strong", _("Strong")
    MODERATE = "moderate", _("Moderate")
    WEAK = "weak", _("Weak")


class SupportFlow(models.TextChoices):
    TO_CLIENT = "to_client", _("They support the client")
    FROM_CLIENT = "from_client", _("The client supports them")
    BOTH = "both", _("Both ways")
    NONE = "none", _("No support flows")


class Tie(models.Model):
    """One tie of the client recorded in the case (a daughter in another city, the neighbours, the
    clinic): its strength, whether it is a source of stress, and which way support flows."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ties")
    kind = models.CharField(_("kind"), max_length=12, choices=TieKind.choices)
    name = models.CharField(_("who"), max_length=50)
    relation = models.CharField(_("relation"), max_length=12, choices=TieRelation.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=1, blank=True)
    strength = models.CharField(_("strength"), max_length=10, choices=TieStrength.choices)
    stress = models.BooleanField(_("a source of stress"), default=False)
    flow = models.CharField(_("flow of support"), max_length=12, choices=SupportFlow.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TieKind.values), name="casework_tie_kind"),
            models.CheckConstraint(
                condition=Q(strength__in=TieStrength.values), name="casework_tie_strength"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- group work (小组工作), MZ/T 095-2017 ------------------------------------------------------------


class GroupStage(models.TextChoices):
    """筹备 → 形成 → 转折 → 成熟 → 结束, and closed once the outcome is recorded."""

    PREPARATION = "preparation", pgettext_lazy("group stage", "Preparation")
    FORMATION = "formation", pgettext_lazy("group stage", "Formation")
    TRANSITION = "transition", pgettext_lazy("group stage", "Transition")
    MATURITY = "maturity", pgettext_lazy("group stage", "Maturity")
    ENDING = "ending", pgettext_lazy("group stage", "Ending")
    CLOSED = "closed", pgettext_lazy("group stage", "Closed")


class Scale(models.TextChoices):
    """The scale a group's members are scored on before and after (its range in SCALE_RANGE)."""

    WELLBEING = "wellbeing", _("Self-rated wellbeing (1–10)")
    LONELINESS = "loneliness", _("Three-item loneliness scale, UCLA-3 (3–9, lower is better)")
    SUPPORT = "support", _("Perceived social support, MSPSS short (4–28)")
    AGREEMENT = "agreement", _("The group's aims reached, self-rated (1–5)")


SCALE_RANGE = {"wellbeing": (1, 10), "loneliness": (3, 9), "support": (4, 28), "agreement": (1, 5)}


class Group(models.Model):
    """A group with its plan (aims, planned sessions), its worker, its members and sessions."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False)
    name = models.CharField(_("name"), max_length=100)
    aims = models.CharField(_("aims"), max_length=1000)
    planned_sessions = models.PositiveSmallIntegerField(_("sessions planned"))
    scale = models.CharField(_("scale"), max_length=12, choices=Scale.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("group worker"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=GroupStage.choices, default=GroupStage.PREPARATION
    )
    aims_met = models.CharField(_("aims met"), max_length=8, choices=GoalsMet.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=2000, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area_path", "stage"], name="casework_group_scope")]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=GroupStage.values), name="casework_group_stage"),
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1) & Q(planned_sessions__lte=50),
                name="casework_group_sessions",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A member recruited from the registry, or from a case (the case is kept: its worker knows why)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score_before = models.PositiveSmallIntegerField(_("score before"), null=True, blank=True)
    score_after = models.PositiveSmallIntegerField(_("score after"), null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "resident"], name="casework_group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} @ {self.group_id}"


class GroupSession(models.Model):
    """One session: its date, its topic, who attended and its record. Attending is taking part in a
    service (volunteering.records), once per member per group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("no."))
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    record = models.CharField(_("record"), max_length=2000)
    stage = models.CharField(_("stage"), max_length=12, choices=GroupStage.choices)
    attended = models.ManyToManyField(
        GroupMember, verbose_name=_("attended"), blank=True, related_name="attended_sessions"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="casework_group_session_no")]

    def __str__(self) -> str:
        return f"{self.group_id}/{self.number}"
