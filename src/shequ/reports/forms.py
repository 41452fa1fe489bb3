"""The request form of the reports page: it parses input; the rules live in services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area
from shequ.reports.models import ReportFormat, ReportKind
from shequ.reports.services import FIRST_YEAR


def last_month(today: date) -> tuple[int, int]:
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


class RequestForm(forms.Form):
    # An integer, not a choice: an area outside the user's reach is refused by the service (404),
    # exactly like the API, rather than as a form error that would tell it exists.
    area = forms.IntegerField(label=_("Area"), widget=forms.Select())
    kind = forms.ChoiceField(
        label=_("Kind of report"),
        choices=ReportKind.choices,
        initial=ReportKind.MONTHLY,
        widget=forms.RadioSelect,
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    month = forms.TypedChoiceField(
        label=_("Month (monthly report)"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[(m, f"{m:02d}") for m in range(1, 13)],
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, areas: list[Area], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indent = {"district": "", "street": "　", "community": "　　"}
        self.fields["area"].widget.choices = [(a.pk, f"{indent.get(a.kind, '')}{a.name}") for a in areas]
        years = [(y, str(y)) for y in range(today.year, FIRST_YEAR - 1, -1)]
        self.fields["year"].choices = years  # type: ignore[attr-defined]
        year, month = last_month(today)
        self.fields["year"].initial = year
        self.fields["month"].initial = month
        if areas:
            self.fields["area"].initial = areas[0].pk
