"""The imports of buildings, households and organisations: their columns, checks, natural keys and
writes. The machinery (staging, preview, all-or-nothing commit, rows handed back) is registry/importing.py,
which lists every kind (KINDS); the pieces a kind is made of are registry/import_base.py.

Natural keys make a second import of the same file write nothing twice: a building is (grid, name), a
household (building, room) or, without a room, (building, address), and an organisation its unified
social credit code or, without one, (area, name). Rows already in the registry are skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core import services as core_services
from shequ.core.errors import DomainError
from shequ.core.models import Area, AreaKind, ImportJob, ImportRow, subtree_q
from shequ.registry.import_base import (
    YES_NO,
    Column,
    ImportKind,
    Problems,
    choose,
    natural_key,
    pick_building,
    places,
    required_problems,
    too_long,
)
from shequ.registry.models import (
    HOUSEHOLD_TAGS,
    BuildingProfile,
    Household,
    Organisation,
    OrganisationKind,
)
from shequ.registry.services import clean_organisation

CONFLICT = gettext_lazy("Someone changed these records meanwhile. Nothing was written; check the file again.")


def _in_chinese(choices: dict[str, Any]) -> dict[str, str]:
    """Chinese label -> value, whatever the user's language: the files are in Chinese."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices.items()}


def _by_name(found: dict[tuple[str, str], Area | None]) -> dict[str, Area | None]:
    """Drop the parent from (parent name, name) keys; a name that occurs twice maps to None."""
    out: dict[str, Area | None] = {}
    for (_parent, name), area in found.items():
        out[name] = None if name in out else area
    return out


def _require_areas(ids: set[int]) -> None:
    """Refuse a batch whose areas were deleted after the check: the whole import is undone."""
    if len(ids) != Area.objects.filter(pk__in=ids).count():
        raise IntegrityError("an area of the file was deleted after the check")


def _pick_grid(row: dict[str, str], grids: dict[str, Area | None], problems: Problems) -> Area | None:
    name = row.get("网格", "")
    if not name:
        return None
    if name not in grids:
        problems.append(("网格", _("No grid of this name within your areas.")))
        return None
    if grids[name] is None:
        problems.append(("网格", _("Two grids have this name; rename one first.")))
    return grids[name]


# --- buildings -------------------------------------------------------------------------------------

BUILDING_COLUMNS = [
    Column("网格", "grid", True, "与系统中的网格名称一致"),
    Column("楼栋", "name", True, "楼栋或巷的名称，同一网格内不重复"),
    Column("地址", "address"),
    Column("经度", "longitude", help="如 113.146510；经度纬度同填或同空"),
    Column("纬度", "latitude", help="如 23.046510"),
    Column("小区", "estate"),
    Column("物业公司", "property_company", help="须先在“组织”中登记为物业公司"),
]


@dataclass(frozen=True)
class BuildingLookups:
    grids: dict[str, Area | None]
    companies: dict[str, list[Organisation]]  # name -> property companies near the import's area


def _building_lookups(area: Area, user: Any) -> BuildingLookups:
    companies: dict[str, list[Organisation]] = {}
    near = subtree_q(area.path[:12], "area__path") | Q(area__path__in=area.ancestor_paths())
    for company in Organisation.objects.filter(near, kind=OrganisationKind.PROPERTY_COMPANY).select_related(
        "area"
    ):
        companies.setdefault(company.name, []).append(company)
    return BuildingLookups(_by_name(places(area, user, "area", "create", AreaKind.GRID)), companies)


def _coordinate(row: dict[str, str], header: str, limit: int, problems: Problems) -> Decimal | None:
    try:
        value = Decimal(row[header]).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        problems.append((header, _("Write a number of degrees, e.g. 23.046510.")))
        return None
    if not -limit <= value <= limit:
        problems.append((header, _("Between -%(n)d and %(n)d degrees.") % {"n": limit}))
        return None
    return value


