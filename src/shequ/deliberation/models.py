"""What deliberation's data is: meetings, their agenda (topics), attendance, votes with their ballots,
and decisions. Workflows live in workflow.py, writes in services/, reads in selectors.py."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("Joint meeting")
    COUNCIL = "council", _("Residents' council")
    BUILDING = "building", _("Building or courtyard meeting")
    RESIDENTS = "residents", _("Residents' meeting")
    HEARING = "hearing", _("Hearing")
    COORDINATION = "coordination", _("Coordination meeting")
    EVALUATION = "evaluation", _("Evaluation meeting")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    BOTH = "both", _("In person and online")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOTIFIED = "notified", _("Notified")
    IN_SESSION = "in_session", _("In session")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Base(models.TextChoices):
    """Whom a meeting's quorum (and a topic's participants) is counted on (城市居民委员会组织法 art. 10)."""

    PERSONS = "persons", _("Residents aged 18 and over")
    HOUSEHOLDS = "households", _("Household representatives")
    DELEGATES = "delegates", _("Group delegates")


class Meeting(models.Model):
    """One meeting of an area (building, grid, community or street), held at a venue of the register
    (its time is a booking of the venue's one calendar) or online."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(
        _("mode"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    venue = models.ForeignKey(
        "resources.Venue",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("place or link"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=50)
    recorder = models.CharField(_("recorder"), max_length=50)
    # The quorum: more than (or at least) numerator/denominator of the base. The law's default is
    # "more than half" of the residents aged 18+, the households or the group delegates.
    quorum_base = models.CharField(
        _("quorum base"), max_length=16, choices=Base.choices, default=Base.PERSONS
    )
    quorum_numerator = models.PositiveSmallIntegerField(default=1)
    quorum_denominator = models.PositiveSmallIntegerField(default=2)
    quorum_strict = models.BooleanField(_("more than (not at least)"), default=True)
    # Group delegates are not in the registry: how many the resident groups sent (2–3 each).
    delegates_expected = models.PositiveIntegerField(_("delegates expected"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    # How many days ahead those who take part are told (中办发〔2015〕41号 asks for notice ahead, with no
    # number; 7 days is the practice, the property rules' 15 days for owners' meetings a locality's
    # choice). A notice sent later is recorded as late, not refused: the meeting may still be needed.
    notice_days = models.PositiveSmallIntegerField(_("notice ahead (days)"), default=7)
    notified_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["area", "starts_at"], name="deliberation_meeting_area")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="deliberation_meeting_ends"),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="deliberation_meeting_status"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="deliberation_meeting_kind"
            ),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gt=0) & Q(quorum_numerator__lte=F("quorum_denominator")),
                name="deliberation_meeting_quorum_share",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TopicSource(models.TextChoices):
    APPEAL = "appeal", _("A resident's appeal")
    NEED = "need", _("A need")
    STAFF = "staff", _("Staff")
    PROPOSAL = "proposal", _("A residents' proposal")


class Topic(models.Model):
    """One matter on a meeting's agenda (议题), with its own participants (一事一议一主体)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=TopicSource.choices, default=TopicSource.STAFF
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="topics"
    )
    need = models.ForeignKey("needs.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    participants_base = models.CharField(
        _("who takes part"), max_length=16, choices=Base.choices, default=Base.HOUSEHOLDS
    )
    buildings = models.ManyToManyField(
        Area, verbose_name=_("affected buildings"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["meeting", "position", "id"]
        constraints = [
            # An appeal is on one meeting's agenda once.
            models.UniqueConstraint(
                fields=["meeting", "appeal"],
                condition=Q(appeal__isnull=False),
                name="deliberation_topic_appeal",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A resident present (or represented by a proxy) at a meeting: counted once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    # The person who came in the resident's place (a family member, a neighbour), when one did.
    proxy_name = models.CharField(_("proxy"), max_length=50, blank=True)
    is_delegate = models.BooleanField(_("group delegate"), default=False)
    # By the list at the door, or by the resident scanning the meeting's QR code.
    via = models.CharField(
        _("signed in by"), max_length=8, choices=[("list", _("List")), ("qr", _("QR code"))], default="list"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["meeting", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "resident"], name="deliberation_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.resident_id}"


class VoteMethod(models.TextChoices):
    HANDS = "hands", _("Show of hands")
    BALLOT = "ballot", _("Ballots (paper or online)")


class VoteUnit(models.TextChoices):
    PERSON = "person", _("One vote per person")
    HOUSEHOLD = "household", _("One vote per household")


class VoteRule(models.TextChoices):
    MAJORITY = "majority", _("More than half of those present")
    ART278_MAJOR = "art278_major", _("Civil Code art. 278, major matter (3/4)")
    ART278_ORDINARY = "art278_ordinary", _("Civil Code art. 278, other matter (more than 1/2)")


class VoteStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Choice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    """A question put to the vote at a meeting. The tallies are kept on the vote itself, so a secret
    vote's ballots need not say how anyone voted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes")
    question = models.CharField(_("question"), max_length=300)
    method = models.CharField(
        _("method"), max_length=16, choices=VoteMethod.choices, default=VoteMethod.BALLOT
    )
    unit = models.CharField(
        _("one vote per"), max_length=16, choices=VoteUnit.choices, default=VoteUnit.PERSON
    )
    rule = models.CharField(_("rule"), max_length=20, choices=VoteRule.choices, default=VoteRule.MAJORITY)
    secret = models.BooleanField(_("secret"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    votes_for = models.PositiveIntegerField(default=0)
    votes_against = models.PositiveIntegerField(default=0)
    votes_abstain = models.PositiveIntegerField(default=0)
    area_for = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    area_against = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    area_abstain = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    # A show of hands is counted by a named officer.
    counted_by = models.CharField(_("counted by"), max_length=50, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["meeting", "opened_at", "id"]

    def __str__(self) -> str:
        return self.question

    @property
    def area(self) -> Area:
        """The meeting's area: the VOTE table checks permissions on the meeting's place."""
        return self.meeting.area

    @property
    def by_floor_area(self) -> bool:
        return self.rule in (VoteRule.ART278_MAJOR, VoteRule.ART278_ORDINARY)


class RollEntry(models.Model):
    """One owner on a vote's roll (Civil Code art. 278 votes): the household and its exclusive floor
    area. The household record does not hold floor areas yet, so the roll does, per vote."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    owner = models.CharField(_("owner"), max_length=50)
    floor_area = models.DecimalField(_("exclusive floor area (m²)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], name="deliberation_roll_once"),
            models.CheckConstraint(condition=Q(floor_area__gt=0), name="deliberation_roll_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.household_id}"


class Ballot(models.Model):
    """One voter's ballot. `voter` is the person or the household (by the vote's unit), so nobody
    votes twice whatever the channel; a secret vote keeps who voted, not how (choice left blank)."""

    class Channel(models.TextChoices):
        PAPER = "paper", _("Paper ballot")
        ONLINE = "online", _("Online")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    voter = models.CharField(max_length=40)  # "resident:<pk>" or "household:<pk>"
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices, blank=True)
    floor_area = models.DecimalField(
        _("exclusive floor area (m²)"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["vote", "voter"], name="deliberation_ballot_once")]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.voter}"


class DecisionMethod(models.TextChoices):
    CONSENSUS = "consensus", _("Agreed by consultation")
    HANDS = "hands", _("Show of hands")
    BALLOT = "ballot", _("Ballots (paper or online)")


class DecisionStatus(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    DONE = "done", _("Implemented")


class Decision(models.Model):
    """What a meeting decided, with the counts it rests on. Taken without quorum it is recorded as not
    valid (and shown so), never silently as valid."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    vote = models.OneToOneField(
        Vote, null=True, blank=True, on_delete=models.SET_NULL, related_name="decision"
    )
    method = models.CharField(_("method"), max_length=16, choices=DecisionMethod.choices)
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstaining"), default=0)
    text = models.TextField(_("decision"))
    responsible = models.CharField(_("responsible"), max_length=100)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    valid = models.BooleanField(_("valid"))
    invalid_reason = models.CharField(_("why not valid"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.ADOPTED
    )
    done_at = models.DateTimeField(null=True, blank=True)
    # Public posting (公示) on the community's public page: an anonymised text, for a period, with a
    # window in which residents may object.
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_until = models.DateField(_("posted until"), null=True, blank=True)
    objection_until = models.DateField(_("objections until"), null=True, blank=True)
    public_text = models.TextField(_("public text"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "created_at", "id"]
        indexes = [models.Index(fields=["posted_until"], name="deliberation_decision_posted")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid=True) | ~Q(invalid_reason=""), name="deliberation_decision_invalid_why"
            ),
            # Only a valid decision is posted as the community's decision.
            models.CheckConstraint(
                condition=Q(posted_at__isnull=True) | Q(valid=True), name="deliberation_decision_posted_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def area(self) -> Area:
        return self.meeting.area


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AMENDING = "amending", _("Open for amendments")
    FROZEN = "frozen", _("Frozen and signed")


class Minutes(models.Model):
    """The record of a meeting (会议记录): a draft during the meeting, amended in a set window, then
    frozen and signed. A frozen record is never edited: a correction is a new record linked to it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("minutes"))
    status = models.CharField(
        _("status"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    amend_until = models.DateTimeField(_("amendments until"), null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=120, blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["meeting", "created_at", "id"]
        constraints = [
            # One original record per meeting; corrections link to what they correct.
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(corrects__isnull=True), name="deliberation_minutes_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.pk}"

    @property
    def area(self) -> Area:
        return self.meeting.area


class Amendment(models.Model):
    """An amendment an attendee proposes to the minutes in their window: kept beside the text (the
    recorder works it in), so what a resident wrote is never lost nor written over."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="amendments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("by"), max_length=50)
    text = models.TextField(_("amendment"))
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["minutes", "at", "id"]

    def __str__(self) -> str:
        return f"{self.minutes_id}:{self.pk}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Gathering signatures")
    QUALIFIED = "qualified", _("Threshold reached")
    SCHEDULED = "scheduled", _("On an agenda")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Proposal(models.Model):
    """A residents' proposal (居民提议) that gathers co-signatures. Reaching its threshold — by default
    the law's 1/5 of the residents aged 18+ (or of the households) of its area — puts it on the next
    agenda of the area by itself."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("proposal"))
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    base = models.CharField(
        _("signatures counted on"), max_length=16, choices=Base.choices, default=Base.PERSONS
    )
    threshold_numerator = models.PositiveSmallIntegerField(default=1)
    threshold_denominator = models.PositiveSmallIntegerField(default=5)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    topic = models.OneToOneField(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_denominator__gt=0)
                & Q(threshold_numerator__lte=F("threshold_denominator")),
                name="deliberation_proposal_threshold",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    """One co-signature: per person, or per household when the proposal counts households."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="signatures")
    signer = models.CharField(max_length=40)  # "resident:<pk>" or "household:<pk>"
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "signer"], name="deliberation_signature_once")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.signer}"


