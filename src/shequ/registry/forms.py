"""Forms for the registry pages: they parse input; the rules live in services."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.registry.models import (
    SPECIAL_GROUPS,
    Assistance,
    Disability,
    Gender,
    IdType,
    OrganisationKind,
    PoliticalStatus,
    Registration,
    ResidentStatus,
    Supervision,
)
from shequ.registry.selectors import AGE_BANDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    group = forms.ChoiceField(
        label=_("Special group"), required=False, choices=[("", _("All groups")), *SPECIAL_GROUPS.items()]
    )
    age = forms.ChoiceField(
        label=_("Age"), required=False, choices=[("", _("All ages")), *[(k, k) for k in AGE_BANDS]]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ResidentStatus.choices, initial=ResidentStatus.ACTIVE
    )


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_type = forms.ChoiceField(label=_("ID document"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label=_("ID number"), max_length=20)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DATE,
        help_text=_("Taken from a resident ID card; enter it for other documents"),
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices])
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    household = forms.ChoiceField(label=_("Household"), required=False)
    room = forms.CharField(label=_("Room (for a new household)"), max_length=20, required=False)
    relation = forms.CharField(
        label=_("Relation to head"), max_length=20, required=False, help_text=_("e.g. 户主, 配偶, 子女")
    )
    registration = forms.ChoiceField(label=_("Registration"), choices=Registration.choices)
    political_status = forms.ChoiceField(label=_("Political status"), choices=PoliticalStatus.choices)
    living_alone = forms.BooleanField(label=_("Living alone"), required=False)
    skills = forms.CharField(
        label=_("Skills (what they can teach or help with)"), max_length=300, required=False
    )
    interests = forms.CharField(label=_("Interests"), max_length=300, required=False)


class ResidentEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    relation = forms.CharField(label=_("Relation to head"), max_length=20, required=False)
    registration = forms.ChoiceField(label=_("Registration"), choices=Registration.choices)
    political_status = forms.ChoiceField(label=_("Political status"), choices=PoliticalStatus.choices)
    living_alone = forms.BooleanField(label=_("Living alone"), required=False)
    skills = forms.CharField(
        label=_("Skills (what they can teach or help with)"), max_length=300, required=False
    )
    interests = forms.CharField(label=_("Interests"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class LeaveForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"), choices=[("moved_out", _("Moved out")), ("died", _("Died"))]
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


GROUP_FORMS: dict[str, type[forms.Form]] = {}


def _group_form(group: str) -> Callable[[type[forms.Form]], type[forms.Form]]:
    def register(cls: type[forms.Form]) -> type[forms.Form]:
        GROUP_FORMS[group] = cls
        return cls

    return register


@_group_form("disabled")
class DisabilityForm(forms.Form):
    category = forms.ChoiceField(label=_("Disability type"), choices=Disability.Category.choices)
    level = forms.TypedChoiceField(
        label=_("Disability level"), coerce=int, choices=[(i, str(i)) for i in range(1, 5)]
    )
    card_number = forms.CharField(label=_("Disability card number"), max_length=30, required=False)


@_group_form("dibao")
class AssistanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Assistance"), choices=Assistance.Kind.choices)
    since = forms.DateField(label=_("Since"), widget=DATE)
    monthly_amount = forms.DecimalField(
        label=_("Monthly amount (yuan)"), min_value=0, max_digits=8, decimal_places=2
    )


@_group_form("left_behind")
class LeftBehindForm(forms.Form):
    guardian_name = forms.CharField(label=_("Guardian"), max_length=50)
    guardian_relation = forms.CharField(label=_("Guardian's relation"), max_length=20)
    parents_whereabouts = forms.CharField(label=_("Where the parents work"), max_length=100, required=False)


@_group_form("veteran")
class VeteranForm(forms.Form):
    served_from = forms.IntegerField(label=_("Served from (year)"), min_value=1930, max_value=2100)
    served_to = forms.IntegerField(label=_("Served to (year)"), min_value=1930, max_value=2100)


@_group_form("supervision")
class SupervisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Supervision.Kind.choices)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)


@_group_form("pregnant")
class PregnancyForm(forms.Form):
    expected_on = forms.DateField(label=_("Expected date"), widget=DATE)


@_group_form("chronic")
class ChronicForm(forms.Form):
    conditions = forms.CharField(
        label=_("Conditions"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    registered = forms.BooleanField(label=_("Registered with civil affairs"), required=False)
    incubated = forms.BooleanField(label=_("Incubated in the community"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BuildingProfileForm(forms.Form):
    estate = forms.CharField(label=_("Estate"), max_length=100, required=False)
    property_company = forms.ChoiceField(label=_("Property company"), required=False)
    head = forms.ChoiceField(label=_("Building head"), required=False)
