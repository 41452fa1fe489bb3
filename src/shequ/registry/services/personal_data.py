"""A person's personal data: ID numbers and phones checked and sealed (encrypted, with blind indexes)
here and nowhere else, revealed only with the reveal permission and an audit entry, and a person's
rights under PIPL (their data handed over, erased, anonymised)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.crypto import blind_index, decrypt, encrypt
from shequ.core.errors import DomainError
from shequ.core.extensions import personal_data_sections
from shequ.core.idnumber import (
    birth_date_of,
    clean_phone,
    gender_of,
    id_number_problem,
    normalise_id_number,
)
from shequ.core.models import AuditAction
from shequ.registry.models import (
    Disability,
    Household,
    IdType,
    Resident,
    ResidentEvent,
    ResidentStatus,
)
from shequ.registry.sealed import CARD_CONTEXT, GROUP_MODELS, HEALTH_CONTEXT, ID_CONTEXT, PHONE_CONTEXT

ID_PROBLEMS = {
    "format": _("An ID number has 17 digits and a final digit or X."),
    "birth_date": _("The date of birth inside the ID number is not a real past date."),
    "checksum": _("The ID number's check digit is wrong (GB 11643)."),
}
# Other documents: the shapes printed on them (passport, 港澳 and 台湾 permits).
OTHER_ID_PATTERNS = {
    IdType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
    IdType.HK_MACAO: re.compile(r"^[HM]\d{8}(\d{2})?$"),
    IdType.TAIWAN: re.compile(r"^\d{8}(\d{2})?$"),
}


@dataclass(frozen=True)
class SealedPersonalData:
    id_number_encrypted: str
    id_number_index: str
    id_last4: str
    phone_encrypted: str
    phone_index: str
    birth_date: date
    gender: str


def pinyin_of(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name: 张三 -> ("zs", "zhangsan")."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    return "".join(s[0] for s in syllables if s)[:50], "".join(syllables)[:200]


def check_phone(phone: str) -> str:
    """A person's own phone: a mobile number (or nothing)."""
    return clean_phone(phone, mobile_only=True)


def seal_personal_data(
    *,
    id_number: str,
    phone: str = "",
    id_type: str = IdType.RESIDENT_ID,
    birth_date: date | None = None,
    gender: str = "",
    today: date | None = None,
) -> SealedPersonalData:
    """Validate, then encrypt the ID number and phone and compute their blind indexes. For a
    resident ID the birth date and gender come from the number and must agree with any given."""
    id_number = normalise_id_number(id_number)
    if id_type == IdType.RESIDENT_ID:
        problem = id_number_problem(id_number, today=today)
        if problem:
            raise DomainError(
                ID_PROBLEMS[problem], code=f"id_number_{problem}", fields={"id_number": problem}
            )
        if birth_date is not None and birth_date != birth_date_of(id_number):
            raise DomainError(
                _("The date of birth differs from the one in the ID number."),
                code="birth_date_mismatch",
                fields={"birth_date": "mismatch"},
            )
        if gender and gender != gender_of(id_number):
            raise DomainError(
                _("The gender differs from the one in the ID number."),
                code="gender_mismatch",
                fields={"gender": "mismatch"},
            )
        birth_date, gender = birth_date_of(id_number), gender_of(id_number)
    else:
        pattern = OTHER_ID_PATTERNS.get(IdType(id_type))
        if pattern is None or not pattern.match(id_number):
            raise DomainError(
                _("The document number does not have the shape of a %(kind)s.")
                % {"kind": IdType(id_type).label},
                code="id_number_format",
                fields={"id_number": "format"},
            )
        if birth_date is None or gender not in ("M", "F"):
            raise DomainError(
                _("For this document, enter the date of birth and the gender."),
                code="birth_date_required",
                fields={"birth_date": "required"},
            )
        if birth_date > (today or date.today()):
            raise DomainError(
                _("The date of birth is in the future."),
                code="birth_date_future",
                fields={"birth_date": "future"},
            )
    phone = check_phone(phone)
    key = f"{id_type}:{id_number}" if id_type != IdType.RESIDENT_ID else id_number
    return SealedPersonalData(
        id_number_encrypted=encrypt(id_number, context=ID_CONTEXT),
        id_number_index=blind_index(key, context=ID_CONTEXT),
        id_last4=id_number[-4:],
        phone_encrypted=encrypt(phone, context=PHONE_CONTEXT) if phone else "",
        phone_index=blind_index(phone, context=PHONE_CONTEXT) if phone else "",
        birth_date=birth_date,
        gender=gender,
    )


def _event(
    resident: Resident, kind: str, by: Any, changes: dict | None = None, on: date | None = None
) -> None:
    ResidentEvent.objects.create(
        resident=resident,
        kind=kind,
        on=on,
        by_id=getattr(by, "pk", None),
        by_name=getattr(by, "username", "") or "",
        changes=changes or {},
    )