def _parse_building(
    row: dict[str, str], lookups: BuildingLookups, _today: date
) -> tuple[dict[str, Any], Problems]:
    problems = required_problems(row, BUILDING_COLUMNS)
    grid = _pick_grid(row, lookups.grids, problems)
    data: dict[str, Any] = {
        "name": too_long(row, "楼栋", 100, problems),
        "address": too_long(row, "地址", 200, problems),
        "estate": too_long(row, "小区", 100, problems),
        "latitude": None,
        "longitude": None,
        "property_company_id": None,
    }
    if bool(row.get("经度")) != bool(row.get("纬度")):
        problems.append(
            ("纬度" if row.get("经度") else "经度", _("Fill both the longitude and the latitude."))
        )
    elif row.get("经度"):
        longitude = _coordinate(row, "经度", 180, problems)
        latitude = _coordinate(row, "纬度", 90, problems)
        data["longitude"], data["latitude"] = str(longitude), str(latitude)
    if row.get("物业公司") and grid is not None:
        # A property company of the building's community (or above it), as the building page allows.
        found = [
            c for c in lookups.companies.get(row["物业公司"], []) if grid.path.startswith(c.area.path[:12])
        ]
        if not found:
            problems.append(("物业公司", _("No property company of this name in this community.")))
        elif len(found) > 1:
            problems.append(("物业公司", _("Two property companies have this name; rename one first.")))
        else:
            data["property_company_id"] = found[0].pk
    if grid is not None:
        data["grid_id"] = grid.pk
    return data, problems


def _building_key(data: dict[str, Any]) -> str:
    return (
        natural_key("building", data["grid_id"], data["name"])
        if data.get("grid_id") and data.get("name")
        else ""
    )


def _existing_buildings(_job: ImportJob, _keys: list[str], values: list[dict[str, Any]]) -> set[str]:
    values = [v for v in values if v]
    found = Area.objects.filter(
        kind=AreaKind.BUILDING,
        parent_id__in={v["grid_id"] for v in values},
        name__in={v["name"] for v in values},
    ).values_list("parent_id", "name")
    return {_building_key({"grid_id": grid_id, "name": name}) for grid_id, name in found}


def _write_buildings(rows: list[ImportRow], user: Any) -> int:
    """Through the area service, so each building is checked against the user's rights and audited."""
    grids = Area.objects.in_bulk({r.data["grid_id"] for r in rows})
    profiles = []
    for r in rows:
        grid = grids.get(r.data["grid_id"])
        if grid is None:
            raise IntegrityError("the grid was deleted after the check")
        building = core_services.area_create(
            by=user,
            parent=grid,
            name=r.data["name"],
            address=r.data["address"],
            latitude=Decimal(r.data["latitude"]) if r.data["latitude"] else None,
            longitude=Decimal(r.data["longitude"]) if r.data["longitude"] else None,
        )
        if r.data["estate"] or r.data["property_company_id"]:
            profiles.append(
                BuildingProfile(
                    area=building, estate=r.data["estate"], property_company_id=r.data["property_company_id"]
                )
            )
    BuildingProfile.objects.bulk_create(profiles)
    return len(rows)


BUILDINGS = ImportKind(
    name="buildings",
    resource="area",
    title="楼栋",
    columns=BUILDING_COLUMNS,
    example=["第1网格", "1座", "桂城街道南海大道1号", "113.146510", "23.046510", "阳光花园", "平安物业"],
    lookups=_building_lookups,
    parse=_parse_building,
    key_of=_building_key,
    key_header=lambda _key: "楼栋",
    same_as_row=gettext_lazy("The same building as row %(n)d of this file."),
    existing=_existing_buildings,
    write=_write_buildings,
    conflict=CONFLICT,
)


# --- households ------------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS = [
    Column("网格", "grid", True, "与系统中的网格名称一致"),
    Column("楼栋", "building", True, "与系统中的楼栋/巷名称一致"),
    Column("房号", "room", help="同一楼栋同一房号为同一户"),
    Column("地址", "address", help="不填则为楼栋地址加房号；无房号时必填"),
    Column("标签", "tags", help="困难家庭、空巢老人家庭、低保户、残疾人家庭、军属，多个用顿号分隔"),
    Column("产权人", "owner", help="房屋所有权人姓名（楼栋议事、《民法典》第二百七十八条表决用）"),
    Column("专有面积", "floor_area", help="专有部分建筑面积，平方米，如 89.50"),
]


def _household_lookups(area: Area, user: Any) -> dict[str, Any]:
    return {
        "buildings": places(area, user, "household", "create", AreaKind.BUILDING),
        "tags": _in_chinese(HOUSEHOLD_TAGS),
    }


