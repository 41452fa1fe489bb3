"""Forms of the deliberation pages: they parse input; the rules live in the services and in the rule
tables (an action's form is drawn from its row of the table)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.photos import MultipleFileField
from shequ.core.workflow import Action
from shequ.deliberation.models import Base, MeetingKind, MeetingMode
from shequ.volunteering.forms import LocalDateTimeField


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    mode = forms.ChoiceField(label=_("Mode"), choices=MeetingMode.choices, initial=MeetingMode.IN_PERSON)
    venue = forms.TypedChoiceField(label=_("Venue"), required=False, coerce=int, empty_value=None)
    place = forms.CharField(label=_("Place or link"), required=False, max_length=200)
    chair = forms.CharField(label=_("Chair"), max_length=50)
    recorder = forms.CharField(label=_("Recorder"), max_length=50)
    quorum_base = forms.ChoiceField(label=_("Quorum counted on"), choices=Base.choices, initial=Base.PERSONS)
    quorum_numerator = forms.IntegerField(
        label=_("Quorum share: numerator"), initial=1, min_value=1, max_value=100
    )
    quorum_denominator = forms.IntegerField(
        label=_("Quorum share: denominator"), initial=2, min_value=1, max_value=100
    )
    quorum_strict = forms.BooleanField(
        label=_("More than the share (not merely reaching it)"), required=False, initial=True
    )
    delegates_expected = forms.IntegerField(
        label=_("Group delegates expected"), required=False, min_value=1, max_value=100_000
    )
    notice_days = forms.IntegerField(
        label=_("Notice ahead (days)"), required=False, initial=7, min_value=0, max_value=60
    )

    def set_venues(self, choices: list[tuple[int, str]]) -> None:
        self.fields["venue"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Proposal"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    base = forms.ChoiceField(
        label=_("Signatures counted per"),
        choices=[(Base.PERSONS, _("Resident aged 18 and over")), (Base.HOUSEHOLDS, _("Household"))],
        initial=Base.PERSONS,
    )


def action_form(action: Action, data: Any = None) -> forms.Form:
    """A form with one input per field of the action, all taken as typed: the rule table's `parse`
    checks them the same way for page and API, and a refusal lands on the field it names."""
    fields: dict[str, forms.Field] = {"version": forms.CharField(required=False, widget=forms.HiddenInput)}
    for f in action.fields:
        label: Any = f.label  # a lazy translation, which django-stubs types more narrowly
        if f.kind == "bool":
            fields[f.name] = forms.BooleanField(label=label, required=False)
            continue
        if f.kind == "files":
            fields[f.name] = MultipleFileField(label=label, required=False)
            continue
        if f.kind == "choice" and f.choices is not None:
            field: forms.Field = forms.ChoiceField(
                label=label, required=False, choices=[("", "—"), *f.choices()]
            )
        elif f.kind == "textarea":
            field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))
        elif f.kind in ("int", "ref"):
            field = forms.CharField(
                label=label, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
            )
        else:
            field = forms.CharField(label=label, required=False)
        field.help_text = str(f.help)
        fields[f.name] = field
    form_class = type(f"{action.name.capitalize()}Form", (forms.Form,), fields)
    form = form_class(data)
    form.action = action
    return form
