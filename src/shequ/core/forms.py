"""Forms parse what a person typed; the rules themselves live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.models import AuditAction


class LoginForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
        help_text=_("6 digits from the authenticator app, or one of your recovery codes."),
    )


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(
        label=_("Statistical code"),
        max_length=12,
        required=False,
        help_text=_("12 digits; districts, streets and communities only"),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PersonForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=50, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, max_length=128)
    role = forms.ChoiceField(label=_("Role"))


class GrantForm(forms.Form):
    """A role for an account that exists (the twin of POST /api/assignments)."""

    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput, max_length=128)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, max_length=128)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput, max_length=128)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            raise forms.ValidationError(_("The two new passwords differ."))
        return data


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *AuditAction.choices]
    )
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
