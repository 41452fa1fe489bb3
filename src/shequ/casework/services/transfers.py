"""Transfer and referral, which are different. A transfer moves the case to another social worker of
the area: ownership changes only when the receiver accepts (or refuses, with a reason). A referral to
a department or an organisation gives its named receiver a limited, read-only summary (never the
notes; the assessment only with the client's separate consent for sensitive information) until the
case worker revokes it. Both need the client's recorded consent (the rule table's guard), and each
spends the consent it used."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import (
    Case,
    Consent,
    ConsentHow,
    ConsentPurpose,
    Referral,
    ReferralTo,
    Transfer,
    TransferStatus,
)
from shequ.casework.services._base import clean_text, locked, step
from shequ.casework.workflow import CASE, pending_transfer
from shequ.core import access
from shequ.core.errors import DomainError, Forbidden, NotFound


def consent_record(
    *,
    by: Any,
    case: Case,
    version: int | None,
    purpose: str,
    given_to: str,
    how: str,
    sensitive: bool = False,
) -> Consent:
    if purpose not in ConsentPurpose.values or how not in ConsentHow.values:
        raise DomainError(
            _("Choose one of the options."), code="invalid_choice", fields={"purpose": "choice"}
        )
    given_to = clean_text(given_to, field="given_to", limit=100, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "record_consent")
        consent = Consent.objects.create(
            case=current,
            purpose=purpose,
            given_to=given_to,
            how=how,
            sensitive=bool(sensitive),
            recorded_by=by or current.owner,
        )
        step(by, current, "record_consent", changes={"purpose": purpose, "sensitive": bool(sensitive)})
        return consent


def _spend(case: Case, purpose: str) -> Consent:
    consent = (
        case.consents.select_for_update()
        .filter(purpose=purpose, used=False)
        .order_by("-recorded_at", "-id")
        .first()
    )
    assert consent is not None  # the rule table's guard saw it
    consent.used = True
    consent.save(update_fields=["used"])
    return consent


def transfer_request(*, by: Any, case: Case, version: int | None, to: Any, reason: str) -> Transfer:
    reason = clean_text(reason, field="reason", limit=500, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "transfer")
        if to.pk == current.owner_id or not access.can(to, "case", "work", path=current.area_path):
            raise DomainError(
                _("Transfer to another social worker of the case's area."),
                code="bad_receiver",
                fields={"to": "role"},
            )
        transfer = Transfer.objects.create(
            case=current,
            from_user=current.owner,
            to_user=to,
            reason=reason,
            consent=_spend(current, "transfer"),
        )
        step(by, current, "transfer", reason=reason, changes={"to": to.username})
        return transfer


def transfer_accept(*, by: Any, case: Case, version: int | None) -> Case:
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "accept_transfer")
        transfer = pending_transfer(current)
        transfer.status, transfer.decided_at = TransferStatus.ACCEPTED, timezone.now()
        transfer.save(update_fields=["status", "decided_at"])
        before = current.owner.username
        current.owner = transfer.to_user
        return step(by, current, "accept_transfer", changes={"owner": [before, transfer.to_user.username]})


def transfer_refuse(*, by: Any, case: Case, version: int | None, reason: str) -> Case:
    reason = clean_text(reason, field="reason", limit=500, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "refuse_transfer")
        transfer = pending_transfer(current)
        transfer.status, transfer.decided_at, transfer.refusal_reason = (
            TransferStatus.REFUSED,
            timezone.now(),
            reason,
        )
        transfer.save(update_fields=["status", "decided_at", "refusal_reason"])
        return step(by, current, "refuse_transfer", reason=reason)


def referral_make(
    *, by: Any, case: Case, version: int | None, to_kind: str, receiver: Any, note: str
) -> Referral:
    if to_kind not in ReferralTo.values:
        raise DomainError(
            _("Choose one of the options."), code="invalid_choice", fields={"to_kind": "choice"}
        )
    note = clean_text(note, field="note", limit=500, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "refer")
        if receiver.pk == current.owner_id:
            raise DomainError(_("Refer to someone else."), code="bad_receiver", fields={"receiver": "self"})
        referral = Referral.objects.create(
            case=current,
            to_kind=to_kind,
            receiver=receiver,
            note=note,
            consent=_spend(current, "referral"),
            referred_by=by or current.owner,
        )
        step(
            by,
            current,
            "refer",
            changes={"referral": referral.pk, "to": to_kind, "receiver": receiver.username},
        )
        return referral


def referral_revoke(*, by: Any, case: Case, version: int | None, referral: Referral) -> Case:
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "revoke_referral")
        Referral.objects.filter(pk=referral.pk, case=current).update(revoked_at=timezone.now())
        return step(by, current, "revoke_referral", changes={"referral": referral.pk})


def referral_received(*, by: Any, referral_id: int) -> Referral:
    """The receiver's own referral: another person's answers as not found, a revoked one 403."""
    referral = (
        Referral.objects.select_related("case", "case__resident", "case__household", "consent", "case__owner")
        .filter(pk=referral_id, receiver_id=getattr(by, "pk", None) or 0)
        .first()
    )
    if referral is None:
        raise NotFound()
    if referral.revoked_at is not None:
        raise Forbidden(
            _("This referral was revoked: the case is no longer shared with you."), code="referral_revoked"
        )
    return referral
