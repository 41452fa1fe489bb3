"""The second factor of staff sign-in (等保 level 3: two factors for those who administer personal data):
TOTP codes from an authenticator app, one-time recovery codes, and an administrator's reset.

Writes live here rather than in core/services.py because sign-in is their only caller; they follow the
same rules (keyword-only arguments, audit in the transaction)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import access, crypto
from shequ.core.audit import audit_log
from shequ.core.errors import AuthenticationFailed, DomainError, Forbidden
from shequ.core.models import AuditAction, RecoveryCode, SecondFactor, User
from shequ.core.roles import STAFF_ROLES

CONTEXT = "core.second_factor"
STEP_SECONDS = 30
RECOVERY_CODES = 10


class SecondFactorNeeded(AuthenticationFailed):
    """The password was right; the account also needs its authenticator code (or must enrol first)."""

    code = "second_factor_required"

    def __init__(self, user: User, *, enrolled: bool) -> None:
        self.user = user
        self.enrolled = enrolled
        super().__init__(
            _("Enter the 6-digit code from your authenticator app.")
            if enrolled
            else _("Staff accounts need an authenticator app: set it up in the browser first.")
        )


def required(user: User) -> bool:
    """Staff roles (everyone but residents and volunteers) sign in with two factors."""
    if not settings.MFA_FOR_STAFF:
        return False
    return any(h.role in STAFF_ROLES for h in access.held_roles(user))


def enrolled(user: User) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _totp(factor: SecondFactor) -> pyotp.TOTP:
    return pyotp.TOTP(crypto.decrypt(factor.secret_encrypted, context=CONTEXT), interval=STEP_SECONDS)


def enrolment_start(*, user: User) -> tuple[str, str]:
    """The secret to put into an authenticator app and its otpauth:// URI. An unconfirmed enrolment is
    reused, so reloading the page does not change the QR code under the user's phone."""
    factor = SecondFactor.objects.filter(user=user).first()
    if factor is not None and factor.confirmed_at is not None:
        raise DomainError(_("This account already has an authenticator."), code="second_factor_exists")
    if factor is None:
        secret = pyotp.random_base32()
        factor = SecondFactor.objects.create(
            user=user, secret_encrypted=crypto.encrypt(secret, context=CONTEXT)
        )
    totp = _totp(factor)
    return totp.secret, totp.provisioning_uri(name=user.username, issuer_name=str(settings.MFA_ISSUER))


def qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=5, dark="#1b1b1b", light="#ffffff"))


def _matching_step(factor: SecondFactor, code: str, now: Any) -> int | None:
    """The step (now, or one either side for a phone's clock) whose code this is, if not used yet."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = _totp(factor)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if step > factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enrolment_confirm(*, user: User, code: str) -> list[str]:
    """The first right code confirms the authenticator; returns the recovery codes, shown once."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if factor is None:
            raise DomainError(_("Start setting up the authenticator again."), code="second_factor_missing")
        step = _matching_step(factor, code, timezone.now())
        if step is None:
            raise DomainError(
                _("The code is wrong or expired. Check the phone's clock and try the newest code."),
                code="second_factor_wrong",
                fields={"code": "wrong"},
            )
        factor.last_step = step
        factor.confirmed_at = timezone.now()
        factor.save(update_fields=["last_step", "confirmed_at"])
        codes = _new_recovery_codes(user)
        audit_log(
            action=AuditAction.PERMISSION_CHANGE,
            actor=user,
            obj=user,
            area_path=_primary_path(user),
            changes={"second_factor": [None, "enrolled"]},
        )
    return codes


def _digest(code: str) -> str:
    """Keyed (the blind-index key), so a stolen table of digests cannot be tried offline."""
    return crypto.blind_index("".join(ch for ch in code.lower() if ch.isalnum()), context="core.recovery")


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(c)) for c in codes)
    return codes


def code_accepted(*, user: User, code: str) -> bool:
    """Inside the caller's transaction: a fresh TOTP code (then marked used) or an unused recovery code
    (then spent)."""
    now = timezone.now()
    factor = SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if factor is None:
        return False
    step = _matching_step(factor, code, now)
    if step is not None:
        SecondFactor.objects.filter(pk=factor.pk).update(last_step=step)
        return True
    return bool(
        RecoveryCode.objects.filter(user=user, digest=_digest(code), used_at__isnull=True).update(used_at=now)
    )


def reset(*, by: Any, user: User) -> None:
    """An administrator over every area where the person holds a role removes a lost authenticator;
    the person enrols again at the next sign-in."""
    paths = [h.path for h in access.held_roles(user)]
    if not paths or not all(access.can(by, "assignment", "create", path=p) for p in paths) or by == user:
        raise Forbidden(_("Only an administrator over all of this person's areas may reset the factor."))
    with transaction.atomic():
        removed, _detail = SecondFactor.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit_log(
            action=AuditAction.PERMISSION_CHANGE,
            actor=by,
            obj=user,
            area_path=_primary_path(user),
            changes={"second_factor": ["enrolled" if removed else None, "reset"]},
        )


def _primary_path(user: User) -> str:
    return min((h.path for h in access.held_roles(user)), key=len, default="")