def _parse_household(
    row: dict[str, str], lookups: dict[str, Any], _today: date
) -> tuple[dict[str, Any], Problems]:
    problems = required_problems(row, HOUSEHOLD_COLUMNS)
    building = pick_building(row, lookups["buildings"], problems)
    room = too_long(row, "房号", 20, problems)
    address = too_long(row, "地址", 200, problems)
    if not room and not address:
        problems.append(("房号", _("Fill the room or, for a household without one, the address.")))
    tags = [
        t.strip() for t in row.get("标签", "").replace(",", "、").replace("，", "、").split("、") if t.strip()
    ]
    unknown = [t for t in tags if t not in lookups["tags"]]
    if unknown:
        problems.append(
            (
                "标签",
                _("Unknown tag %(t)s; use: %(v)s")
                % {"t": "、".join(unknown), "v": "、".join(lookups["tags"])},
            )
        )
    owner = too_long(row, "产权人", 50, problems)
    floor_area = _floor_area(row.get("专有面积", ""), problems)
    data: dict[str, Any] = {
        "room": room,
        "tags": sorted({lookups["tags"][t] for t in tags if t in lookups["tags"]}),
        "owner": owner,
        "floor_area": floor_area,
    }
    if building is not None:
        data["area_id"] = building.pk
        data["address"] = address or f"{building.address or building.name}{room}"
    return data, problems


