"""Residents and households: registering, editing, moving, leaving and returning; each change writes
a ResidentEvent (the person's history) and an audit entry in one transaction."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log, diff
from shequ.core.crypto import blind_index, decrypt, encrypt
from shequ.core.errors import Conflict, DomainError
from shequ.core.models import Area, AreaKind, AuditAction
from shequ.registry.models import (
    HOUSEHOLD_TAGS,
    Household,
    IdType,
    PoliticalStatus,
    Registration,
    Resident,
    ResidentEvent,
    ResidentStatus,
)
from shequ.registry.sealed import PHONE_CONTEXT
from shequ.registry.services.personal_data import _event, check_phone, pinyin_of, seal_personal_data


def _building(area: Area) -> Area:
    if area.kind != AreaKind.BUILDING:
        raise DomainError(
            _("Residents live in a building or lane."), code="not_a_building", fields={"area": "kind"}
        )
    return area


def household_create(
    *, by: Any, building: Area, room: str = "", address: str = "", tags: list[str] | None = None
) -> Household:
    if by is not None:
        access.require(by, "household", "create", path=building.path)
    _building(building)
    tags = _check_tags(tags or [])
    with transaction.atomic():
        household = Household.objects.create(
            area=building,
            room=room.strip(),
            address=(address.strip() or f"{building.address or building.name}{room}"),
            tags=tags,
        )
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=household,
            area_path=building.path,
            changes={"address": [None, household.address]},
        )
    return household


def _check_tags(tags: list[str]) -> list[str]:
    unknown = [t for t in tags if t not in HOUSEHOLD_TAGS]
    if unknown:
        raise DomainError(_("Unknown household tag: %(t)s") % {"t": ", ".join(unknown)}, code="tag_unknown")
    return sorted(set(tags))


PERSON_FIELDS = (
    "name",
    "relation",
    "registration",
    "political_status",
    "living_alone",
    "skills",
    "interests",
)


def _person_fields(resident: Resident) -> dict[str, Any]:
    return {f: getattr(resident, f) for f in PERSON_FIELDS} | {
        "area": resident.area_id,
        "household": resident.household_id,
    }


def _clean_person(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name or len(name) > 50:
            raise DomainError(
                _("The name is required (at most 50 characters)."), code="name", fields={"name": "required"}
            )
        out["name"] = name
    if "registration" in data:
        if data["registration"] not in Registration.values:
            raise DomainError(
                _("Unknown registration status."), code="registration", fields={"registration": "choice"}
            )
        out["registration"] = data["registration"]
    if "political_status" in data:
        if data["political_status"] not in PoliticalStatus.values:
            raise DomainError(
                _("Unknown political status."), code="political_status", fields={"political_status": "choice"}
            )
        out["political_status"] = data["political_status"]
    if "relation" in data:
        out["relation"] = (data["relation"] or "").strip()[:20]
    if "living_alone" in data:
        out["living_alone"] = bool(data["living_alone"])
    for key in ("skills", "interests"):
        if key in data:
            value = data[key]
            items = re.split(r"[,，、;；\s]+", value) if isinstance(value, str) else list(value or [])
            out[key] = [i.strip()[:30] for i in items if i and i.strip()][:20]
    return out


def resident_register(
    *,
    by: Any,
    building: Area,
    name: str,
    id_number: str,
    id_type: str = IdType.RESIDENT_ID,
    phone: str = "",
    birth_date: date | None = None,
    gender: str = "",
    household: Household | None = None,
    new_household_room: str | None = None,
    relation: str = "",
    registration: str = Registration.HOUSEHOLD,
    political_status: str = PoliticalStatus.MASSES,
    living_alone: bool = False,
    skills: list[str] | str = "",
    interests: list[str] | str = "",
) -> Resident:
    """Register a person in a building, in `household` or, given `new_household_room`, in a new
    household made in the same transaction. The same ID document twice is refused."""
    if by is not None:
        access.require(by, "resident", "create", path=building.path)
    _building(building)
    if household is not None and household.area_id != building.pk:
        raise DomainError(_("The household lives in another building."), code="household_building")
    fields = _clean_person(
        {
            "name": name,
            "relation": relation,
            "registration": registration,
            "political_status": political_status,
            "living_alone": living_alone,
            "skills": skills,
            "interests": interests,
        }
    )
    sealed = seal_personal_data(
        id_number=id_number, phone=phone, id_type=id_type, birth_date=birth_date, gender=gender
    )
    initials, full = pinyin_of(fields["name"])
    try:
        with transaction.atomic():
            if household is None and new_household_room is not None:
                household = household_create(by=by, building=building, room=new_household_room)
            resident = Resident.objects.create(
                area=building,
                household=household,
                id_type=id_type,
                name_initials=initials,
                name_pinyin=full,
                **fields,
                **sealed.__dict__,
            )
            if household is not None and fields["relation"] == "户主" and household.head_id is None:
                Household.objects.filter(pk=household.pk).update(head=resident)
            _event(resident, ResidentEvent.Kind.REGISTERED, by, {"building": building.name})
            audit_log(
                action=AuditAction.CREATE,
                actor=by,
                obj=resident,
                area_path=building.path,
                changes=diff({}, fields),
            )
            return resident
    except IntegrityError as exc:
        raise DomainError(
            _("A resident with this ID document is already registered."),
            code="id_number_taken",
            fields={"id_number": "taken"},
        ) from exc


def _locked(resident: Resident, version: int | None) -> Resident:
    current = Resident.objects.select_for_update().select_related("area").get(pk=resident.pk)
    if version is not None and current.version != version:
        raise Conflict()
    return current


def resident_update(*, by: Any, resident: Resident, version: int, **data: Any) -> Resident:
    """Change a person's details (not their ID document: that is a correction with its own rights)."""
    access.require(by, "resident", "update", path=resident.area.path)
    unknown = set(data) - set(PERSON_FIELDS) - {"phone"}
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    clean = _clean_person(data)
    with transaction.atomic():
        current = _locked(resident, version)
        before = _person_fields(current)
        for key, value in clean.items():
            setattr(current, key, value)
        if "name" in clean:
            current.name_initials, current.name_pinyin = pinyin_of(current.name)
        changes = diff(before, _person_fields(current))
        if "phone" in data:
            phone = check_phone(data["phone"])
            old = decrypt(current.phone_encrypted, context=PHONE_CONTEXT) if current.phone_encrypted else ""
            if phone != old:
                current.phone_encrypted = encrypt(phone, context=PHONE_CONTEXT) if phone else ""
                current.phone_index = blind_index(phone, context=PHONE_CONTEXT) if phone else ""
                changes["phone"] = ["***", "***"]
        if not changes:
            return current
        current.version += 1
        current.save()
        _event(current, ResidentEvent.Kind.UPDATED, by, changes)
        audit_log(
            action=AuditAction.UPDATE, actor=by, obj=current, area_path=current.area.path, changes=changes
        )
        return current


