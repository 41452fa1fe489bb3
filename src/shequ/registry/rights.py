"""A person's rights over their own data (PIPL arts. 44-46): see it, download it, ask to correct it.

A resident's account is linked to their record by the staff of their community
(`resident_link_account`); from then on "my data" shows them what is held on them — masked until they
ask to see it in full (logged) — lets them download it (the same content as `shequ person export`,
logged) and ask for a correction, which the community's registrars see and resolve (logged).
Nobody reaches another person's record through these functions: they start from the signed-in user.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.crypto import decrypt, encrypt
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.models import AuditAction
from shequ.core.roles import Role
from shequ.core.selectors import account_for
from shequ.registry import selectors
from shequ.registry.models import CorrectionRequest, Resident
from shequ.registry.services import resident_personal_data

CORRECTION_CONTEXT = "registry.correction.details"


# --- the link between an account and a record ----------------------------------------------------


def resident_link_account(*, by: Any, resident: Resident, username: str) -> Resident:
    """Link a resident account to this person's record. The account must hold the resident role on the
    person's building or an area around it, and be linked to nobody else."""
    access.require(by, "resident", "update", path=resident.area.path)
    # Only an account the staff member may already see: another community's answers as unknown.
    user = account_for(by, "resident", "update", username=username)
    path = resident.area.path
    if not any(h.role == Role.RESIDENT and path.startswith(h.path) for h in access.held_roles(user)):
        raise DomainError(
            _("That account is not a resident account of this person's building or community."),
            code="account_not_resident",
            fields={"username": "role"},
        )
    with transaction.atomic():
        taken = Resident.objects.filter(user=user).exclude(pk=resident.pk).first()
        if taken is not None:
            raise DomainError(
                _("That account is already linked to another person."),
                code="account_taken",
                fields={"username": "taken"},
            )
        Resident.objects.filter(pk=resident.pk).update(user=user)
        resident.user = user
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=resident,
            area_path=path,
            changes={"account": [None, user.username]},
        )
    return resident


# --- my data ----------------------------------------------------------------------------------------


def own_record(user: Any) -> Resident:
    """The signed-in user's own record, or NotFound: the only record these pages ever open."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    resident = selectors.resident_on_account(user)
    if resident is None:
        raise NotFound(
            _("Your account is not linked to a resident record. Ask your community's staff to link it.")
        )
    return resident


def my_data(*, user: Any, reveal: bool = False) -> dict[str, Any]:
    """What is held on the user, masked by default; `reveal` shows the numbers in full (logged)."""
    from shequ.registry.selectors import masked

    resident = own_record(user)
    data = resident_personal_data(resident=resident)
    if reveal:
        audit_log(
            action=AuditAction.VIEW_SENSITIVE,
            actor=user,
            obj=resident,
            area_path=resident.area.path,
            changes={"fields": "id_number, phone", "own": True},
        )
    else:
        data |= masked(resident)
        for value in data.values():
            if isinstance(value, dict) and "card_number" in value:
                value["card_number"] = mask_digits(value["card_number"])
    return data


def my_data_download(*, user: Any) -> dict[str, Any]:
    """Everything held on the user in full, for them to keep (PIPL art. 45); logged as an export."""
    resident = own_record(user)
    data = resident_personal_data(resident=resident)
    data["corrections"] = [
        {
            "asked_on": c.requested_at.isoformat(),
            "what": c.field,
            "details": decrypt(c.details_encrypted, context=CORRECTION_CONTEXT)
            if c.details_encrypted
            else "",
            "status": c.status,
            "answer": c.answer,
        }
        for c in resident.correction_requests.order_by("requested_at", "id")
    ]
    audit_log(
        action=AuditAction.EXPORT,
        actor=user,
        obj=resident,
        area_path=resident.area.path,
        object_repr="my data (json)",
        changes={"own": True},
    )
    return data


# --- corrections --------------------------------------------------------------------------------


def mask_digits(text: str) -> str:
    """Runs of 5 or more digits (a phone, an ID or card number) shown as their ends only."""
    return re.sub(
        r"[0-9Xx]{5,}", lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:], text or ""
    )


def correction_request(*, by: Any, field: str, details: str) -> CorrectionRequest:
    resident = own_record(by)
    if field not in CorrectionRequest.Field.values:
        raise DomainError(_("Choose what is wrong."), code="correction_field", fields={"field": "unknown"})
    details = (details or "").strip()
    if not 2 <= len(details) <= 500:
        raise DomainError(
            _("Say what is wrong and what is right (2 to 500 characters)."),
            code="correction_details",
            fields={"details": "length"},
        )
    with transaction.atomic():
        request = CorrectionRequest.objects.create(
            resident=resident,
            requested_by=by,
            field=field,
            details_encrypted=encrypt(details, context=CORRECTION_CONTEXT),
        )
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=request,
            area_path=resident.area.path,
            object_repr=f"correction request: {field}",
            changes={"field": field},
        )
    return request


def my_corrections(user: Any) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(resident=own_record(user)).order_by("-requested_at", "-id")


def corrections_for(user: Any, *, status: str = CorrectionRequest.Status.OPEN) -> QuerySet[CorrectionRequest]:
    """Correction requests of the residents of the user's areas (registrars and administrators)."""
    qs = access.scope(user, "correction", "view").select_related("resident__area", "requested_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("requested_at", "id")


def correction_for(user: Any, pk: int) -> CorrectionRequest:
    correction = corrections_for(user, status="").filter(pk=pk).first()
    if correction is None:
        raise NotFound()
    return correction


def correction_details(*, by: Any, correction: CorrectionRequest, reveal: bool = False) -> str:
    """What the resident wrote: numbers masked, or in full for a registrar who asks (logged)."""
    text = (
        decrypt(correction.details_encrypted, context=CORRECTION_CONTEXT)
        if correction.details_encrypted
        else ""
    )
    if not reveal:
        return mask_digits(text)
    access.require(by, "correction", "resolve", path=correction.resident.area.path)
    audit_log(
        action=AuditAction.VIEW_SENSITIVE,
        actor=by,
        obj=correction,
        area_path=correction.resident.area.path,
        object_repr=f"correction request: {correction.field}",
        changes={"fields": "details"},
    )
    return text


def correction_resolve(
    *, by: Any, correction: CorrectionRequest, corrected: bool, answer: str
) -> CorrectionRequest:
    """Close a request: corrected (the registrar changed the record through the usual pages, which log
    it) or not corrected, with an answer the resident reads on their page."""
    access.require(by, "correction", "resolve", path=correction.resident.area.path)
    answer = (answer or "").strip()
    if not corrected and len(answer) < 2:
        raise DomainError(
            _("Tell the resident why it was not corrected."),
            code="correction_answer",
            fields={"answer": "missing"},
        )
    with transaction.atomic():
        current = (
            CorrectionRequest.objects.select_for_update()
            .select_related("resident__area")
            .get(pk=correction.pk)
        )
        if current.status != CorrectionRequest.Status.OPEN:
            raise DomainError(_("This request has already been resolved."), code="correction_resolved")
        if current.requested_by_id == getattr(by, "pk", None):
            raise Forbidden()
        current.status = CorrectionRequest.Status.CORRECTED if corrected else CorrectionRequest.Status.REFUSED
        current.answer = answer[:300]
        current.resolved_by, current.resolved_at = by, timezone.now()
        current.save()
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=current,
            area_path=current.resident.area.path,
            object_repr=f"correction request: {current.field}",
            changes={"status": [CorrectionRequest.Status.OPEN, current.status]},
        )
    return current
