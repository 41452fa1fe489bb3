"""Importing from .xlsx/.csv: validate everything into staged rows, show every problem with its sheet,
row and column in Chinese, and write only a clean file (or, by choice, its good rows) in one
transaction. Streams row by row and in batches, so memory does not grow with the file.

One machinery for every kind of import; an `ImportKind` says what differs (columns, how a row is read,
its natural key, how rows are written). Residents are defined here; buildings, households and
organisations in registry/import_kinds.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.crypto import decrypt, encrypt
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import PATH_STEP, Area, AreaKind, AuditAction, ImportJob, ImportRow
from shequ.core.tabular import LOST_DIGITS, Table, open_table, write_xlsx
from shequ.registry.import_base import (
    HANDED_BACK,
    YES_NO,
    Column,
    ImportKind,
    Problems,
    choose,
    pick_building,
    places,
    required_problems,
)
from shequ.registry.import_kinds import BUILDINGS, HOUSEHOLDS, ORGANISATIONS
from shequ.registry.models import (
    Assistance,
    Disability,
    Household,
    IdType,
    PoliticalStatus,
    Registration,
    Resident,
    ResidentEvent,
    Veteran,
)
from shequ.registry.services import pinyin_of, seal_personal_data

RAW_CONTEXT = "core.importrow.raw"
BATCH = 1000

# --- residents -------------------------------------------------------------------------------------

COLUMNS = [
    Column("姓名", "name", True),
    Column("证件类型", "id_type", help="居民身份证（默认）、护照、港澳通行证、台湾通行证"),
    Column("证件号码", "id_number", True),
    Column("性别", "gender", help="男/女；居民身份证可不填"),
    Column("出生日期", "birth_date", help="如 1980-05-17；居民身份证可不填"),
    Column("手机号", "phone"),
    Column("网格", "grid", True, "与系统中的网格名称一致"),
    Column("楼栋", "building", True, "与系统中的楼栋/巷名称一致"),
    Column("房号", "room", help="同一楼栋同一房号为同一户"),
    Column("与户主关系", "relation", help="户主、配偶、子女、父母……"),
    Column("户籍状态", "registration", help="户籍（默认）、常住、流动"),
    Column("政治面貌", "political_status", help="群众（默认）、中共党员、入党积极分子、共青团员"),
    Column("独居", "living_alone", help="是/否"),
    # The special groups (registry/sealed.py GROUP_MODELS) a person can be registered with at once.
    Column("低保/特困", "assistance", help="低保、特困；都不是则不填"),
    Column("救助起始日期", "assistance_since", help="如 2023-01-01；填了低保/特困时必填"),
    Column("每月救助金额", "assistance_amount", help="元，如 650；可不填"),
    Column("残疾类别", "disability", help="视力、听力、言语、肢体、智力、精神、多重；不是则不填"),
    Column("残疾等级", "disability_level", help="1-4 或 一级至四级；填了残疾类别时必填"),
    Column("退役军人服役年份", "veteran", help="如 1998-2002；不是则不填"),
    Column("技能特长", "skills", help="多个用顿号分隔"),
    Column("兴趣爱好", "interests", help="多个用顿号分隔"),
]
BY_HEADER = {c.header: c for c in COLUMNS}
ID_TYPES = {
    "": IdType.RESIDENT_ID,
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "港澳通行证": IdType.HK_MACAO,
    "港澳居民来往内地通行证": IdType.HK_MACAO,
    "台湾通行证": IdType.TAIWAN,
    "台湾居民来往大陆通行证": IdType.TAIWAN,
    "台胞证": IdType.TAIWAN,
}
GENDERS = {"": "", "男": "M", "女": "F", "男性": "M", "女性": "F"}
REGISTRATIONS = {
    "": Registration.HOUSEHOLD,
    "户籍": Registration.HOUSEHOLD,
    "常住": Registration.RESIDENT,
    "流动": Registration.FLOATING,
}
POLITICAL = {
    "": PoliticalStatus.MASSES,
    "群众": PoliticalStatus.MASSES,
    "中共党员": PoliticalStatus.PARTY_MEMBER,
    "党员": PoliticalStatus.PARTY_MEMBER,
    "入党积极分子": PoliticalStatus.ACTIVIST,
    "共青团员": PoliticalStatus.LEAGUE_MEMBER,
    "团员": PoliticalStatus.LEAGUE_MEMBER,
}
# Which column a seal_personal_data refusal concerns.
FIELD_HEADERS = {"id_number": "证件号码", "phone": "手机号", "birth_date": "出生日期", "gender": "性别"}
RESIDENT_EXAMPLE = [
    "张三",
    "居民身份证",
    "11010519491231002X",
    "",
    "",
    "13800138000",
    "第1网格",
    "1座",
    "101",
    "户主",
    "户籍",
    "群众",
    "否",
    "",
    "",
    "",
    "",
    "",
    "",
    "理发、修电器",
    "书法",
]


DATE_SPELLINGS = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$"
)


def parse_date(value: str) -> date | None:
    """1980-05-17, 1980/5/17, 1980.5.17, 1980年5月17日 (and a spreadsheet's date cell, "1980-05-17
    00:00:00"): one day each, unambiguous. Anything else is None."""
    m = DATE_SPELLINGS.match(value.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise_phone(value: str) -> str:
    """A mobile number as people write it: "+86 138-0013-8000", "0086 13800138000", "86-138…" are one
    11-digit number. Only the country code and separators are taken away; what is left is checked as
    before, so anything else is still refused with the phone's own message."""
    v = PHONE_SEPARATORS.sub("", value)
    for prefix in ("+86", "0086", "86"):
        if v.startswith(prefix) and len(v) == len(prefix) + 11 and v[len(prefix)] == "1":
            return v[len(prefix) :]
    return v if v.isdigit() else value


GROUPS_CONTEXT = "registry.import.special_groups"
ASSISTANCE_KINDS = {"低保": Assistance.Kind.DIBAO, "特困": Assistance.Kind.TEKUN}
DISABILITY_CATEGORIES = {
    "视力": Disability.Category.VISUAL,
    "听力": Disability.Category.HEARING,
    "言语": Disability.Category.SPEECH,
    "肢体": Disability.Category.PHYSICAL,
    "智力": Disability.Category.INTELLECTUAL,
    "精神": Disability.Category.MENTAL,
    "多重": Disability.Category.MULTIPLE,
}
for _word, _category in list(DISABILITY_CATEGORIES.items()):
    DISABILITY_CATEGORIES[f"{_word}残疾"] = _category
DISABILITY_LEVELS = {"1": 1, "2": 2, "3": 3, "4": 4, "一级": 1, "二级": 2, "三级": 3, "四级": 4}
YEARS = re.compile(r"^(\d{4})\s*[-－—~～至到]\s*(\d{4})$")
AMOUNT = re.compile(r"^\d{1,6}(?:\.\d{1,2})?$")


def _special_groups(row: dict[str, str], birth: date | None, problems: Problems) -> dict[str, Any]:
    """The special-group cells of a row, each checked on its own column: {group: values} for the
    groups the row names (registry/sealed.py's keys), written with the person in the same commit."""
    groups: dict[str, Any] = {}
    kind = row.get("低保/特困", "")
    since_cell = row.get("救助起始日期", "")
    amount_cell = row.get("每月救助金额", "").replace("元", "").replace(",", "").strip()
    if kind:
        choose(row, "低保/特困", ASSISTANCE_KINDS, problems, groups, "_kind")
        since = parse_date(since_cell) if since_cell else None
        if not since_cell:
            problems.append(("救助起始日期", _("Required when 低保/特困 is filled in.")))
        elif since is None:
            problems.append(("救助起始日期", _("Write the date as 1980-05-17.")))
        elif since > timezone.localdate():
            problems.append(("救助起始日期", _("This date is in the future.")))
        if amount_cell and not AMOUNT.match(amount_cell):
            problems.append(("每月救助金额", _("Write an amount in yuan, such as 650 or 650.50.")))
        if "_kind" in groups and since is not None:
            groups["dibao"] = {
                "kind": str(groups.pop("_kind")),
                "since": since.isoformat(),
                "monthly_amount": amount_cell or "0",
            }
        groups.pop("_kind", None)
    elif since_cell or amount_cell:
        header = "救助起始日期" if since_cell else "每月救助金额"
        problems.append((header, _("Fill in 低保/特困 too, or leave this cell empty.")))
    category, level = row.get("残疾类别", ""), row.get("残疾等级", "").replace("级残疾", "级")
    if category:
        if category not in DISABILITY_CATEGORIES:
            problems.append(
                ("残疾类别", _("Not one of: %(v)s") % {"v": "、".join(list(DISABILITY_CATEGORIES)[:7])})
            )
        if not level:
            problems.append(("残疾等级", _("Required when 残疾类别 is filled in.")))
        elif level not in DISABILITY_LEVELS:
            problems.append(("残疾等级", _("Write a level from 1 to 4 (一级 to 四级).")))
        elif category in DISABILITY_CATEGORIES:
            groups["disabled"] = {
                "category": str(DISABILITY_CATEGORIES[category]),
                "level": DISABILITY_LEVELS[level],
            }
    elif level:
        problems.append(("残疾等级", _("Fill in 残疾类别 too, or leave this cell empty.")))
    served = row.get("退役军人服役年份", "")
    if served:
        m = YEARS.match(served)
        if m is None:
            problems.append(("退役军人服役年份", _("Write the years served as 1998-2002.")))
        elif int(m[1]) > int(m[2]):
            problems.append(("退役军人服役年份", _("The first year is after the last.")))
        elif int(m[2]) > timezone.localdate().year or (birth is not None and int(m[1]) < birth.year + 15):
            problems.append(("退役军人服役年份", _("These years do not fit the person's birth date.")))
        else:
            groups["veteran"] = {"served_from": int(m[1]), "served_to": int(m[2])}
    return groups


def _resident_lookups(area: Area, user: Any) -> dict[tuple[str, str], Area | None]:
    return places(area, user, "resident", "create", AreaKind.BUILDING)


def _parse(
    row: dict[str, str], buildings: dict[tuple[str, str], Area | None], today: date
) -> tuple[dict[str, Any], Problems]:
    """One row's values, validated: (data, [(header, message)])."""
    problems = required_problems(row, COLUMNS)
    data: dict[str, Any] = {}
    choose(row, "证件类型", ID_TYPES, problems, data, "id_type")
    choose(row, "性别", GENDERS, problems, data, "gender")
    choose(row, "户籍状态", REGISTRATIONS, problems, data, "registration")
    choose(row, "政治面貌", POLITICAL, problems, data, "political_status")
    choose(row, "独居", YES_NO, problems, data, "living_alone")
    birth: date | None = None
    if row.get("出生日期"):
        birth = parse_date(row["出生日期"])
        if birth is None:
            problems.append(("出生日期", _("Write the date as 1980-05-17.")))
    building = pick_building(row, buildings, problems)
    if row.get("姓名") and len(row["姓名"]) > 50:
        problems.append(("姓名", _("At most 50 characters.")))
    if LOST_DIGITS.match(row.get("证件号码", "")):
        problems.append(
            (
                "证件号码",
                _(
                    "The spreadsheet stored this ID number as a number and lost its last digits: "
                    "format the column as text and type the whole number again."
                ),
            )
        )
    elif row.get("证件号码") and "id_type" in data:
        try:
            sealed = seal_personal_data(
                id_number=row["证件号码"],
                phone=normalise_phone(row.get("手机号", "")),
                id_type=data["id_type"],
                birth_date=birth,
                gender=data.get("gender", ""),
                today=today,
            )
        except DomainError as exc:
            field = next(iter(exc.fields), "id_number")
            problems.append((FIELD_HEADERS.get(field, "证件号码"), str(exc.message)))
        else:
            data.update(sealed.__dict__)
            data["birth_date"] = sealed.birth_date.isoformat()
    groups = _special_groups(
        row, date.fromisoformat(data["birth_date"]) if "birth_date" in data else birth, problems
    )
    if groups:  # kept sealed in the staging table, like the ID number
        data["groups"] = encrypt(json.dumps(groups), context=GROUPS_CONTEXT)
    if building is not None:
        data["area_id"] = building.pk
        data["room"] = row.get("房号", "")[:20]
        data["address"] = f"{building.address or building.name}{data['room']}"
    data["name"] = row.get("姓名", "")
    data["name_initials"], data["name_pinyin"] = pinyin_of(data["name"])
    data["relation"] = row.get("与户主关系", "")[:20]
    for list_key, header in (("skills", "技能特长"), ("interests", "兴趣爱好")):
        data[list_key] = [
            v.strip()[:30]
            for v in row.get(header, "").replace(",", "、").replace("，", "、").split("、")
            if v.strip()
        ][:20]
    return data, problems


def _registered(_job: ImportJob, keys: list[str], _values: list[dict[str, Any]]) -> set[str]:
    return set(Resident.objects.filter(id_number_index__in=keys).values_list("id_number_index", flat=True))


def _registered_alike(_job: ImportJob, keys: list[str], values: list[dict[str, Any]]) -> set[str]:
    """The people registered exactly as the row says (same ID number, name and building)."""
    rows = {v["id_number_index"]: v for v in values if v.get("id_number_index")}
    return {
        index
        for index, name, area_id in Resident.objects.filter(id_number_index__in=keys).values_list(
            "id_number_index", "name", "area_id"
        )
        if index in rows and rows[index].get("name") == name and rows[index].get("area_id") == area_id
    }


SEALED = ("id_number_encrypted", "id_number_index", "id_last4", "phone_encrypted", "phone_index", "gender")
PLAIN = (
    "name",
    "name_initials",
    "name_pinyin",
    "relation",
    "registration",
    "political_status",
    "living_alone",
    "skills",
    "interests",
    "id_type",
)


def _write_batch(rows: list[ImportRow], user: Any) -> int:
    # Households are found or made per batch: (building, room) names one household.
    wanted = {(r.data["area_id"], r.data["room"]) for r in rows}
    existing = {
        (h.area_id, h.room): h
        for h in Household.objects.filter(
            area_id__in={a for a, _r in wanted}, room__in={r for _a, r in wanted}
        )
    }
    new = [
        Household(
            area_id=a,
            room=room,
            address=next(r.data["address"] for r in rows if (r.data["area_id"], r.data["room"]) == (a, room)),
        )
        for a, room in wanted
        if (a, room) not in existing
    ]
    for h in Household.objects.bulk_create(new):
        existing[(h.area_id, h.room)] = h
    residents = [
        Resident(
            area_id=r.data["area_id"],
            household=existing[(r.data["area_id"], r.data["room"])],
            birth_date=date.fromisoformat(r.data["birth_date"]),
            **{k: r.data[k] for k in SEALED + PLAIN},
        )
        for r in rows
    ]
    Resident.objects.bulk_create(residents)
    if not all(r.pk for r in residents):  # SQLite before 3.35 returns no ids; read them back
        ids = dict(
            Resident.objects.filter(id_number_index__in=[r.id_number_index for r in residents]).values_list(
                "id_number_index", "id"
            )
        )
        for r in residents:
            r.pk = ids[r.id_number_index]
    # Each household's first head (户主) becomes its head, unless it has one: one UPDATE per batch
    # (it was one per household, a third of the commit's queries for a file of families).
    heads: dict[int, int] = {}
    for r in residents:
        if r.relation == "户主" and r.household_id:
            heads.setdefault(r.household_id, r.pk)
    headless = set(Household.objects.filter(pk__in=heads, head__isnull=True).values_list("pk", flat=True))
    Household.objects.bulk_update(
        [Household(pk=h, head_id=heads[h]) for h in sorted(headless)], ["head"], batch_size=BATCH
    )
    ResidentEvent.objects.bulk_create(
        [
            ResidentEvent(
                resident=r,
                kind=ResidentEvent.Kind.REGISTERED,
                by_id=getattr(user, "pk", None),
                by_name=getattr(user, "username", ""),
                changes={"import": True},
            )
            for r in residents
        ]
    )
    _write_groups(rows, residents)
    return len(residents)


def _write_groups(rows: list[ImportRow], residents: list[Resident]) -> None:
    """The special groups the rows named, for the people just made (same transaction)."""
    records: dict[str, list[Any]] = {}
    for row, person in zip(rows, residents, strict=True):
        if not row.data.get("groups"):
            continue
        groups = json.loads(decrypt(row.data["groups"], context=GROUPS_CONTEXT))
        for group, values in groups.items():
            if group == "dibao":
                values = {
                    **values,
                    "since": date.fromisoformat(values["since"]),
                    "monthly_amount": Decimal(values["monthly_amount"]),
                }
            records.setdefault(group, []).append(GROUP_RECORDS[group](resident=person, **values))
    for group, made in records.items():
        GROUP_RECORDS[group].objects.bulk_create(made)


GROUP_RECORDS: dict[str, Any] = {"dibao": Assistance, "disabled": Disability, "veteran": Veteran}


RESIDENTS = ImportKind(
    name="residents",
    resource="resident",
    title="居民",
    columns=COLUMNS,
    example=RESIDENT_EXAMPLE,
    lookups=_resident_lookups,
    parse=_parse,
    key_of=lambda data: data.get("id_number_index", ""),
    key_header=lambda _key: "证件号码",
    same_as_row=gettext_lazy("The same ID number as row %(n)d of this file."),
    existing=_registered,
    write=_write_batch,
    conflict=gettext_lazy(
        "Someone registered one of these people meanwhile. Nothing was written; check the file again."
    ),
    existing_problem=gettext_lazy("This ID number is already registered (with another name or building)."),
    same_record=_registered_alike,
)


# --- the machinery ---------------------------------------------------------------------------------


def _help_row(kind: ImportKind) -> list[str]:
    return [f"（{c.help}）" if c.help else "" for c in kind.columns]


def _template_rows(kind: ImportKind) -> set[tuple[str, ...]]:
    return {tuple(kind.example), tuple(_help_row(kind))}


def template_xlsx(kind: ImportKind = RESIDENTS) -> bytes:
    """The file to fill: the Chinese headers, an example row and a row saying what each column takes
    (both are recognised and skipped when the filled file comes back with them still in it)."""
    return write_xlsx(kind.headers, [kind.example, _help_row(kind)], title=kind.title)


def validate(
    *,
    user: Any,
    area: Area,
    data: IO[bytes],
    filename: str,
    kind: ImportKind = RESIDENTS,
    max_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportJob:
    """Check a whole file and stage it. Nothing reaches the registry here."""
    if user is not None:
        access.require(user, kind.resource, "import", path=area.path)
    table = open_table(data, filename, **({"max_rows": max_rows} if max_rows else {}))
    missing = [c.header for c in kind.columns if c.required and c.header not in table.headers]
    unknown = [h for h in table.headers if h and h not in kind.headers and h != HANDED_BACK]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(c)s") % {"c": "、".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(c)s") % {"c": "、".join(unknown)})
        raise DomainError(
            _("The header row does not match the template (%(p)s). Download the template and try again.")
            % {"p": "；".join(parts)},
            code="import_headers",
            fields={"file": "headers"},
        )
    job = ImportJob.objects.create(kind=kind.name, user=user, area=area, filename=filename[:200])
    try:
        _stage(job, kind, table, user, area, progress)
    except DomainError:
        job.delete()
        raise
    return job


def _stage(
    job: ImportJob,
    kind: ImportKind,
    table: Table,
    user: Any,
    area: Area,
    progress: Callable[[int], None] | None,
) -> None:
    lookups = kind.lookups(area, user)
    today = timezone.localdate()
    batch: list[ImportRow] = []
    total = 0
    template_rows = _template_rows(kind)
    for row in table.rows:
        if tuple(row.values.get(h, "") for h in kind.headers) in template_rows:
            continue  # the template's example or help row, left in: not data
        data, problems = kind.parse(row.values, lookups, today)
        batch.append(
            ImportRow(
                job=job,
                number=row.number,
                key=kind.key_of(data),
                raw_encrypted=encrypt(json.dumps(row.values, ensure_ascii=False), context=RAW_CONTEXT),
                data=data if not problems else {},
                problems=[[table.column_of(h), h, m] for h, m in problems],
            )
        )
        total += 1
        if len(batch) >= BATCH:
            ImportRow.objects.bulk_create(batch)
            batch = []
            if progress:
                progress(total)
    ImportRow.objects.bulk_create(batch)
    _mark_repeated(job, kind, table)
    job.duplicate_rows = _mark_existing(job, kind, table)
    job.total_rows = total
    job.error_rows = job.rows.exclude(problems=[]).count()
    job.save(update_fields=["total_rows", "error_rows", "duplicate_rows"])


def _add_problem(row: ImportRow, column: str, header: str, message: str) -> None:
    row.problems = [*row.problems, [column, header, message]]
    row.data = {}
    row.save(update_fields=["problems", "data"])


def _mark_repeated(job: ImportJob, kind: ImportKind, table: Table) -> None:
    """A key that occurs again later in the file is an error on the later rows."""
    repeated = (
        job.rows.exclude(key="").values("key").annotate(n=Count("id"), first=Min("number")).filter(n__gt=1)
    )
    for group in repeated.iterator():
        header = kind.key_header(group["key"])
        for row in job.rows.filter(key=group["key"], number__gt=group["first"]):
            _add_problem(row, table.column_of(header), header, str(kind.same_as_row) % {"n": group["first"]})


def _mark_existing(job: ImportJob, kind: ImportKind, table: Table) -> int:
    """Find the rows already in the registry, in batches: an error (residents) or, for the other kinds,
    rows that will be skipped. Returns how many will be skipped."""
    keyed = job.rows.exclude(key="").order_by("number")
    pairs: Iterator[tuple[str, dict[str, Any]]] = (
        keyed.values_list("key", "data").iterator(chunk_size=BATCH)
        if kind.existing_reads_values
        else ((k, {}) for k in keyed.values_list("key", flat=True).iterator(chunk_size=BATCH))
    )
    skipped = 0
    for chunk in _chunks(pairs, BATCH):
        taken = kind.existing(job, [k for k, _v in chunk], [v for _k, v in chunk])
        if not taken:
            continue
        if kind.existing_problem is None:
            skipped += job.rows.filter(key__in=taken, problems=[]).count()
            continue
        alike = (
            kind.same_record(job, [k for k, _v in chunk], [v for _k, v in chunk])
            if kind.same_record
            else set()
        )
        skipped += job.rows.filter(key__in=alike, problems=[]).count()
        for row in job.rows.filter(key__in=taken - alike):
            header = kind.key_header(row.key)
            if not any(p[1] == header for p in row.problems):
                _add_problem(row, table.column_of(header), header, str(kind.existing_problem))
    return skipped


PROBLEM_ROWS_LISTED = 200  # rows with errors the preview lists; it says so when there are more


def problems_of(job: ImportJob, limit: int = PROBLEM_ROWS_LISTED) -> list[tuple[int, str, str, str]]:
    """(row, column, header, message) for the preview, of the first `limit` rows with errors."""
    out = []
    for row in job.rows.exclude(problems=[]).order_by("number")[:limit]:
        for column, header, message in row.problems:
            out.append((row.number, column, header, message))
    return out


def _lock_district(area: Area) -> None:
    """Imports in one district commit one at a time, so two uploads of the same file cannot both find
    a record missing and both make it. (FOR NO KEY UPDATE: references to the district still work.)"""
    list(Area.objects.select_for_update(no_key=True).filter(path=area.path[:PATH_STEP]).values_list("pk"))


def commit(
    *, user: Any, job: ImportJob, good_rows_only: bool = False, progress: Callable[[int], None] | None = None
) -> int:
    """Write the staged rows, all or nothing. Returns how many records were created."""
    kind = kind_of(job.kind)
    if job.status != ImportJob.Status.VALIDATED:
        raise DomainError(_("This import was already finished."), code="import_done")
    if job.error_rows and not good_rows_only:
        raise DomainError(
            _("The file has errors. Correct them, or choose to import only the good rows."),
            code="import_errors",
        )
    if user is not None:
        access.require(user, kind.resource, "import", path=job.area.path)
    created = skipped = 0
    try:
        with transaction.atomic():
            _lock_district(job.area)
            clean = job.rows.filter(problems=[]).order_by("number")
            for chunk in _chunks(clean.iterator(chunk_size=BATCH), BATCH):
                if kind.existing_problem is None:  # already there (perhaps since the check): skip
                    taken = kind.existing(job, [r.key for r in chunk], [r.data for r in chunk])
                elif kind.same_record is not None:  # registered exactly so (perhaps since the check): skip
                    taken = kind.same_record(job, [r.key for r in chunk], [r.data for r in chunk])
                else:
                    taken = set()
                fresh = [r for r in chunk if r.key not in taken]
                skipped += len(chunk) - len(fresh)
                chunk = fresh
                created += kind.write(chunk, user) if chunk else 0
                if progress:
                    progress(created)
            audit_log(
                action=AuditAction.IMPORT,
                actor=user,
                obj=job,
                area_path=job.area.path,
                object_repr=job.filename,
                changes={kind.name: [0, created], "rejected_rows": job.error_rows, "skipped_rows": skipped},
            )
    except IntegrityError:
        job.status, job.message = ImportJob.Status.FAILED, str(kind.conflict)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        raise DomainError(job.message, code="import_conflict") from None
    job.status, job.created_rows, job.finished_at = ImportJob.Status.IMPORTED, created, timezone.now()
    job.duplicate_rows = skipped
    job.save(update_fields=["status", "created_rows", "duplicate_rows", "finished_at"])
    return created


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bad_rows_export(*, user: Any, job: ImportJob) -> bytes:
    """The handed-back file for a person: audited like every export. It holds the cells as they were
    typed, whole ID numbers included — they are what must be corrected — so only the importer (whose
    job it is, see the views) gets it, and its download is on the record."""
    content = bad_rows_xlsx(job)
    audit_log(
        action=AuditAction.EXPORT,
        actor=user,
        obj=job,
        area_path=job.area.path,
        object_repr=f"{job.filename} · 未导入的行",
        changes={"rows": job.error_rows},
    )
    return content


def bad_rows_xlsx(job: ImportJob) -> bytes:
    """The rows that were not imported, as typed, with what was wrong — to correct and upload again
    (the 错误说明 column is ignored then)."""
    kind = kind_of(job.kind)
    headers = kind.headers

    def rows() -> Iterator[list[str]]:
        for row in job.rows.exclude(problems=[]).order_by("number").iterator(chunk_size=BATCH):
            values = json.loads(decrypt(row.raw_encrypted, context=RAW_CONTEXT))
            problems = "；".join(f"{c}列（{h}）：{m}" if h else m for c, h, m in row.problems)
            yield [*(values.get(h, "") for h in headers), f"原第{row.number}行：{problems}"]

    return write_xlsx([*headers, "错误说明"], rows(), title="未导入的行")


KINDS: dict[str, ImportKind] = {k.name: k for k in (RESIDENTS, BUILDINGS, HOUSEHOLDS, ORGANISATIONS)}


def kind_of(name: str) -> ImportKind:
    if name not in KINDS:
        raise NotFound()
    return KINDS[name]