def resident_move(
    *, by: Any, resident: Resident, version: int, household: Household, relation: str = ""
) -> Resident:
    """Move a person to another household (and with it, perhaps, another building in the user's areas)."""
    access.require(by, "resident", "update", path=resident.area.path)
    access.require(by, "household", "view", path=household.area.path)
    access.require(by, "resident", "update", path=household.area.path)
    with transaction.atomic():
        current = _locked(resident, version)
        if current.status != ResidentStatus.ACTIVE:
            raise DomainError(_("Only a person living here can move households."), code="not_active")
        if current.household_id == household.pk:
            raise DomainError(_("The person already belongs to this household."), code="same_household")
        changes = {
            "household": [current.household_id, household.pk],
            "area": [current.area_id, household.area_id],
        }
        if current.household_id and Household.objects.filter(pk=current.household_id, head=current).exists():
            Household.objects.filter(pk=current.household_id).update(head=None)
        current.household, current.area, current.relation = household, household.area, relation.strip()[:20]
        current.version += 1
        current.save()
        _event(current, ResidentEvent.Kind.MOVED_HOUSEHOLD, by, changes)
        audit_log(
            action=AuditAction.UPDATE, actor=by, obj=current, area_path=household.area.path, changes=changes
        )
        return current


def resident_leave(*, by: Any, resident: Resident, version: int, kind: str, on: date) -> Resident:
    """Record that a person moved out or died. The record stays, with its history."""
    access.require(by, "resident", "update", path=resident.area.path)
    status = {"moved_out": ResidentStatus.MOVED_OUT, "died": ResidentStatus.DECEASED}.get(kind)
    if status is None:
        raise DomainError(_("Unknown change of status."), code="status_kind")
    if on > timezone.localdate():
        raise DomainError(_("The date is in the future."), code="date_future", fields={"on": "future"})
    with transaction.atomic():
        current = _locked(resident, version)
        if current.status != ResidentStatus.ACTIVE:
            raise DomainError(_("This person is no longer recorded as living here."), code="not_active")
        current.status, current.left_on = status, on
        current.version += 1
        current.save()
        event = (
            ResidentEvent.Kind.MOVED_OUT if status == ResidentStatus.MOVED_OUT else ResidentEvent.Kind.DIED
        )
        _event(current, event, by, {"status": ["active", status]}, on=on)
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=current,
            area_path=current.area.path,
            changes={"status": ["active", status]},
        )
        return current


def resident_return(*, by: Any, resident: Resident, version: int) -> Resident:
    access.require(by, "resident", "update", path=resident.area.path)
    with transaction.atomic():
        current = _locked(resident, version)
        if current.status != ResidentStatus.MOVED_OUT:
            raise DomainError(_("Only a person who moved out can move back."), code="not_moved_out")
        current.status, current.left_on = ResidentStatus.ACTIVE, None
        current.version += 1
        current.save()
        _event(current, ResidentEvent.Kind.RETURNED, by, {"status": ["moved_out", "active"]})
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=current,
            area_path=current.area.path,
            changes={"status": ["moved_out", "active"]},
        )
        return current
