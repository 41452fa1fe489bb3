"""Volunteers: registering (by the staff or by residents themselves), verifying, linking an account."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.crypto import blind_index, encrypt
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.idnumber import id_number_problem, normalise_id_number
from shequ.core.models import Area, AreaKind, AuditAction, User
from shequ.core.selectors import account_for
from shequ.core.workflow import text_value
from shequ.registry import selectors as registry_selectors
from shequ.registry.models import Resident
from shequ.registry.selectors import COMMUNITY_PATH, SELF_ROLES
from shequ.registry.services import ID_PROBLEMS, check_phone
from shequ.volunteering.models import (
    Volunteer,
)
from shequ.volunteering.services.common import ID_CONTEXT, PHONE_CONTEXT, _audit, _now, _require


def _clean_skills(skills: Iterable[str]) -> list[str]:
    out = []
    for skill in skills or ():
        skill = text_value(skill, field="skills", limit=20)
        if skill and skill not in out:
            out.append(skill)
    if len(out) > 20:
        raise DomainError(_("At most 20 skills."), code="too_many", fields={"skills": "many"})
    return out


def volunteer_register(
    *,
    by: Any,
    area: Area,
    resident: Resident | None = None,
    name: str = "",
    phone: str = "",
    id_number: str = "",
    skills: Iterable[str] = (),
    availability: str = "",
    user: User | None = None,
    verify: bool = False,
    now: datetime | None = None,
) -> Volunteer:
    """Register a volunteer in a community or street: a resident of the registry living there, or
    someone from outside with a name and a mobile number (and an ID number for the certificate)."""
    now = _now(now)
    _require(by, "volunteer", "manage", area.path)
    if area.kind not in (AreaKind.STREET, AreaKind.COMMUNITY):
        raise DomainError(
            _("Volunteers are registered in a community or a street."),
            code="area_kind",
            fields={"area": "kind"},
        )
    fields: dict[str, Any] = {
        "skills": _clean_skills(skills),
        "availability": text_value(availability, field="availability", limit=200),
    }
    if resident is not None:
        if by is not None and not access.can(by, "resident", "view", path=resident.area.path):
            raise NotFound()
        if not resident.area.path.startswith(area.path):
            raise DomainError(
                _("The resident does not live in this area."),
                code="resident_area",
                fields={"resident": "area"},
            )
        if resident.status != "active":
            raise DomainError(
                _("Only a person living here can be registered."),
                code="resident_inactive",
                fields={"resident": "inactive"},
            )
        fields["name"] = resident.name
    else:
        fields["name"] = text_value(name, field="name", limit=50, required=True)
        phone = check_phone(phone)
        if not phone:
            raise DomainError(
                _("A volunteer from outside the area needs a mobile number."),
                code="required",
                fields={"phone": "required"},
            )
        fields["phone_encrypted"] = encrypt(phone, context=PHONE_CONTEXT)
        fields["phone_index"] = blind_index(phone, context=PHONE_CONTEXT)
        if id_number:
            id_number = normalise_id_number(id_number)
            problem = id_number_problem(id_number, today=timezone.localdate(now))
            if problem:
                raise DomainError(
                    ID_PROBLEMS[problem], code=f"id_number_{problem}", fields={"id_number": problem}
                )
            fields["id_number_encrypted"] = encrypt(id_number, context=ID_CONTEXT)
            fields["id_last4"] = id_number[-4:]
    if user is not None:
        if by is not None:
            # Only an account the staff member may already see: another community's is "unknown".
            account_for(by, "volunteer", "manage", pk=user.pk)
        _check_account(user, area)
    with transaction.atomic():
        if resident is not None and Volunteer.objects.filter(resident=resident).exists():
            raise Conflict(_("This resident is already registered as a volunteer."), code="already_volunteer")
        if user is not None and Volunteer.objects.filter(user=user).exists():
            raise Conflict(_("This account already belongs to a volunteer."), code="account_taken")
        volunteer = Volunteer.objects.create(area=area, resident=resident, user=user, **fields)
        if verify:
            volunteer.verified_at, volunteer.verified_by = now, by
            volunteer.save(update_fields=["verified_at", "verified_by"])
        changes = {
            "name": [None, volunteer.name],
            "resident": [None, resident],
            "user": [None, user],
            "phone": [None, phone or None],
            "verified": [False, verify],
        }
        _audit(AuditAction.CREATE, by, volunteer, area.path, changes)
        return volunteer


def _check_account(user: User, area: Area) -> None:
    """The account must belong to someone who lives or volunteers in the area."""
    related = [
        h
        for h in access.held_roles(user)
        if h.role in ("volunteer", "resident")
        and (h.path.startswith(area.path) or area.path.startswith(h.path))
    ]
    if not related:
        raise DomainError(
            _("Link an account that holds the volunteer or resident role in this area."),
            code="account_area",
            fields={"username": "area"},
        )


def volunteer_unlink_account(*, by: Any, volunteer: Volunteer) -> Volunteer:
    """Undo a wrong link between a volunteer and an account: the account's "my service record" no
    longer shows this record (its hours and points stay with the record). Nothing to undo: no change."""
    _require(by, "volunteer", "manage", volunteer.area.path)
    with transaction.atomic():  # the lock without the account join: PostgreSQL locks no outer join
        current = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if current.user is None:
            return current
        account = current.user
        current.user = None
        current.version += 1
        current.save(update_fields=["user", "version"])
        _audit(AuditAction.UPDATE, by, current, current.area.path, {"user": [account, None]})
        return current


def volunteer_verify(*, by: Any, volunteer: Volunteer, now: datetime | None = None) -> Volunteer:
    _require(by, "volunteer", "manage", volunteer.area.path)
    with transaction.atomic():
        current = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if current.verified_at is not None:
            return current
        current.verified_at, current.verified_by = _now(now), by
        current.version += 1
        current.save(update_fields=["verified_at", "verified_by", "version"])
        _audit(AuditAction.UPDATE, by, current, volunteer.area.path, {"verified": [False, True]})
        return current


def home_community(user: Any) -> Area | None:
    """The community in which the signed-in person lives or volunteers (their first such role)."""
    for held in access.held_roles(user):
        if held.role in SELF_ROLES and len(held.path) >= COMMUNITY_PATH:
            return Area.objects.filter(path=held.path[:COMMUNITY_PATH], kind=AreaKind.COMMUNITY).first()
    return None


def volunteer_register_self(
    *,
    by: Any,
    skills: Iterable[str] = (),
    availability: str = "",
    name: str = "",
    phone: str = "",
    now: datetime | None = None,
) -> Volunteer:
    """A signed-in resident registers themselves as a volunteer of their community, linked to their
    account and, when it is found for sure, to their registry record (whose name is used: nothing is
    typed twice). The record waits for a social worker to verify it (volunteer_verify)."""
    now = _now(now)
    community = home_community(by)
    if community is None:
        raise Forbidden(
            _(
                "Only a resident with an account of their community can register here. Ask your"
                " community's social worker to register you."
            ),
            code="not_resident",
        )
    resident = registry_selectors.resident_on_account(by, recognise=True)
    fields: dict[str, Any] = {
        "skills": _clean_skills(skills),
        "availability": text_value(availability, field="availability", limit=200),
    }
    if resident is not None:
        fields["name"] = resident.name
    else:
        fields["name"] = text_value(
            name or getattr(by, "display_name", ""), field="name", limit=50, required=True
        )
        phone = check_phone(phone)
        if not phone:
            raise DomainError(
                _("Enter your mobile number so that the organisers can reach you."),
                code="required",
                fields={"phone": "required"},
            )
        fields["phone_encrypted"] = encrypt(phone, context=PHONE_CONTEXT)
        fields["phone_index"] = blind_index(phone, context=PHONE_CONTEXT)
    with transaction.atomic():
        if Volunteer.objects.filter(user=by).exists():
            raise Conflict(_("You are already registered as a volunteer."), code="already_volunteer")
        if resident is not None and Volunteer.objects.filter(resident=resident).exists():
            raise Conflict(
                _(
                    "You are already registered as a volunteer. Ask your community's social worker to link"
                    " your account to that record."
                ),
                code="already_volunteer",
            )
        volunteer = Volunteer.objects.create(area=community, resident=resident, user=by, **fields)
        _audit(
            AuditAction.CREATE,
            by,
            volunteer,
            community.path,
            {
                "name": [None, volunteer.name],
                "resident": [None, resident],
                "user": [None, by],
                "self_registered": [None, True],
            },
        )
        return volunteer


def volunteer_link_account(*, by: Any, volunteer: Volunteer, user: User) -> Volunteer:
    _require(by, "volunteer", "manage", volunteer.area.path)
    _check_account(user, volunteer.area)
    with transaction.atomic():
        current = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if Volunteer.objects.filter(user=user).exclude(pk=current.pk).exists():
            raise Conflict(_("This account already belongs to a volunteer."), code="account_taken")
        before = current.user_id
        current.user = user
        current.version += 1
        current.save(update_fields=["user", "version"])
        _audit(AuditAction.UPDATE, by, current, volunteer.area.path, {"user": [before, user.pk]})
        return current
