"""What the resource register holds: resources (DOMAIN.md §9) and the venues among them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shequ.core.idnumber import mask_phone
from shequ.core.models import Area, optional_key


class ResourceKind(models.TextChoices):
    HUMAN = "human", _("Human resource")
    MATERIAL = "material", _("Material resource")
    FINANCIAL = "financial", _("Financial resource")


class ResourceStatus(models.TextChoices):
    """Resource triage (社区分析): what the community does with each resource it knows of."""

    REGISTERED = "registered", _("Registered and usable")
    TO_DEVELOP = "to_develop", _("To develop")
    TO_SUBSTITUTE = "to_substitute", _("To substitute")


def triage(*, exists: bool, usable: bool = False, developable: bool = False) -> ResourceStatus:
    """The triage rule of the seeds: exists and usable → register; exists but unusable, or absent but
    developable → develop; absent and not developable → find a substitute."""
    if exists:
        return ResourceStatus.REGISTERED if usable else ResourceStatus.TO_DEVELOP
    return ResourceStatus.TO_DEVELOP if developable else ResourceStatus.TO_SUBSTITUTE


class Resource(models.Model):
    """One record of the resource register: who provides what, how to reach them, on what terms."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="resources")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    status = models.CharField(
        _("triage status"), max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.REGISTERED
    )
    provider = models.CharField(_("resource provider"), max_length=100, blank=True)
    # When the provider is an organisation of the registry; the text above keeps its name if it goes.
    provider_organisation = optional_key(
        "registry.Organisation",
        _("provider organisation"),
        on_delete=models.SET_NULL,
        related_name="resources_provided",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # A contact's phone is personal data, masked like a resident's; an office line is marked public.
    phone_public = models.BooleanField(_("office line (shown in full)"), default=False)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    items = models.TextField(_("resource items"), blank=True)
    person_in_charge = models.CharField(_("person in charge"), max_length=50, blank=True)
    contact = models.CharField(_("contact person"), max_length=100, blank=True)
    conditions = models.TextField(_("conditions of use"), blank=True)
    charges = models.BooleanField(_("charges a fee"), default=False)
    charge_details = models.CharField(_("charge details"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["area__path", "name", "id"]
        indexes = [models.Index(fields=["area", "status"], name="resources_area_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ResourceKind.values), name="resources_resource_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ResourceStatus.values), name="resources_resource_status_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="resources_resource_name_required"),
            # Charge details only describe a resource that charges.
            models.CheckConstraint(
                condition=Q(charges=True) | Q(charge_details=""), name="resources_resource_charge_details"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_phone(self) -> str:
        """The phone as every screen and answer shows it: in full only when it is an office line."""
        return self.phone if self.phone_public or not self.phone else mask_phone(self.phone)

    @property
    def is_venue(self) -> bool:
        return hasattr(self, "venue")


class Venue(models.Model):
    """A venue (场地) is a material resource with room for people: capacity, hours, equipment, owner.

    Its own table, one-to-one with the resource (and sharing its primary key), rather than venue
    columns on every resource: human and financial resources carry no empty venue fields, the
    register stays one list with one scope, and the bookings of activities and courses (later) can
    point at a Venue, so the database itself refuses a booking of something that is not a venue.
    """

    resource = models.OneToOneField(
        Resource,
        verbose_name=_("resource"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="venue",
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    # Free text as posted at the door (e.g. 周一至周五 08:30-17:30); bookings will add structured slots.
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    equipment = models.TextField(_("equipment"), blank=True)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    owner_organisation = optional_key(
        "registry.Organisation",
        _("owner organisation"),
        on_delete=models.SET_NULL,
        related_name="venues_owned",
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="resources_venue_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.resource.name


class BookingStatus(models.TextChoices):
    HELD = "held", _("Booked")
    RELEASED = "released", _("Released (nobody came)")
    CANCELLED = "cancelled", _("Cancelled")


class VenueBooking(models.Model):
    """One use of a venue in its one calendar: an activity, a meeting, a class session, a group's
    regular slot. Every app books through `resources.booking.venue_book`, under a lock on the venue's
    row, so no two held bookings of a venue overlap whatever they are for. `source` names what the
    booking is for ("volunteering.activity:12"), one booking per source."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="bookings"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    source = models.CharField(_("for"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.HELD
    )
    # A weekly series (a course's sessions, a group's evening): the bookings share this key.
    series = models.CharField(_("series"), max_length=80, blank=True)
    booked_by = optional_key("core.User", on_delete=models.SET_NULL, related_name="+")
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("venue booking")
        verbose_name_plural = _("venue bookings")
        indexes = [
            models.Index(fields=["venue", "starts_at"], name="resources_booking_when"),
            models.Index(fields=["series"], name="resources_booking_series"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="resources_booking_order"),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="resources_booking_status"
            ),
            models.UniqueConstraint(fields=["source"], name="resources_booking_source"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"
