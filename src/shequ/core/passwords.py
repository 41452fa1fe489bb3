"""Password rules beyond Django's own validators."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with our own wording: Django 5.2 changed the message and its Chinese lags."""

    def get_error_message(self) -> str:
        return _("This password is too short: it needs at least %(min)d characters.") % {
            "min": self.min_length
        }

    def get_help_text(self) -> str:
        return _("At least %(min)d characters.") % {"min": self.min_length}


class MaximumLengthValidator:
    """Caps length so hashing cost cannot be abused; 128 follows OWASP ASVS 2.1.2."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("The password may have at most %(max)d characters.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("At most %(max)d characters.") % {"max": self.max_length}
