"""Forms of the volunteering pages: they parse input; the rules live in services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.photos import MultipleFileField
from shequ.volunteering.models import (
    TARGET_GROUPS,
    ActivityKind,
    Eligibility,
    OrganiserKind,
    TeamKind,
    TeamLevel,
)

LOCAL_DATETIME = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class LocalDateTimeField(forms.DateTimeField):
    """A date and time picked on a phone (<input type="datetime-local">)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", LOCAL_DATETIME)
        super().__init__(*args, **kwargs)


class ActivityFilterForm(forms.Form):
    when = forms.ChoiceField(
        required=False, choices=[("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All"))]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=50)


class ActivityForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    organiser_kind = forms.ChoiceField(
        label=_("Organised by"), choices=OrganiserKind.choices, initial=OrganiserKind.SOCIAL_WORKER
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(
        label=_("Organisation or branch"), required=False, coerce=int, empty_value=None
    )
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    venue = forms.TypedChoiceField(label=_("Venue"), required=False, coerce=int, empty_value=None)
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where, if not at a venue of the register"),
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000, initial=20)
    eligibility = forms.ChoiceField(label=_("Who may sign up"), choices=Eligibility.choices)
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        required=False,
        choices=list(TARGET_GROUPS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    cancel_deadline = LocalDateTimeField(
        label=_("Sign-ups can be cancelled until"),
        required=False,
        help_text=_("Empty: 2 hours before the start"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def set_choices(
        self,
        *,
        areas: list[tuple[int, str]],
        teams: list[tuple[int, str]],
        organisations: list[tuple[int, str]],
        venues: list[tuple[int, str]],
    ) -> None:
        for name, choices in (
            ("area", areas),
            ("team", teams),
            ("organisation", organisations),
            ("venue", venues),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices if name == "area" else [("", "—"), *choices]


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class FinishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    households = forms.TypedMultipleChoiceField(
        label=_("Households that benefited"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    benefited_units = forms.TypedMultipleChoiceField(
        label=_("Units that benefited"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    units = forms.TypedMultipleChoiceField(
        label=_("Units that took part"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def set_choices(self, *, households: list[tuple[int, str]], units: list[tuple[int, str]]) -> None:
        for name, choices in (("households", households), ("benefited_units", units), ("units", units)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


class CorrectionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=24 * 60)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class VolunteerForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Registered in"), coerce=int)
    resident = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=30, required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        help_text=_("For the certificate of service hours"),
    )
    skills = forms.CharField(
        label=_("Skills"), max_length=400, required=False, help_text=_("Separated by commas, e.g. 急救，理发")
    )
    availability = forms.CharField(
        label=_("Availability"), max_length=200, required=False, help_text=_("e.g. 周末上午")
    )
    username = forms.CharField(
        label=_("Account"), max_length=150, required=False, help_text=_("The user name they sign in with")
    )

    def skill_list(self) -> list[str]:
        raw = self.cleaned_data.get("skills") or ""
        return [s.strip() for s in raw.replace("，", ",").replace("、", ",").split(",") if s.strip()]


class LinkAccountForm(forms.Form):
    username = forms.CharField(
        label=_("User name of the account"),
        max_length=150,
        help_text=_("The account the person signs in with (a resident's or a volunteer's of this area)."),
    )


class RedemptionForm(forms.Form):
    item = forms.CharField(label=_("Reward"), max_length=100)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=1_000_000)


class TeamForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=TeamLevel.choices, initial=TeamLevel.COMMUNITY)
    organisation = forms.TypedChoiceField(
        label=_("Social organisation"), required=False, coerce=int, empty_value=None
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class YouthGroupForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Community"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=100)
    party_member = forms.TypedChoiceField(label=_("Party member"), coerce=int)
    activist = forms.TypedChoiceField(label=_("Party activist"), coerce=int)
    backbones = forms.TypedMultipleChoiceField(
        label=_("Five youth-league backbones"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    formed_on = forms.DateField(
        label=_("Formed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    topic = forms.CharField(label=_("Topic"), max_length=100)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attendees = forms.TypedMultipleChoiceField(
        label=_("Attendees"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )


class ProblemForm(forms.Form):
    found_on = forms.DateField(
        label=_("Found on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(
        label=_("Problem"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(forms.Form):
    problem = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(
        label=_("Done on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(label=_("What was done"), max_length=2000)
    solved = forms.BooleanField(label=_("The problem is solved"), required=False)


class ActivityEditForm(forms.Form):
    """What the organiser may change after creating an activity; who organises it stays."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    venue = forms.TypedChoiceField(label=_("Venue"), required=False, coerce=int, empty_value=None)
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where, if not at a venue of the register"),
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    eligibility = forms.ChoiceField(label=_("Who may sign up"), choices=Eligibility.choices)
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        required=False,
        choices=list(TARGET_GROUPS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    cancel_deadline = LocalDateTimeField(label=_("Sign-ups can be cancelled until"))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def set_venues(self, venues: list[tuple[int, str]]) -> None:
        field = self.fields["venue"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *venues]


class BriefForm(forms.Form):
    """The short report after an activity; the counts come from the service records, not from here."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Report"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was done, who served whom, what changed; at most 4,000 characters"),
    )
    photos = MultipleFileField(label=_("Photos"), required=False, help_text=_("At most 6 photos"))


# Skills and times most asked for by the activities of a community: a tap each on a phone.
COMMON_SKILLS = [
    _("First aid"),
    _("Haircuts"),
    _("Repairs"),
    _("Keeping elders company"),
    _("Tutoring children"),
    _("Singing and dancing"),
    _("Photography"),
    _("Driving"),
    _("Legal advice"),
    _("Computers and phones"),
]
COMMON_TIMES = [
    _("Weekday daytime"),
    _("Weekday evenings"),
    _("Weekend mornings"),
    _("Weekend afternoons"),
]


class SelfRegistrationForm(forms.Form):
    skills = forms.MultipleChoiceField(
        label=_("What can you help with?"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_skills = forms.CharField(
        label=_("Other skills"), max_length=200, required=False, help_text=_("Separated by commas")
    )
    times = forms.MultipleChoiceField(
        label=_("When are you free?"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # Only when the registry has no record of the person (then name and phone identify them).
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=30, required=False)

    def __init__(self, *args: Any, known: bool, extra_skills: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        skills = [str(s) for s in COMMON_SKILLS]
        skills += [s for s in extra_skills if s not in skills]
        skill_field, time_field = self.fields["skills"], self.fields["times"]
        assert isinstance(skill_field, forms.ChoiceField) and isinstance(time_field, forms.ChoiceField)
        skill_field.choices = [(s, s) for s in skills]
        time_field.choices = [(str(t), str(t)) for t in COMMON_TIMES]
        if known:
            del self.fields["name"], self.fields["phone"]

    def skill_list(self) -> list[str]:
        raw = (self.cleaned_data.get("other_skills") or "").replace("，", ",").replace("、", ",")
        return [*self.cleaned_data.get("skills", []), *(s.strip() for s in raw.split(",") if s.strip())]

    def availability(self) -> str:
        return "、".join(self.cleaned_data.get("times", []))


class RecognitionForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
