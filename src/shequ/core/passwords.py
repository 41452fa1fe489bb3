"""Password rules beyond Django's own validators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
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


def is_staff_account(user: Any) -> bool:
    """Staff: any role but resident or volunteer; a new account's intended role counts too."""
    from shequ.core.access import held_roles
    from shequ.core.roles import STAFF_ROLES

    if user is None:
        return False
    intended = getattr(user, "_shequ_new_role", None)
    if intended is not None:
        return intended in STAFF_ROLES
    return user.pk is not None and any(h.role in STAFF_ROLES for h in held_roles(user))


class StaffRulesValidator:
    """The stricter rules an assessor may ask of staff accounts (等保 8.1.4.1 a): a longer minimum and,
    if configured, several character classes. OWASP ASVS 2.1.9 advises against composition rules (they
    push people to predictable patterns such as "Password1!"); they are off by default and exist because
    some assessments still require them."""

    def validate(self, password: str, user: Any = None) -> None:
        if not is_staff_account(user):
            return
        minimum = int(settings.PASSWORD_MIN_LENGTH_STAFF)
        if len(password) < minimum:
            raise ValidationError(
                _("Staff passwords need at least %(min)d characters.") % {"min": minimum},
                code="password_too_short_staff",
            )
        wanted = int(settings.PASSWORD_CHARACTER_CLASSES_STAFF)
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if wanted and classes < wanted:
            raise ValidationError(
                _(
                    "Staff passwords need at least %(n)d of: lower-case letters, capitals, digits, "
                    "other characters."
                )
                % {"n": wanted},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("Staff accounts may have stricter rules.")


def password_expired(user: Any, now: Any) -> bool:
    """Staff passwords older than PASSWORD_MAX_AGE_DAYS_STAFF (0: never; ASVS 2.1.10 advises against
    periodic rotation, some assessments require it) must be changed before anything else."""
    days = int(settings.PASSWORD_MAX_AGE_DAYS_STAFF)
    if not days or not is_staff_account(user):
        return False
    changed = user.password_changed_at or user.date_joined
    return bool(changed and (now - changed).days >= days)