def _floor_area(raw: str, problems: Problems) -> str | None:
    """The exclusive floor area as typed (m², up to two decimals), kept as text in the staged row."""
    text = (raw or "").strip().replace("㎡", "").replace("m²", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if (
        not value.is_finite()
        or value <= 0
        or value >= Decimal(100_000)
        or value != value.quantize(Decimal("0.01"))
    ):
        problems.append(("专有面积", _("Give the floor area in m², e.g. 89.50.")))
        return None
    return str(value)


def _household_key(data: dict[str, Any]) -> str:
    if not data.get("area_id"):
        return ""
    if data["room"]:
        return natural_key("household", data["area_id"], "room", data["room"])
    return natural_key("household", data["area_id"], "address", data["address"])


def _existing_households(_job: ImportJob, _keys: list[str], values: list[dict[str, Any]]) -> set[str]:
    values = [v for v in values if v]
    by_room = Q(room__in={v["room"] for v in values if v["room"]})
    by_address = Q(room="", address__in={v["address"] for v in values if not v["room"]})
    found = Household.objects.filter(by_room | by_address, area_id__in={v["area_id"] for v in values})
    return {_household_key(dict(h)) for h in found.values("area_id", "room", "address")}


def _write_households(rows: list[ImportRow], _user: Any) -> int:
    _require_areas({r.data["area_id"] for r in rows})
    Household.objects.bulk_create(
        [
            Household(
                area_id=r.data["area_id"],
                room=r.data["room"],
                address=r.data["address"],
                tags=r.data["tags"],
                owner=r.data.get("owner", ""),
                floor_area=r.data.get("floor_area"),
            )
            for r in rows
        ]
    )
    return len(rows)


HOUSEHOLDS = ImportKind(
    name="households",
    resource="household",
    title="住户",
    columns=HOUSEHOLD_COLUMNS,
    example=["第1网格", "1座", "101", "", "困难家庭", "张三", "89.50"],
    lookups=_household_lookups,
    parse=_parse_household,
    key_of=_household_key,
    key_header=lambda _key: "房号",
    same_as_row=gettext_lazy("The same household as row %(n)d of this file."),
    existing=_existing_households,
    write=_write_households,
    conflict=CONFLICT,
)


# --- organisations ---------------------------------------------------------------------------------

ORGANISATION_COLUMNS = [
    Column("名称", "name", True),
    Column("类型", "kind", True, "党支部、团支部、社会组织、辖区单位、物业公司"),
    Column("统一社会信用代码", "credit_code", help="18位，有则填"),
    Column("网格", "grid", help="不填则属于导入的区域"),
    Column("楼栋", "building", help="所在楼栋；填楼栋须同时填网格"),
    Column("民政登记", "registered", help="是/否（社会组织）"),
    Column("社区孵化", "incubated", help="是/否（社会组织）"),
    Column("地址", "address"),
    Column("联系人", "contact_name"),
    Column("联系电话", "contact_phone", help="手机号或带区号的固定电话，如 0757-86001234"),
]
# Which column a clean_organisation refusal concerns.
ORGANISATION_FIELD_HEADERS = {"credit_code": "统一社会信用代码", "contact_phone": "联系电话"}


def _organisation_lookups(area: Area, user: Any) -> dict[str, Any]:
    return {
        "area": area,
        "grids": _by_name(places(area, user, "organisation", "create", AreaKind.GRID)),
        "buildings": places(area, user, "organisation", "create", AreaKind.BUILDING),
        "kinds": _in_chinese(dict(OrganisationKind.choices)),
    }


def _parse_organisation(
    row: dict[str, str], lookups: dict[str, Any], _today: date
) -> tuple[dict[str, Any], Problems]:
    problems = required_problems(row, ORGANISATION_COLUMNS)
    data: dict[str, Any] = {}
    choose(row, "类型", {"": "", **lookups["kinds"]}, problems, data, "kind")
    choose(row, "民政登记", YES_NO, problems, data, "registered")
    choose(row, "社区孵化", YES_NO, problems, data, "incubated")
    data["name"] = too_long(row, "名称", 100, problems)
    data["address"] = too_long(row, "地址", 200, problems)
    data["contact_name"] = too_long(row, "联系人", 50, problems)
    for field, header in ORGANISATION_FIELD_HEADERS.items():
        try:
            data |= clean_organisation({field: row.get(header, "")})
        except DomainError as exc:
            problems.append((header, str(exc.message)))
    area: Area | None = lookups["area"]
    if row.get("楼栋") and not row.get("网格"):
        problems.append(("网格", _("Fill the grid of the building too.")))
    elif row.get("楼栋"):
        area = pick_building(row, lookups["buildings"], problems)
    elif row.get("网格"):
        area = _pick_grid(row, lookups["grids"], problems)
    if area is not None:
        data["area_id"] = area.pk
    return data, problems


def _organisation_key(data: dict[str, Any]) -> str:
    if data.get("credit_code"):
        return "cc:" + natural_key("organisation", data["credit_code"])[3:]  # hex keys have no ":"
    if data.get("area_id") and data.get("name"):
        return natural_key("organisation", data["area_id"], data["name"])
    return ""


def _existing_organisations(job: ImportJob, _keys: list[str], values: list[dict[str, Any]]) -> set[str]:
    """By credit code anywhere in the import's area (a company can serve two communities: each keeps its
    own record), else by area and name."""
    values = [v for v in values if v]
    codes = {v["credit_code"] for v in values if v.get("credit_code")}
    named = [v for v in values if not v.get("credit_code")]
    found = set()
    if codes:
        in_area = Organisation.objects.filter(subtree_q(job.area.path, "area__path"), credit_code__in=codes)
        found |= {
            _organisation_key({"credit_code": c}) for c in in_area.values_list("credit_code", flat=True)
        }
    if named:
        same = Organisation.objects.filter(
            area_id__in={v["area_id"] for v in named}, name__in={v["name"] for v in named}
        ).values_list("area_id", "name")
        found |= {_organisation_key({"area_id": a, "name": n}) for a, n in same}
    return found


ORGANISATION_FIELDS = ("kind", "name", "credit_code", "registered", "incubated", "address", "contact_name")


def _write_organisations(rows: list[ImportRow], _user: Any) -> int:
    _require_areas({r.data["area_id"] for r in rows})
    Organisation.objects.bulk_create(
        [
            Organisation(
                area_id=r.data["area_id"],
                contact_phone=r.data.get("contact_phone", ""),
                **{k: r.data.get(k, "") for k in ORGANISATION_FIELDS},
            )
            for r in rows
        ]
    )
    return len(rows)


ORGANISATIONS = ImportKind(
    name="organisations",
    resource="organisation",
    title="组织",
    columns=ORGANISATION_COLUMNS,
    example=[
        "平安物业管理有限公司",
        "物业公司",
        "91440605MA4UJ9XK2J",
        "",
        "",
        "",
        "",
        "南海大道1号",
        "李经理",
        "0757-86001234",
    ],
    lookups=_organisation_lookups,
    parse=_parse_organisation,
    key_of=_organisation_key,
    key_header=lambda key: "统一社会信用代码" if key.startswith("cc:") else "名称",
    same_as_row=gettext_lazy("The same organisation as row %(n)d of this file."),
    existing=_existing_organisations,
    write=_write_organisations,
    conflict=CONFLICT,
)
