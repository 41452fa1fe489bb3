"""The registry: residents, households, buildings, organisations, and the special groups the seeds name.

Sensitive values (ID and card numbers, phones, health notes) are stored encrypted with a blind index
where they must be found again; see registry/services.py, the only place that writes them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.models import Area, User, optional_key


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", _("Masses")
    PARTY_MEMBER = "party_member", _("Party member")
    ACTIVIST = "activist", _("Party activist")
    LEAGUE_MEMBER = "league_member", _("Youth-league member")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Hong Kong / Macao permit")
    TAIWAN = "taiwan", _("Taiwan permit")


class Registration(models.TextChoices):
    HOUSEHOLD = "household", _("Registered here (户籍)")
    RESIDENT = "resident", _("Permanent resident (常住)")
    FLOATING = "floating", _("Floating population (流动)")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")
    ERASED = "erased", _("Erased on request")


class Household(models.Model):
    """A household (户) living in a building."""

    area = models.ForeignKey(
        Area, verbose_name=_("building"), on_delete=models.PROTECT, related_name="households"
    )
    room = models.CharField(_("room"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200)
    head = optional_key("Resident", _("head"), on_delete=models.SET_NULL, related_name="+")
    # e.g. 困难家庭, 空巢家庭, 军属: a short, fixed vocabulary (HOUSEHOLD_TAGS), stored as a list.
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # For building matters under Civil Code art. 278: who owns the home and its exclusive floor area
    # (专有部分面积), as the property register says; a vote's roll of owners is filled from them.
    owner = models.CharField(_("owner"), max_length=50, blank=True)
    floor_area = models.DecimalField(
        _("exclusive floor area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["area", "room"], name="registry_household_area_room")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(floor_area__isnull=True) | models.Q(floor_area__gt=0),
                name="registry_household_area_positive",
            )
        ]

    def __str__(self) -> str:
        return self.address


HOUSEHOLD_TAGS = {
    "hardship": _("Household in hardship"),
    "empty_nest": _("Empty-nest elderly"),
    "dibao": _("Minimum-allowance household"),
    "disability": _("Household with a disabled member"),
    "military": _("Military family"),
}


class Resident(models.Model):
    """A person living in the area. Nothing about them is overwritten silently: see ResidentEvent."""

    area = models.ForeignKey(
        Area, verbose_name=_("building"), on_delete=models.PROTECT, related_name="residents"
    )
    household = optional_key(Household, _("household"), on_delete=models.SET_NULL, related_name="members")
    relation = models.CharField(_("relation to head"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=50)
    # Pinyin initials and full pinyin, so "zs" finds 张三 (kept in step with name by the services).
    name_initials = models.CharField(max_length=50, blank=True, db_index=True)
    name_pinyin = models.CharField(max_length=200, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), db_index=True)
    id_type = models.CharField(
        _("ID document"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number_encrypted = models.CharField(max_length=200)
    id_number_index = models.CharField(max_length=64, unique=True)
    id_last4 = models.CharField(max_length=4, db_index=True)
    phone_encrypted = models.CharField(max_length=200, blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    registration = models.CharField(
        _("registration"), max_length=20, choices=Registration.choices, default=Registration.HOUSEHOLD
    )
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    living_alone = models.BooleanField(_("living alone"), default=False)
    skills = models.JSONField(_("skills"), default=list, blank=True)  # what they can teach or help with
    interests = models.JSONField(_("interests"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE
    )
    left_on = models.DateField(_("left or died on"), null=True, blank=True)
    # The person's own account (role "resident"), linked by the community's staff: it opens "my data".
    user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident_record",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [
            models.Index(fields=["area", "name"], name="registry_resident_area_name"),
            # Every list counts "active residents of these buildings, minors hidden or not": with the
            # birth date in the index that count never reads the table (an index-only range per building).
            models.Index(fields=["status", "area", "birth_date"], name="registry_resident_status_born"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active") | Q(left_on__isnull=False) | Q(status="erased"),
                name="registry_resident_left_on_when_gone",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def age(self, today: date | None = None) -> int:
        today = today or date.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class ResidentEvent(models.Model):
    """The history of a resident: every registration, change, move, departure and death."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        UPDATED = "updated", _("Details changed")
        MOVED_HOUSEHOLD = "moved_household", _("Moved to another household")
        MOVED_OUT = "moved_out", _("Moved out")
        RETURNED = "returned", _("Moved back")
        DIED = "died", _("Died")
        ERASED = "erased", _("Erased on request")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    on = models.DateField(_("date"), null=True, blank=True)
    by_id = models.BigIntegerField(null=True, blank=True)
    by_name = models.CharField(_("by"), max_length=150, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("resident event")
        verbose_name_plural = _("resident events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.kind}"


# --- special groups: each a typed record of its own --------------------------------------------


class Disability(models.Model):
    class Category(models.TextChoices):
        VISUAL = "visual", _("Visual")
        HEARING = "hearing", _("Hearing")
        SPEECH = "speech", _("Speech")
        PHYSICAL = "physical", _("Physical")
        INTELLECTUAL = "intellectual", _("Intellectual")
        MENTAL = "mental", _("Mental")
        MULTIPLE = "multiple", _("Multiple")

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="disability")
    category = models.CharField(_("disability type"), max_length=20, choices=Category.choices)
    level = models.PositiveSmallIntegerField(
        _("disability level"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    card_number_encrypted = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("disability")
        verbose_name_plural = _("disabilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="registry_disability_level_1_4"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.level}"


class Assistance(models.Model):
    """Minimum living allowance (低保) or extreme-poverty support (特困)."""

    class Kind(models.TextChoices):
        DIBAO = "dibao", _("Minimum living allowance (低保)")
        TEKUN = "tekun", _("Extreme-poverty support (特困)")

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="assistance")
    kind = models.CharField(_("assistance"), max_length=10, choices=Kind.choices)
    since = models.DateField(_("since"))
    monthly_amount = models.DecimalField(
        _("monthly amount"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")

    def __str__(self) -> str:
        return self.get_kind_display()


class LeftBehindChild(models.Model):
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="left_behind")
    guardian_name = models.CharField(_("guardian"), max_length=50)
    guardian_relation = models.CharField(_("guardian's relation"), max_length=20)
    parents_whereabouts = models.CharField(_("where the parents work"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("left-behind child")
        verbose_name_plural = _("left-behind children")

    def __str__(self) -> str:
        return self.guardian_name


class Veteran(models.Model):
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="veteran")
    served_from = models.PositiveSmallIntegerField(_("served from (year)"))
    served_to = models.PositiveSmallIntegerField(_("served to (year)"))

    class Meta:
        verbose_name = _("veteran")
        verbose_name_plural = _("veterans")
        constraints = [
            models.CheckConstraint(
                condition=Q(served_to__gte=models.F("served_from")), name="registry_veteran_years_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.served_from}–{self.served_to}"


class Supervision(models.Model):
    """Community correction (社区矫正) or resettlement and assistance (安置帮教)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Community correction")
        RESETTLEMENT = "resettlement", _("Resettlement and assistance")

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="supervision")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    class Meta:
        verbose_name = _("correction or resettlement")
        verbose_name_plural = _("corrections and resettlements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="registry_supervision_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Pregnancy(models.Model):
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="pregnancy")
    expected_on = models.DateField(_("expected date"))

    class Meta:
        verbose_name = _("pregnancy")
        verbose_name_plural = _("pregnancies")

    def __str__(self) -> str:
        return str(self.expected_on)


class ChronicIllness(models.Model):
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="chronic_illness")
    conditions_encrypted = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("chronic illness")
        verbose_name_plural = _("chronic illnesses")

    def __str__(self) -> str:
        return str(_("chronic illness"))


# The special groups as filters and tags, in the order the seeds list them.
SPECIAL_GROUPS: dict[str, object] = {
    "aged_60": _("Aged 60+"),
    "living_alone": _("Living alone"),
    "disabled": _("Disabled"),
    "dibao": _("低保 / 特困"),
    "left_behind": _("Left-behind child"),
    "veteran": _("Veteran"),
    "supervision": _("Correction / resettlement"),
    "pregnant": _("Pregnant"),
    "chronic": _("Chronically ill"),
}


class BuildingProfile(models.Model):
    """What the registry knows about a building or lane beyond its place in the area tree."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="building_profile")
    estate = models.CharField(_("estate"), max_length=100, blank=True)
    property_company = optional_key(
        "Organisation", _("property company"), on_delete=models.SET_NULL, related_name="managed_buildings"
    )
    head = optional_key(Resident, _("building head"), on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("building profile")
        verbose_name_plural = _("building profiles")

    def __str__(self) -> str:
        return self.estate or str(self.area)


class OrganisationKind(models.TextChoices):
    PARTY_BRANCH = "party_branch", _("Party branch")
    LEAGUE_BRANCH = "league_branch", _("Youth-league branch")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    UNIT = "unit", _("Unit in the area")
    PROPERTY_COMPANY = "property_company", _("Property company")


class Organisation(models.Model):
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="organisations"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    # 统一社会信用代码 (GB 32100), checked by the services.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    registered = models.BooleanField(_("registered with civil affairs"), default=False)
    incubated = models.BooleanField(_("incubated in the community"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    members = models.ManyToManyField(
        Resident, blank=True, related_name="organisations", verbose_name=_("members")
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class CorrectionRequest(models.Model):
    """A resident asks for what is held on them to be corrected (PIPL art. 46); the staff of their
    community resolve it. What they wrote may hold a new phone or number: it is kept encrypted."""

    class Field(models.TextChoices):
        NAME = "name", pgettext_lazy("person", "Name")
        ID_NUMBER = "id_number", _("ID number")
        PHONE = "phone", _("Phone")
        ADDRESS = "address", _("Address")
        SPECIAL_GROUP = "special_group", _("Special groups")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CORRECTED = "corrected", _("Corrected")
        REFUSED = "refused", _("Not corrected")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="correction_requests")
    requested_by = optional_key(User, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(_("what is wrong"), max_length=20, choices=Field.choices)
    details_encrypted = models.TextField(blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    resolved_by = optional_key(User, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved on"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"], name="registry_correction_status")]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.field} {self.status}"
