"""Forms for the resource register pages: they parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.resources.models import ResourceKind, ResourceStatus

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ResourceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ResourceKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Triage status"), required=False, choices=[("", _("All statuses")), *ResourceStatus.choices]
    )
    venues = forms.BooleanField(label=_("Venues only"), required=False)


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices, initial=ResourceKind.MATERIAL)
    status = forms.ChoiceField(
        label=_("Triage status"),
        choices=ResourceStatus.choices,
        initial=ResourceStatus.REGISTERED,
        help_text=_(
            "Exists and usable: registered. Exists but unusable, or absent but developable: to develop. "
            "Absent and not developable: to substitute."
        ),
    )
    provider = forms.CharField(label=_("Resource provider"), max_length=100, required=False)
    provider_organisation = forms.TypedChoiceField(
        label=_("Provider organisation"), required=False, coerce=int, empty_value=None
    )
    items = forms.CharField(label=_("Resource items"), required=False, widget=TEXTAREA, max_length=2000)
    person_in_charge = forms.CharField(label=_("Person in charge"), max_length=50, required=False)
    contact = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, help_text=_("Mobile or landline, e.g. 0757-86001234")
    )
    phone_public = forms.BooleanField(
        label=_("Office line: show the number in full"),
        required=False,
        help_text=_("Leave unticked for a person's own mobile: it is shown masked"),
    )
    fax = forms.CharField(label=_("Fax"), max_length=30, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    conditions = forms.CharField(
        label=_("Conditions of use"), required=False, widget=TEXTAREA, max_length=2000
    )
    charges = forms.BooleanField(label=_("Charges a fee"), required=False)
    charge_details = forms.CharField(
        label=_("Charge details"), max_length=200, required=False, help_text=_("e.g. 每小时50元")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA, max_length=2000)
    is_venue = forms.BooleanField(
        label=_("This is a venue"),
        required=False,
        help_text=_("A place where activities and courses can be held"),
    )
    capacity = forms.IntegerField(label=_("Capacity"), required=False)
    opening_hours = forms.CharField(
        label=_("Opening hours"), max_length=200, required=False, help_text=_("e.g. 周一至周五 08:30-17:30")
    )
    equipment = forms.CharField(label=_("Equipment"), required=False, widget=TEXTAREA, max_length=2000)
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False)
    owner_organisation = forms.TypedChoiceField(
        label=_("Owner organisation"), required=False, coerce=int, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    VENUE_FIELDS = ("capacity", "opening_hours", "equipment", "owner", "owner_organisation")

    def set_organisations(self, organisations: list[tuple[int, str]]) -> None:
        choices = [("", "—"), *organisations]
        for name in ("provider_organisation", "owner_organisation"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def resource_fields(self) -> list[forms.BoundField]:
        return [
            self[n] for n in self.fields if n not in self.VENUE_FIELDS and n not in ("is_venue", "version")
        ]

    def venue_fields(self) -> list[forms.BoundField]:
        return [self["is_venue"], *[self[n] for n in self.VENUE_FIELDS]]
