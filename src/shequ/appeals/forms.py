"""Forms of the appeals pages: they parse input; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import DEADLINE_STAGES, Channel, Level, Priority, Stage
from shequ.core.photos import MultipleFileField

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ReportForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Where"), coerce=int)
    # Left empty, the category is taken from the description (appeals/suggest.py).
    category = forms.ChoiceField(label=_("Category"), required=False)
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what, where exactly, and since when."),
    )
    title = forms.CharField(
        label=_("Short title"),
        max_length=80,
        required=False,
        help_text=_("Optional; taken from the description if empty"),
    )
    # Left out, urgency is normal and the channel is the role's first (a patrol for a grid worker).
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL, required=False
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    contact_withheld = forms.BooleanField(
        label=_("Show my name and phone only to community staff"), required=False
    )
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)
    photos = MultipleFileField(
        label=_("Photos"), required=False, help_text=_("JPEG, PNG or WebP; up to 6, 10 MB each")
    )

    def __init__(
        self,
        *args: Any,
        areas: list[tuple[int, str]],
        categories: list[tuple[str, str]],
        channels: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas  # type: ignore[attr-defined]
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("Chosen from the description")),
            *categories,
        ]
        # The camera opens from the form on a phone (core/photos.py); shell.js shrinks the photo
        # before it is sent, and the server still checks it.
        self.fields["photos"].widget.attrs["data-shrink"] = "1"
        self.fields["description"].widget.attrs.setdefault(
            "placeholder", _("e.g. the street light at the lane entrance is broken")
        )
        labels = dict(Channel.choices)
        self.fields["channel"].choices = [(c, labels[c]) for c in channels]  # type: ignore[attr-defined]
        if len(channels) <= 1:
            self.fields["channel"].widget = forms.HiddenInput()
            self.fields["channel"].required = False


class QueueFilterForm(forms.Form):
    waiting = forms.BooleanField(label=_("Waiting for me"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("All stages")), ("open", _("Open")), *Stage.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("deadline", _("Deadline, nearest first")),
            ("-deadline", _("Deadline, furthest first")),
            ("-reported", _("Newest first")),
            ("reported", _("Oldest first")),
        ],
    )

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *categories]  # type: ignore[attr-defined]


class DeadlineForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    stage = forms.ChoiceField(label=_("Stage"), choices=[(s.value, s.label) for s in DEADLINE_STAGES])
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=24 * 365)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]