class Milestone(models.Model):
    """A step of a decision's follow-up (落实): who carries it out, by when, how far it has come, with
    photos as proof. One past its due date and not done is escalated once by the scheduler."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    owner = models.CharField(_("owner"), max_length=100)
    due = models.DateField(_("due"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    note = models.TextField(_("progress note"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["decision", "due", "id"]
        indexes = [models.Index(fields=["due"], name="deliberation_milestone_due")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="deliberation_milestone_progress"),
            # Done exactly when it reached 100 %.
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, progress__lt=100) | Q(done_at__isnull=False, progress=100),
                name="deliberation_milestone_done",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def area(self) -> Area:
        return self.decision.meeting.area


class MilestonePhoto(models.Model):
    """A photo of a milestone's progress (core/photos.py: re-encoded without metadata)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="deliberation/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("milestone photo")
        verbose_name_plural = _("milestone photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.milestone_id}/{self.pk}"


class PostingPhoto(models.Model):
    """A photo of the paper notice on the board (公示), the proof that it was posted; shown on the public
    page while the decision is posted (core/photos.py: re-encoded without metadata)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="posting_photos")
    image = models.FileField(upload_to="deliberation/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo of the posted notice")
        verbose_name_plural = _("photos of the posted notice")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision_id}/{self.pk}"


class Objection(models.Model):
    """A resident's objection to a posted decision, within its window: once each; shown anonymised on
    the public page."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="objections")
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    public_text = models.TextField(_("public text"))
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["decision", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "resident"], name="deliberation_objection_once")
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}:{self.resident_id}"


class Evaluation(models.Model):
    """A resident's rating of how a decision was implemented (共评): once per person, 1–5."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="evaluations")
    rater = models.CharField(max_length=40)  # "resident:<pk>"
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("co-evaluation")
        verbose_name_plural = _("co-evaluations")
        constraints = [
            models.UniqueConstraint(fields=["decision", "rater"], name="deliberation_evaluation_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="deliberation_evaluation_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}:{self.rater}"