def resident_reveal(*, by: Any, resident: Resident) -> dict[str, str]:
    """The full ID number, phone and disability card number, for roles that may see them; every
    reveal is audited."""
    access.require(by, "resident", "reveal", path=resident.area.path)
    disability = Disability.objects.filter(resident=resident).first()
    card = disability.card_number_encrypted if disability else ""
    with transaction.atomic():
        audit_log(
            action=AuditAction.VIEW_SENSITIVE,
            actor=by,
            obj=resident,
            area_path=resident.area.path,
            changes={"fields": "id_number, phone" + (", card_number" if card else "")},
        )
    return {
        "id_number": decrypt(resident.id_number_encrypted, context=ID_CONTEXT),
        "phone": decrypt(resident.phone_encrypted, context=PHONE_CONTEXT) if resident.phone_encrypted else "",
        "card_number": decrypt(card, context=CARD_CONTEXT) if card else "",
    }


def resident_personal_data(*, resident: Resident) -> dict[str, Any]:
    """Everything Shequ holds on a person (PIPL art. 45), for the operator's `shequ person export`."""
    data: dict[str, Any] = {
        "name": resident.name,
        "gender": resident.gender,
        "birth_date": str(resident.birth_date),
        "id_type": resident.id_type,
        "id_number": decrypt(resident.id_number_encrypted, context=ID_CONTEXT),
        "phone": decrypt(resident.phone_encrypted, context=PHONE_CONTEXT) if resident.phone_encrypted else "",
        "building": resident.area.name,
        "address": resident.household.address if resident.household else "",
        "relation": resident.relation,
        "registration": resident.registration,
        "political_status": resident.political_status,
        "living_alone": resident.living_alone,
        "skills": resident.skills,
        "interests": resident.interests,
        "status": resident.status,
        "left_on": str(resident.left_on) if resident.left_on else None,
        "organisations": [o.name for o in resident.organisations.all()],
        "history": [
            {"at": e.at.isoformat(), "event": e.kind, "by": e.by_name, "changes": e.changes}
            for e in resident.events.order_by("at", "id")
        ],
    }
    for group, (related, _fields) in GROUP_MODELS.items():
        record = getattr(resident, related, None) if hasattr(resident, related) else None
        if record is not None:
            values = {
                f.name: getattr(record, f.name)
                for f in record._meta.concrete_fields
                if f.name not in ("id", "resident")
            }
            if "card_number_encrypted" in values:
                card = values.pop("card_number_encrypted")
                values["card_number"] = decrypt(card, context=CARD_CONTEXT) if card else ""
            if "conditions_encrypted" in values:
                values["conditions"] = decrypt(values.pop("conditions_encrypted"), context=HEALTH_CONTEXT)
            data[group] = {k: str(v) if isinstance(v, date) else v for k, v in values.items()}
    # What the apps above hold on the person, each declared in its hooks.py (core.extensions).
    for section in personal_data_sections():
        data[section.key] = section.collect(resident)
    return data


def _strip_person(current: Resident, *, index_prefix: str) -> None:
    """Remove what identifies a person; keep what counts need (area, gender, year of birth, status,
    dates). The caller saves."""
    import secrets

    for related, _fields in GROUP_MODELS.values():
        _group_model_by_related(related).objects.filter(resident=current).delete()
    current.organisations.clear()
    Household.objects.filter(head=current).update(head=None)
    current.events.all().delete()
    current.correction_requests.update(details_encrypted="")
    current.id_number_encrypted = encrypt("", context=ID_CONTEXT)
    current.id_number_index = index_prefix + secrets.token_hex(16)
    current.id_last4 = ""
    current.phone_encrypted, current.phone_index = "", ""
    current.birth_date = current.birth_date.replace(month=7, day=1)
    current.relation, current.skills, current.interests = "", [], []
    current.user = None
    current.version += 1


def resident_erase(*, by: Any, resident: Resident) -> None:
    """Erase a person on request (PIPL art. 47): name, documents, contacts, special-group details and
    history go; what aggregate counts need stays (area, gender, year of birth, status)."""
    with transaction.atomic():
        current = Resident.objects.select_for_update().select_related("area").get(pk=resident.pk)
        _strip_person(current, index_prefix="erased-")
        current.name, current.name_initials, current.name_pinyin = "已删除", "", ""
        current.status = ResidentStatus.ERASED
        current.save()
        _event(current, ResidentEvent.Kind.ERASED, by)
        audit_log(
            action=AuditAction.DELETE,
            actor=by,
            obj=current,
            area_path=current.area.path,
            object_repr="erased on request",
        )


ANONYMISED_PREFIX = "anon-"


def resident_anonymise(*, by: Any, resident: Resident, reason: str) -> None:
    """Anonymise a person whose record has outlived its retention (moved out or died long ago): like an
    erasure, but the status and the date they left stay, so past counts still add up."""
    with transaction.atomic():
        current = Resident.objects.select_for_update().select_related("area").get(pk=resident.pk)
        if current.id_number_index.startswith(ANONYMISED_PREFIX):
            return
        _strip_person(current, index_prefix=ANONYMISED_PREFIX)
        current.name, current.name_initials, current.name_pinyin = "已匿名", "", ""
        current.save()
        audit_log(
            action=AuditAction.ANONYMISE,
            actor=by,
            obj=current,
            area_path=current.area.path,
            object_repr="anonymised after its retention period",
            changes={"reason": reason, "status": current.status, "left_on": str(current.left_on)},
        )


def _group_model_by_related(related: str) -> Any:
    return Resident._meta.get_field(related).related_model
