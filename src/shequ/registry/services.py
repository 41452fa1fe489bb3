"""Every write of the registry. Sensitive values are validated and encrypted here and nowhere else;
each change writes a ResidentEvent (the person's history) and an audit entry in one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from shequ.core import access
from shequ.core.audit import audit_log, diff
from shequ.core.crypto import blind_index, decrypt, encrypt
from shequ.core.errors import Conflict, DomainError
from shequ.core.idnumber import (
    birth_date_of,
    clean_phone,
    gender_of,
    id_number_problem,
    normalise_id_number,
)
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


def resident_reveal(*, by: Any, resident: Resident) -> dict[str, str]:
    """The full ID number and phone, for roles that may see them; every reveal is audited."""
    access.require(by, "resident", "reveal", path=resident.area.path)
    with transaction.atomic():
        audit_log(
            action=AuditAction.VIEW_SENSITIVE,
            actor=by,
            obj=resident,
            area_path=resident.area.path,
            changes={"fields": "id_number, phone"},
        )
    return {
        "id_number": decrypt(resident.id_number_encrypted, context=ID_CONTEXT),
        "phone": decrypt(resident.phone_encrypted, context=PHONE_CONTEXT) if resident.phone_encrypted else "",
    }


# --- special groups ----------------------------------------------------------------------------


def _group_model(group: str) -> Any:
    if group not in GROUP_MODELS:
        raise DomainError(_("Unknown special group."), code="group_unknown")
    return Resident._meta.get_field(GROUP_MODELS[group][0]).related_model


def special_group_set(*, by: Any, resident: Resident, group: str, **values: Any) -> Any:
    """Record (or change) a person's membership of a special group, with that group's own fields."""
    from django.core.exceptions import ValidationError

    access.require(by, "special_group", "update", path=resident.area.path)
    model = _group_model(group)
    allowed = GROUP_MODELS[group][1]
    unknown = set(values) - set(allowed)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if group == "left_behind" and resident.age() >= 16:
        raise DomainError(_("Only a child under 16 is recorded as left behind."), code="left_behind_age")
    if group == "pregnant" and resident.gender != "F":
        raise DomainError(_("Only a woman can be recorded as pregnant."), code="pregnant_gender")
    data = dict(values)
    if "card_number" in data:
        card = str(data.pop("card_number") or "").strip()
        data["card_number_encrypted"] = encrypt(card, context=CARD_CONTEXT) if card else ""
    if "conditions" in data:
        conditions = str(data.pop("conditions") or "").strip()
        if not conditions:
            raise DomainError(
                _("Describe the conditions."), code="required", fields={"conditions": "required"}
            )
        data["conditions_encrypted"] = encrypt(conditions[:300], context=HEALTH_CONTEXT)
    with transaction.atomic():
        record = model.objects.filter(resident=resident).first() or model(resident=resident)
        for key, value in data.items():
            setattr(record, key, value)
        try:
            record.full_clean()
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(" ".join(messages), code="invalid", fields={field: "invalid"}) from exc
        created = record.pk is None
        record.save()
        changes = {"group": [None if created else group, group], "fields": ", ".join(sorted(values))}
        _event(resident, ResidentEvent.Kind.UPDATED, by, changes)
        audit_log(
            action=AuditAction.UPDATE, actor=by, obj=resident, area_path=resident.area.path, changes=changes
        )
    return record


def special_group_clear(*, by: Any, resident: Resident, group: str) -> None:
    access.require(by, "special_group", "update", path=resident.area.path)
    model = _group_model(group)
    with transaction.atomic():
        deleted, _detail = model.objects.filter(resident=resident).delete()
        if deleted:
            changes = {"group": [group, None]}
            _event(resident, ResidentEvent.Kind.UPDATED, by, changes)
            audit_log(
                action=AuditAction.UPDATE,
                actor=by,
                obj=resident,
                area_path=resident.area.path,
                changes=changes,
            )


# --- a person's rights under PIPL ----------------------------------------------------------------


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


# --- export -----------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号（脱敏）",
    "手机号（脱敏）",
    "网格",
    "楼栋",
    "地址",
    "与户主关系",
    "政治面貌",
    "特殊群体",
]


def bulk_export_check(*, by: Any, qs: Any, area_path: str, what: str) -> tuple[int, Any]:
    """(rows, grant): an export of more than SHEQU_BULK_EXPORT_ROWS rows of personal data is a bulk
    export and needs the user's approved bulk-export grant covering its area (or, exporting across
    all their areas, covering each of them); otherwise GrantRequired, which says where to ask."""
    from django.conf import settings

    from shequ.core import grants
    from shequ.core.models import GrantKind

    rows = qs.count()
    limit = settings.BULK_EXPORT_ROWS
    if rows <= limit:
        return rows, None
    paths = [area_path] if area_path else access.paths_for(by, what, "export")
    found = [grants.active_grant(by, GrantKind.BULK_EXPORT, path=p) for p in paths]
    if paths and all(found):
        return rows, found[0]
    area = Area.objects.filter(path=area_path).first() if area_path else None
    raise grants.GrantRequired(
        GrantKind.BULK_EXPORT,
        area,
        _(
            "This export holds %(rows)d rows: more than %(limit)d rows of personal data is a bulk export "
            "and needs a separate, approved grant. Narrow the search, or ask for a bulk-export grant."
        )
        % {"rows": rows, "limit": limit},
    )


def residents_export(*, by: Any, residents: Any, area_path: str, filters: str) -> bytes:
    """The list as the user sees it, masked like the screen, as .xlsx; formula-safe and audited.
    `residents` must already be scoped by the caller's selector. Children under 14 appear in the
    minimal form unless the user holds a grant for minors covering them; a bulk export needs a grant."""
    from shequ.core.tabular import write_xlsx
    from shequ.registry.models import SPECIAL_GROUPS
    from shequ.registry.selectors import audit_minors_listed, group_tags, shown_rows

    qs = access.scope(by, "resident", "export", residents)
    _rows, bulk_grant = bulk_export_check(by=by, qs=qs, area_path=area_path, what="resident")
    labels = {k: str(v) for k, v in SPECIAL_GROUPS.items()}
    count = 0
    minors: list[dict[str, Any]] = []

    def rows() -> Any:
        nonlocal count
        for r in qs.select_related("area__parent", "household").iterator(chunk_size=1000):
            count += 1
            m = shown_rows(by, [r])[0]
            if m["minimal"]:
                yield [
                    m["name"],
                    r.get_gender_display(),
                    "",
                    "",
                    "",
                    r.area.parent.name if r.area.parent else "",
                    r.area.name,
                    "",
                    "",
                    "",
                    "",
                ]
                continue
            if m["grant"]:
                minors.append(m)
            yield [
                r.name,
                r.get_gender_display(),
                r.birth_date.isoformat(),
                m["id_number"],
                m["phone"],
                r.area.parent.name if r.area.parent else "",
                r.area.name,
                r.household.address if r.household else "",
                r.relation,
                r.get_political_status_display(),
                "、".join(labels[t] for t in group_tags(r)),
            ]

    content = write_xlsx(EXPORT_HEADERS, rows(), title="居民")
    audit_log(
        action=AuditAction.EXPORT,
        actor=by,
        area_path=area_path,
        object_repr=f"residents.xlsx ({count})",
        changes={"filters": filters[:200], "rows": count}
        | ({"grant": bulk_grant.pk, "kind": bulk_grant.kind} if bulk_grant else {}),
    )
    audit_minors_listed(by, minors, what="export")
    return content


def _export_xlsx(
    *,
    by: Any,
    resource: str,
    objects: Any,
    headers: list[str],
    row: Any,
    title: str,
    filename: str,
    area_path: str,
    filters: str,
) -> bytes:
    """A list as .xlsx, limited to what the user may export, streamed, formula-safe, and audited."""
    from shequ.core.tabular import write_xlsx

    qs = access.scope(by, resource, "export", objects)
    bulk_grant = None
    if resource in PERSONAL_EXPORTS:
        _rows, bulk_grant = bulk_export_check(by=by, qs=qs, area_path=area_path, what=resource)
    count = 0

    def rows() -> Any:
        nonlocal count
        for obj in qs.iterator(chunk_size=1000):
            count += 1
            yield row(obj)

    content = write_xlsx(headers, rows(), title=title)
    audit_log(
        action=AuditAction.EXPORT,
        actor=by,
        area_path=area_path,
        object_repr=f"{filename} ({count})",
        changes={"filters": filters[:200], "rows": count}
        | ({"grant": bulk_grant.pk, "kind": bulk_grant.kind} if bulk_grant else {}),
    )
    return content


# Exports of personal data (names, addresses): more than SHEQU_BULK_EXPORT_ROWS rows need a grant.
# Organisations are units, not people (their contact phones are masked): no grant.
PERSONAL_EXPORTS = {"resident", "household"}

HOUSEHOLD_EXPORT_HEADERS = ["网格", "楼栋", "房号", "地址", "户主", "在住人数", "标签"]


def households_export(*, by: Any, households: Any, area_path: str, filters: str) -> bytes:
    """The households list as the user sees it. `households` comes from selectors.households_for."""
    from shequ.registry.selectors import household_tag_labels, visible_head

    def row(h: Household) -> list[Any]:
        head = visible_head(by, h)
        return [
            h.area.parent.name if h.area.parent else "",
            h.area.name,
            h.room,
            h.address,
            head.name if head else "",
            getattr(h, "member_count", 0),
            "、".join(household_tag_labels(h)),
        ]

    return _export_xlsx(
        by=by,
        resource="household",
        objects=households.select_related("area__parent", "head"),
        headers=HOUSEHOLD_EXPORT_HEADERS,
        row=row,
        title="住户",
        filename="households.xlsx",
        area_path=area_path,
        filters=filters,
    )


ORGANISATION_EXPORT_HEADERS = [
    "名称",
    "类型",
    "统一社会信用代码",
    "所属区域",
    "地址",
    "联系人",
    "联系电话（脱敏）",
    "成员数",
]


def organisations_export(*, by: Any, organisations: Any, area_path: str, filters: str) -> bytes:
    """The organisations list as the user sees it, contact phones masked. `organisations` comes from
    selectors.organisations_for."""
    from shequ.core.idnumber import mask_phone

    def row(o: Any) -> list[Any]:
        return [
            o.name,
            o.get_kind_display(),
            o.credit_code,
            o.area.name,
            o.address,
            o.contact_name,
            mask_phone(o.contact_phone) if o.contact_phone else "",
            getattr(o, "member_count", 0),
        ]

    return _export_xlsx(
        by=by,
        resource="organisation",
        objects=organisations,
        headers=ORGANISATION_EXPORT_HEADERS,
        row=row,
        title="组织",
        filename="organisations.xlsx",
        area_path=area_path,
        filters=filters,
    )


# --- organisations and buildings ----------------------------------------------------------------

ORGANISATION_FIELDS = (
    "kind",
    "name",
    "credit_code",
    "registered",
    "incubated",
    "address",
    "contact_name",
    "contact_phone",
)


def clean_organisation(data: dict[str, Any]) -> dict[str, Any]:
    from shequ.core.idnumber import credit_code_problem
    from shequ.registry.models import OrganisationKind

    out = {k: v for k, v in data.items() if k in ORGANISATION_FIELDS}
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"] or len(out["name"]) > 100:
            raise DomainError(_("The name is required."), code="required", fields={"name": "required"})
    if "kind" in out and out["kind"] not in OrganisationKind.values:
        raise DomainError(_("Unknown kind of organisation."), code="kind", fields={"kind": "choice"})
    if out.get("credit_code"):
        out["credit_code"] = out["credit_code"].strip().upper()
        if credit_code_problem(out["credit_code"]):
            raise DomainError(
                _("The unified social credit code is not valid (GB 32100)."),
                code="credit_code",
                fields={"credit_code": "invalid"},
            )
    if out.get("contact_phone"):
        out["contact_phone"] = clean_phone(out["contact_phone"], field="contact_phone", code="phone_format")
    return out


def organisation_create(*, by: Any, area: Area, **data: Any) -> Any:
    from shequ.registry.models import Organisation

    access.require(by, "organisation", "create", path=area.path)
    fields = clean_organisation(data)
    if "name" not in fields or "kind" not in fields:
        raise DomainError(_("The name and kind are required."), code="required", fields={"name": "required"})
    with transaction.atomic():
        org = Organisation.objects.create(area=area, **fields)
        audit_log(action=AuditAction.CREATE, actor=by, obj=org, area_path=area.path, changes=diff({}, fields))
    return org


def organisation_update(*, by: Any, organisation: Any, version: int, **data: Any) -> Any:
    from shequ.registry.models import Organisation

    access.require(by, "organisation", "update", path=organisation.area.path)
    fields = clean_organisation(data)
    with transaction.atomic():
        current = Organisation.objects.select_for_update().select_related("area").get(pk=organisation.pk)
        if current.version != version:
            raise Conflict()
        before = {k: getattr(current, k) for k in fields}
        for key, value in fields.items():
            setattr(current, key, value)
        changes = diff(before, fields)
        if changes:
            current.version += 1
            current.save()
            audit_log(
                action=AuditAction.UPDATE, actor=by, obj=current, area_path=current.area.path, changes=changes
            )
        return current


def building_profile_update(
    *, by: Any, building: Area, estate: str = "", property_company: Any = None, head: Resident | None = None
) -> Any:
    """Estate, property company and building head of a building: kept by those who manage the area."""
    from shequ.registry.models import BuildingProfile

    access.require(by, "area", "update", path=building.path)
    _building(building)
    if property_company is not None and (
        property_company.kind != "property_company"
        or not building.path.startswith(property_company.area.path[:12])
    ):
        raise DomainError(_("Choose a property company of this community."), code="property_company")
    if head is not None and head.area_id != building.pk:
        raise DomainError(_("The building head must live in the building."), code="head_building")
    with transaction.atomic():
        profile, _created = BuildingProfile.objects.get_or_create(area=building)
        before = {
            "estate": profile.estate,
            "property_company": profile.property_company_id,
            "head": profile.head_id,
        }
        profile.estate, profile.property_company, profile.head = estate.strip()[:100], property_company, head
        profile.save()
        after = {
            "estate": profile.estate,
            "property_company": profile.property_company_id,
            "head": profile.head_id,
        }
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=building,
            area_path=building.path,
            changes=diff(before, after),
        )
    return profile
