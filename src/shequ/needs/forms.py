"""Forms of the needs pages: they parse input; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.needs.models import NeedCategory, NeedSource, Respondents, VisitPurpose
from shequ.needs.services import CLOSING_STATUSES, MAX_NEEDS_PER_VISIT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORES = [
    (5, _("5 · Very satisfied")),
    (4, _("4 · Satisfied")),
    (3, _("3 · So-so")),
    (2, _("2 · Dissatisfied")),
    (1, _("1 · Very dissatisfied")),
]


def _blank(choices: list[tuple[str, Any]], label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=VisitPurpose.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How they are; what you saw. No ID or bank numbers."),
    )
    # The phone's own name for this visit (outbox.js makes it): sent twice, it is saved once.
    key = forms.UUIDField(required=False, widget=forms.HiddenInput(attrs={"data-visit-key": ""}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MAX_NEEDS_PER_VISIT):
            # A need is one line; its category may be left as it is ("other") and sorted out later.
            self.fields[f"need_{i}_description"] = forms.CharField(
                label=_("A need they raised (optional)") if i == 0 else _("What they need"),
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.fields[f"need_{i}_category"] = forms.ChoiceField(
                label=_("Need: category"),
                required=False,
                choices=_blank(NeedCategory.choices, _("— category —")),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(MAX_NEEDS_PER_VISIT):
            if (data.get(f"need_{i}_description") or "").strip() and not data.get(f"need_{i}_category"):
                data[f"need_{i}_category"] = NeedCategory.OTHER
        return data

    def need_rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"need_{i}_description"], self[f"need_{i}_category"]) for i in range(MAX_NEEDS_PER_VISIT)
        ]


class NeedForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    description = forms.CharField(
        label=_("What they need"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(
        label=_("Raised through"), choices=NeedSource.choices, initial=NeedSource.WALK_IN
    )
    raised_on = forms.DateField(label=_("Raised on"), widget=DATE)


class NeedCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in CLOSING_STATUSES],
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=_("What was done"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If it could not be met: why, and where it was referred."),
    )
    closed_on = forms.DateField(label=_("Met or closed on"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SurveyForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=100)
    respondents = forms.ChoiceField(label=_("Who answers"), choices=Respondents.choices)
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)


class AnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you?"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PaperAnswerForm(AnswerForm):
    """Staff type in a paper answer: whose it was, and when it was given."""

    respondent = forms.IntegerField(label=_("Who answered"), widget=forms.HiddenInput)
    answered_on = forms.DateField(label=_("Answered on"), widget=DATE)
