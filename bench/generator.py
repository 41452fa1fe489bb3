"""A deterministic district at a chosen scale, produced as streams so no table is ever held in memory.

The same seed and scale always give the same areas, households and people, in the same order. Every
value is valid by the product's own rules: GB 11643 ID numbers with their check digit, unique; mobile
numbers of 11 digits, unique; 12-digit statistical codes shaped as core.services requires; appeals
moved through the closed loop as appeals.services and the deadline job move them (tests replay them).
"""

from __future__ import annotations

import hashlib
import importlib
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from shequ.core.idnumber import make_id_number
from shequ.core.texts import cut_text
from shequ.demo import GIVEN, LOCAL_REGION, MIGRANT_REGIONS, SURNAMES

BENCH_SEED = 20261101
# Ages are planned against a fixed day so the same seed gives the same people in any year.
BENCH_TODAY = date(2026, 11, 1)
DISTRICT_CODE = "440605000000"
DISTRICT_NAME = "南海区"
DISTRICT_ADDRESS = "广东省佛山市南海区"
REGIONS = [LOCAL_REGION, *MIGRANT_REGIONS]
MAX_AGE = 100
# shequ.core.models.PATH_STEP, repeated so the generator runs without Django (a test keeps them equal).
PATH_STEP = 4

STREET_NAMES = [
    "桂城",
    "大沥",
    "里水",
    "狮山",
    "西樵",
    "九江",
    "丹灶",
    "罗村",
    "盐步",
    "黄岐",
    "松岗",
    "小塘",
]
PLACE_WORDS = "平地沥西水头振华江滨细滘海北凤池金沙石门东秀南约新风雅瑶岭南蟠龙荔庄颜峰桃园夏东谢边"
ESTATE_WORDS = ["花园", "新村", "小区", "雅苑", "名都", "旧村", "公寓", "华庭"]


@dataclass(frozen=True)
class Scale:
    """The shape of the tree; households per building vary in the range, averaging its middle."""

    name: str
    streets: int
    communities_per_street: int
    grids_per_community: int
    buildings_per_grid: int
    households_per_building: tuple[int, int] = (12, 21)
    about: str = ""

    @property
    def buildings(self) -> int:
        return self.streets * self.communities_per_street * self.grids_per_community * self.buildings_per_grid

    @property
    def households(self) -> int:
        low, high = self.households_per_building
        return round(self.buildings * (low + high) / 2)

    @property
    def areas(self) -> int:
        s, c, g = self.streets, self.communities_per_street, self.grids_per_community
        return 1 + s + s * c + s * c * g + self.buildings


SCALES: dict[str, Scale] = {
    s.name: s
    for s in [
        Scale("tiny", 2, 1, 2, 3, about="a few hundred residents, for the unit test"),
        Scale("small", 2, 2, 10, 10, about="~20,000 residents, for CI"),
        Scale("community", 2, 5, 10, 10, about="~50,000 residents, a very large community"),
        Scale("street", 2, 5, 20, 10, about="~100,000 residents, one street of the district"),
        Scale("district", 10, 10, 20, 10, about="~1,000,000 residents, the whole district"),
    ]
}


@dataclass(frozen=True)
class AreaRow:
    id: int  # 1-based position in the stream: the id a fresh database gives it
    parent_id: int | None
    kind: str
    name: str
    code: str | None
    path: str
    address: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    id_number: str
    phone: str
    relation: str
    birth_date: date
    gender: str
    political_status: str
    # Special groups the registry will hold (issue 5); planned now so later scenarios find them.
    disabled: bool = False
    low_income: bool = False


@dataclass
class HouseholdRow:
    id: int
    building_id: int
    room: str
    address: str
    members: list[PersonRow] = field(default_factory=list)


def age_on(born: date, today: date = BENCH_TODAY) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class _People:
    """Unique ID numbers and phones without remembering the ones already given.

    An ID number is unique per (region, birth date, sequence, sex); a small counter per
    (region, day, sex) hands out sequences, so the state is ~1 MB whatever the scale. Phones are a
    bijection of the person's number, so they never repeat either."""

    def __init__(self) -> None:
        self.days = MAX_AGE * 366 + 400
        self.counters = array("H", bytes(2 * len(REGIONS) * self.days * 2))
        self.next_person = 0

    def person_id(self) -> int:
        self.next_person += 1
        return self.next_person

    def id_number(self, region_index: int, born: date, gender: str) -> str:
        day = (BENCH_TODAY - born).days
        slot = (region_index * self.days + day) * 2 + (gender == "M")
        used = self.counters[slot]
        if used >= 500:
            raise ValueError("more than 500 people of one sex born on one day in one region")
        self.counters[slot] = used + 1
        # 37 is coprime with 500: a permutation, so sequences look scattered and never repeat.
        sequence = (used * 37 + day) % 500
        return make_id_number(REGIONS[region_index], born, sequence, gender)

    def phone(self, person: int, rng: random.Random) -> str:
        # 7,919,993 is coprime with 10**9: distinct people get distinct nine-digit tails.
        tail = (person * 7_919_993 + 12_345_678) % 10**9
        return rng.choice(("13", "15", "17", "18", "19")) + f"{tail:09d}"


# Household types: (weight, [(relation, min age, max age, same surname)]). Weights are tuned so the
# district has ~3.0 people per household and ~19% aged 60+ (China's 2020 census: 18.7%).
_COUPLE_YOUNG = [("户主", 28, 50, True), ("配偶", 26, 50, False)]
HOUSEHOLD_TYPES: list[tuple[int, list[tuple[str, int, int, bool]]]] = [
    (8, [("户主", 60, 95, True)]),
    (10, [("户主", 60, 90, True), ("配偶", 60, 88, False)]),
    (6, [("户主", 20, 39, True)]),
    (8, [("户主", 25, 59, True), ("配偶", 25, 59, False)]),
    (22, [*_COUPLE_YOUNG, ("子女", 0, 22, True)]),
    (14, [*_COUPLE_YOUNG, ("子女", 0, 20, True), ("子女", 0, 20, True)]),
    (8, [*_COUPLE_YOUNG, ("子女", 0, 18, True), ("父母", 60, 88, True), ("父母", 60, 88, False)]),
    (8, [*_COUPLE_YOUNG, ("子女", 0, 18, True), ("子女", 0, 18, True), ("父母", 60, 88, True)]),
    (10, [("户主", 45, 59, True), ("配偶", 43, 59, False), ("子女", 18, 30, True)]),
    (6, [("户主", 50, 59, True), ("配偶", 48, 59, False), ("父母", 75, 95, True)]),
]
_TYPE_WEIGHTS = [w for w, _ in HOUSEHOLD_TYPES]


class District:
    """The generated district. `areas()` and `households()` are streams; call them as often as needed."""

    def __init__(self, scale: Scale | str, seed: int = BENCH_SEED) -> None:
        self.scale = SCALES[scale] if isinstance(scale, str) else scale
        self.seed = seed

    # --- the area tree ---------------------------------------------------------------------------

    def areas(self) -> Iterator[AreaRow]:
        """Every area in tree order (each parent before its children, paths ascending)."""
        s = self.scale
        counter = 0

        def row(parent: AreaRow | None, number: int, **kw: object) -> AreaRow:
            nonlocal counter
            counter += 1
            prefix = parent.path if parent else ""
            return AreaRow(
                id=counter,
                parent_id=parent.id if parent else None,
                path=prefix + f"{number:0{PATH_STEP}d}",
                **kw,  # type: ignore[arg-type]
            )

        district = row(
            None,
            1,
            kind="district",
            name=DISTRICT_NAME,
            code=DISTRICT_CODE,
            address=DISTRICT_ADDRESS,
            latitude=Decimal("23.028800"),
            longitude=Decimal("113.143400"),
        )
        yield district
        for si in range(1, s.streets + 1):
            street_name = _street_name(si)
            street = row(
                district,
                si,
                kind="street",
                name=street_name,
                # Towns and streets take the 3-digit block 001-999 (never 000).
                code=f"{DISTRICT_CODE[:6]}{si:03d}000",
                address=f"{DISTRICT_ADDRESS}{street_name}",
            )
            yield street
            for ci in range(1, s.communities_per_street + 1):
                community_name = _community_name(si, ci)
                community = row(
                    street,
                    ci,
                    kind="community",
                    name=community_name,
                    code=f"{street.code[:9]}{ci:03d}" if street.code else None,
                    address=f"{street.address}{community_name}",
                )
                yield community
                base_lat = Decimal("22.90") + Decimal(si) * Decimal("0.031") + Decimal(ci) * Decimal("0.0023")
                base_lng = (
                    Decimal("112.95") + Decimal(si) * Decimal("0.027") + Decimal(ci) * Decimal("0.0019")
                )
                for gi in range(1, s.grids_per_community + 1):
                    estate = _estate_name(si, ci, gi)
                    grid = row(
                        community,
                        gi,
                        kind="grid",
                        name=f"第{gi}网格（{estate}）",
                        code=None,
                        address=f"{community.address}{estate}",
                    )
                    yield grid
                    village = estate.endswith(("村", "旧村"))
                    for bi in range(1, s.buildings_per_grid + 1):
                        label = f"{estate}{bi}巷" if village else f"{estate}{bi}栋"
                        yield row(
                            grid,
                            bi,
                            kind="building",
                            name=label,
                            code=None,
                            address=f"{community.address}{label}",
                            latitude=(base_lat + Decimal(gi) * Decimal("0.0004")).quantize(
                                Decimal("0.000001")
                            ),
                            longitude=(base_lng + Decimal(bi) * Decimal("0.0003")).quantize(
                                Decimal("0.000001")
                            ),
                        )

    # --- households and residents ----------------------------------------------------------------

    def households(self) -> Iterator[HouseholdRow]:
        """Households building by building, each with its members. Each building draws from its own
        random stream, so adding a scenario that reads fewer buildings never changes the others."""
        people = _People()
        household_id = 0
        for area in self.areas():
            if area.kind != "building":
                continue
            rng = random.Random(self.seed * 1_000_003 + area.id)  # nosec B311 # seeded test data, not security
            low, high = self.scale.households_per_building
            village = area.name.endswith("巷")
            for h in range(rng.randint(low, high)):
                household_id += 1
                room = f"{rng.randint(1, 60)}号" if village else f"{h // 4 + 1}{h % 4 + 1:02d}室"
                household = HouseholdRow(household_id, area.id, room, f"{area.address}{room}")
                self._members(rng, people, household)
                yield household

    def _members(self, rng: random.Random, people: _People, household: HouseholdRow) -> None:
        kind = rng.choices(HOUSEHOLD_TYPES, weights=_TYPE_WEIGHTS)[0][1]
        region = 0 if rng.random() < 0.6 else rng.randrange(1, len(REGIONS))
        surname = rng.choice(SURNAMES)
        head_gender = "M" if rng.random() < 0.6 else "F"
        low_income = rng.random() < 0.015  # 低保 is granted to the whole household
        for relation, low, high, family in kind:
            age = rng.randint(low, high)
            born = BENCH_TODAY - timedelta(days=age * 365 + rng.randrange(365))
            if age_on(born) > MAX_AGE or born >= BENCH_TODAY:
                born = BENCH_TODAY - timedelta(days=age * 365 + 30)
            if relation == "户主":
                gender = head_gender
            elif relation == "配偶":
                gender = "F" if head_gender == "M" else "M"
            else:
                gender = rng.choice("MF")
            person = people.person_id()
            real_age = age_on(born)
            household.members.append(
                PersonRow(
                    id=person,
                    name=(surname if family else rng.choice(SURNAMES)) + _given(rng),
                    id_number=people.id_number(region, born, gender),
                    phone=people.phone(person, rng) if real_age >= 16 else "",
                    relation=relation,
                    birth_date=born,
                    gender=gender,
                    political_status=_political_status(rng, real_age),
                    disabled=rng.random() < (0.05 if real_age >= 60 else 0.02),
                    low_income=low_income,
                )
            )

    # --- appeals ---------------------------------------------------------------------------------

    def accounts(self) -> Iterator[AccountRow]:
        """The staff who act on appeals: a grid worker per grid, community staff per community, an
        official per street and an administrator for the district (see `account_of`)."""
        for area in self.areas():
            if area.kind != "building":
                yield account_of(area)

    def appeals(self) -> Iterator[AppealRow]:
        """~10 appeals a building over the twelve months before APPEALS_NOW (about the building, its
        grid or its community), each moved through the closed loop up to APPEALS_NOW. Each building
        draws from its own random stream, apart from its households'."""
        _categories, hours = taxonomy()
        starting = {code: level for code, _name, level in _categories}
        codes, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
        ancestors: dict[str, AreaRow] = {}
        next_id = 0
        for area in self.areas():
            ancestors[area.kind] = area
            if area.kind != "building":
                continue
            rng = random.Random(f"appeals/{self.seed}/{area.id}")  # nosec B311 # seeded test data, not security
            made: list[AppealRow] = []
            for _ in range(rng.randint(*APPEALS_PER_BUILDING)):
                next_id += 1
                row = (
                    _duplicate(rng, next_id, made, ancestors, hours)
                    if rng.random() < DUPLICATE_SHARE
                    else None
                )
                if row is None:
                    draw = rng.random()
                    kind = "building" if draw < 0.85 else "grid" if draw < 0.97 else "community"
                    place = _Place(ancestors, kind)
                    category = rng.choices(codes, weights=weights)[0]
                    level = starting[category]
                    if kind == "community" and level == "estate":
                        level = "community"  # a community-wide issue cannot stay in one estate
                    row = _new_appeal(rng, next_id, place, category, level)
                    _Loop(row, place, hours, rng).run()
                made.append(row)
                yield row

    def digest(self, limit: int | None = None) -> str:
        """A fingerprint of the stream (or of its first `limit` households), to prove determinism."""
        h = hashlib.sha256()
        for a in self.areas():
            h.update(repr(a).encode())
        for i, hh in enumerate(self.households()):
            if limit is not None and i >= limit:
                break
            h.update(repr(hh).encode())
        return h.hexdigest()


def _given(rng: random.Random) -> str:
    return rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.75 else "")


def _political_status(rng: random.Random, age: int) -> str:
    draw = rng.random()
    if age >= 18 and draw < 0.08:
        return "party_member"
    if 14 <= age <= 28 and draw > 0.75:
        return "league_member"
    if 18 <= age <= 45 and 0.08 <= draw < 0.085:
        return "activist"
    return "masses"


def _street_name(si: int) -> str:
    base = STREET_NAMES[(si - 1) % len(STREET_NAMES)]
    extra = "" if si <= len(STREET_NAMES) else str((si - 1) // len(STREET_NAMES) + 1)
    return f"{base}{extra}{'街道' if si % 3 == 1 else '镇'}"


def _community_name(si: int, ci: int) -> str:
    words = PLACE_WORDS
    n = len(words) // 2
    k = (si * 7 + ci * 3) % n
    return f"{words[2 * k : 2 * k + 2]}{ci}社区" if ci > 1 else f"{words[2 * k : 2 * k + 2]}社区"


def _estate_name(si: int, ci: int, gi: int) -> str:
    words = PLACE_WORDS
    n = len(words) // 2
    k = (si + ci * 5 + gi * 11) % n
    return f"{words[2 * k : 2 * k + 2]}{ESTATE_WORDS[(gi + ci) % len(ESTATE_WORDS)]}"


# --- appeals (issue 6) ------------------------------------------------------------------------------
# The product's constants, repeated so the generator runs without Django (a test keeps them equal).
SHANGHAI = ZoneInfo("Asia/Shanghai")  # settings.TIME_ZONE; no daylight saving since 1991
LEVELS = ("estate", "community", "street", "district")
OPEN_STAGES = ("reported", "accepted", "dispatched", "in_progress", "handled", "verified")
DEADLINE_STAGES = ("reported", "accepted", "dispatched", "in_progress", "handled")
ESCALATABLE = ("reported", "accepted", "dispatched", "in_progress")
WARN_FRACTION = 0.8
ROLE_OF_KIND = {
    "grid": "grid_worker",
    "community": "community_staff",
    "street": "street_official",
    "district": "district_admin",
}
# Where each action leads (appeals.services.TRANSITIONS); escalation keeps or resets the stage.
TARGET_STAGE = {
    "accept": "accepted",
    "reject": "rejected",
    "merge": "merged",
    "dispatch": "dispatched",
    "start": "in_progress",
    "handle": "handled",
    "rework": "in_progress",
    "verify": "verified",
    "close": "closed",
    "evaluate": "evaluated",
}

# The plan's "now": twelve whole calendar months of appeals (November 2025 to October 2026) end on
# the evening before BENCH_TODAY; the figures are asked for with today = APPEALS_TODAY.
APPEALS_NOW = datetime(2026, 10, 31, 20, 0, tzinfo=SHANGHAI)
APPEALS_SINCE = datetime(2025, 11, 1, tzinfo=SHANGHAI)
APPEALS_TODAY = APPEALS_NOW.date()
# ~10 a building a year: ~200,000 at district scale (20,000 buildings), ~4,000 at small (400).
APPEALS_PER_BUILDING = (6, 14)
CATEGORY_WEIGHTS = {
    "environment": 20,
    "roads_facilities": 15,
    "parking": 14,
    "property": 14,
    "neighbour_dispute": 8,
    "safety_hazard": 7,
    "elderly_care": 8,
    "policy_question": 9,
    "other": 5,
}
PRIORITIES = {"normal": 85, "urgent": 12, "emergency": 3}
CHANNELS = {"resident": 45, "patrol": 30, "hotline": 15, "visit": 10}
STALL_SHARE = 0.06  # nobody acts in one stage: the job escalates it to the top, then marks it overdue
LATE_SHARE = 0.03  # a stage left after its deadline (unless the job escalated it first)
WARNED_SHARE = 0.07  # a stage left after the 80% warning, within the deadline
DUPLICATE_SHARE = 0.03  # reported again within hours, then merged into the first report
REJECT_SHARE = 0.05
EVALUATED_SHARE = 0.6
REWORK_SHARE = 0.08
ESCALATE_BY_HAND = {"estate": 0.08, "community": 0.10, "street": 0.10}
SCORES = {5: 55, 4: 25, 3: 10, 2: 6, 1: 4}

APPEAL_TEXTS = {
    "environment": [
        "{place}楼下垃圾桶满了好几天没人清运，气味很大。",
        "{place}后巷有人乱倒建筑垃圾，希望尽快清理。",
        "{place}附近下水道堵塞，污水漫到路面上。",
    ],
    "roads_facilities": [
        "{place}门口路面塌陷，一下雨就积水，老人出入容易滑倒。",
        "{place}巷口路灯坏了一个多月，晚上漆黑一片。",
        "{place}楼道扶手松动，老人上下楼不安全。",
    ],
    "parking": [
        "{place}消防通道被电动车占用，晚上停满了。",
        "{place}门口经常有车辆乱停，堵住出入口。",
        "{place}充电桩不够，有人把电动车推进楼道充电。",
    ],
    "property": [
        "{place}电梯经常停运，物业迟迟不来维修。",
        "{place}二次供水水箱很久没有清洗，水有异味。",
        "{place}公共区域长期无人打扫，物业服务差。",
    ],
    "neighbour_dispute": [
        "{place}楼上装修噪音从早到晚，协商无果。",
        "{place}有邻居在公共走廊堆放杂物，影响通行。",
        "{place}楼上漏水到楼下，双方协商不成。",
    ],
    "safety_hazard": [
        "{place}有电线私拉乱接，存在火灾隐患。",
        "{place}外墙瓷砖脱落，行人经过有危险。",
        "{place}楼顶有违规搭建，存在安全隐患。",
    ],
    "elderly_care": [
        "{place}独居老人行动不便，希望安排人员上门探访。",
        "{place}老人想申请长者饭堂助餐服务。",
        "{place}高龄老人需要助浴和陪诊服务。",
    ],
    "policy_question": [
        "咨询：高龄津贴如何申请，需要带什么材料？",
        "咨询：新生儿入户需要办理哪些手续？",
        "咨询：居住证到期后如何续办？",
    ],
    "other": [
        "{place}附近流浪猫狗较多，希望有人管理。",
        "{place}小广场晚上音响声音太大，影响休息。",
        "建议在{place}附近增设休息座椅。",
    ],
}
RESULTS = [
    "已安排人员到现场处理，问题已解决。",
    "已联系相关单位维修完毕，恢复正常。",
    "已上门沟通协调，双方达成一致。",
    "已解答并协助办理，居民表示清楚。",
]
REJECT_REASONS = [
    "不属于社区受理范围，已告知居民向相关部门反映。",
    "该问题已由物业按合同处理，无需另行受理。",
]
REWORK_REASON = "现场复核发现问题仍未解决，请继续处理。"
ESCALATE_REASONS = {
    "estate": "超出网格处理能力，请社区协调。",
    "community": "需街道协调相关部门处理。",
    "street": "涉及区级职能部门，请区里统筹。",
}
MERGE_NOTE = "同一问题已有人反映，合并处理。"
DUPLICATE_PREFIX = "又有居民反映："
COMMENTS = {
    5: "处理及时，非常满意。",
    4: "问题解决了，满意。",
    3: "解决了，但时间有点长。",
    2: "处理不彻底。",
    1: "没有解决问题。",
}
CONTACT_SUFFIXES = ("先生", "女士", "阿姨", "伯")


@cache
def taxonomy() -> tuple[list[tuple[str, str, str]], dict[tuple[str, str, str], int]]:
    """The seeded taxonomy, read from the appeals data migration itself: (code, name, starting level)
    per category, and hours per (category, priority, stage), as the product's StageDeadline holds them."""
    seed = importlib.import_module("shequ.appeals.migrations.0002_seed_categories")
    hours: dict[tuple[str, str, str], int] = {}
    for code, _name, _level in seed.CATEGORIES:
        for priority, stages in seed.HOURS.items():
            for stage, h in {**stages, **seed.OVERRIDES.get((code, priority), {})}.items():
                hours[(code, priority, stage)] = h
    return list(seed.CATEGORIES), hours


@dataclass(frozen=True)
class AccountRow:
    username: str
    display_name: str
    role: str
    area_id: int


def account_of(area: AreaRow) -> AccountRow:
    """The one account acting for an area on appeals (it triages there; community staff also handle)."""
    label = {"grid": "网格员", "community": "社区工作人员", "street": "街道干部", "district": "区管理员"}
    return AccountRow(
        f"bench_{area.kind}_{area.path}", f"{area.name}{label[area.kind]}", ROLE_OF_KIND[area.kind], area.id
    )


@dataclass(frozen=True)
class StepRow:
    at: datetime
    action: str
    actor: str  # the acting account's username; "" for the scheduled job or an unsigned report
    from_stage: str
    to_stage: str
    from_level: str
    to_level: str
    note: str  # "" for the job's escalation: the product writes its own (translated) note
    stage_seconds: int | None


@dataclass
class AppealRow:
    """An appeal as it stands at APPEALS_NOW, with its whole history."""

    id: int  # 1-based position in the stream
    area_id: int
    area_path: str
    category: str
    description: str
    title: str
    channel: str
    priority: str
    reporter: str  # username, "" when nobody signed in (a resident's report taken without an account)
    contact_name: str
    contact_withheld: bool
    reported_at: datetime
    level: str
    handling_area_id: int
    handling_path: str
    stage_started_at: datetime
    stage: str = "reported"
    handler: str = ""  # username of the person it is dispatched to
    result: str = ""
    rejection_reason: str = ""
    merged_into_id: int | None = None
    deadline_at: datetime | None = None
    warn_at: datetime | None = None
    overdue_noticed_at: datetime | None = None
    was_overdue: bool = False
    accepted_at: datetime | None = None
    handled_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1
    score: int | None = None
    comment: str = ""
    evaluated_by: str = ""
    evaluated_at: datetime | None = None
    steps: list[StepRow] = field(default_factory=list)

    def left_open_at(self) -> datetime | None:
        """When it stopped waiting for anyone (rejected, merged, closed), or None: open at APPEALS_NOW."""
        return next((s.at for s in self.steps if s.to_stage not in OPEN_STAGES), None)


class _Place:
    """What an appeal is about and who works there: the area answering at each level and its account."""

    def __init__(self, ancestors: dict[str, AreaRow], kind: str) -> None:
        self.area = ancestors[kind]
        self.answering = {level: ancestors[kind_] for level, kind_ in zip(LEVELS, ROLE_OF_KIND, strict=True)}
        if kind == "community":
            del self.answering["estate"]  # no grid answers for a whole community
        self.names = {a.username: a.display_name for a in map(account_of, self.answering.values())}

    def account(self, level: str) -> str:
        return account_of(self.answering[level]).username

    @property
    def grid_or_community(self) -> str:
        """Who patrols and verifies here."""
        return self.account("estate" if "estate" in self.answering else "community")

    def handler(self, level: str) -> str:
        """The grid worker handles what stays in the estate; the community's staff what went above."""
        return self.account("estate" if level == "estate" else "community")


def _hours(h: float) -> timedelta:
    return timedelta(seconds=round(h * 3600))


def _job_minute(t: datetime) -> datetime:
    """The first run of the every-minute deadline job at or after t."""
    floor = t.replace(second=0, microsecond=0)
    return floor if floor == t else floor + timedelta(minutes=1)


def _new_appeal(rng: random.Random, appeal_id: int, place: _Place, category: str, level: str) -> AppealRow:
    channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
    priority = rng.choices(list(PRIORITIES), weights=list(PRIORITIES.values()))[0]
    description = rng.choice(APPEAL_TEXTS[category]).format(place=place.area.name)
    surname = rng.choice(SURNAMES)
    contact = ""
    reporter = ""
    if channel == "resident":
        contact = surname + _given(rng)
    elif channel == "patrol":
        reporter = place.grid_or_community
    else:  # staff took a call or a visit for someone
        reporter = place.account("community")
        contact = surname + rng.choice(CONTACT_SUFFIXES)
    reported = APPEALS_SINCE + timedelta(
        seconds=rng.randrange(int((APPEALS_NOW - APPEALS_SINCE).total_seconds()))
    )
    answering = place.answering[level]
    return AppealRow(
        id=appeal_id,
        area_id=place.area.id,
        area_path=place.area.path,
        category=category,
        description=description,
        title=cut_text(description, 30),  # as appeals.services.intake makes a title
        channel=channel,
        priority=priority,
        reporter=reporter,
        contact_name=contact,
        contact_withheld=channel == "resident" and rng.random() < 0.25,
        reported_at=reported,
        level=level,
        handling_area_id=answering.id,
        handling_path=answering.path,
        stage_started_at=reported,
    )


def _duplicate(
    rng: random.Random,
    appeal_id: int,
    made: list[AppealRow],
    ancestors: dict[str, AreaRow],
    hours: dict[tuple[str, str, str], int],
) -> AppealRow | None:
    """The same problem reported again a few hours after an earlier appeal of the building, and merged
    into it while that one is still open; None when the drawn earlier appeal is not open by then."""
    target = rng.choice(made) if made else None
    if target is None or target.stage == "merged":
        return None
    reported = target.reported_at + _hours(rng.uniform(0.5, 6))
    # Merged well before the reported stage's warning, so the job never acts on it first.
    merge_at = reported + _hours(
        hours[(target.category, target.priority, "reported")] * rng.uniform(0.1, 0.7)
    )
    left = target.left_open_at()
    if merge_at > APPEALS_NOW or (left is not None and left <= merge_at):
        return None
    kind = next(k for k in ("building", "grid", "community") if ancestors[k].id == target.area_id)
    place = _Place(ancestors, kind)
    level = target.steps[0].to_level  # the same category about the same place starts at the same level
    description = DUPLICATE_PREFIX + target.description
    row = AppealRow(
        id=appeal_id,
        area_id=target.area_id,
        area_path=target.area_path,
        category=target.category,
        description=description,
        title=cut_text(description, 30),
        channel="resident",
        priority=target.priority,
        reporter="",
        contact_name=rng.choice(SURNAMES) + _given(rng),
        contact_withheld=False,
        reported_at=reported,
        level=level,
        handling_area_id=place.answering[level].id,
        handling_path=place.answering[level].path,
        stage_started_at=reported,
    )
    _Loop(row, place, hours, rng, merge=(merge_at, target.id)).run()
    return row


class _Loop:
    """One appeal through the closed loop, moved as appeals.services and the deadline job move it: each
    person acts at a drawn time, the job runs at each minute a warning or a deadline falls due, and
    nothing happens after APPEALS_NOW. The fields it sets mirror the services' (_enter, _start_clock,
    _escalate, appeal_warn, appeal_deadline_missed) one for one; tests replay the plans through them."""

    def __init__(
        self,
        row: AppealRow,
        place: _Place,
        hours: dict[tuple[str, str, str], int],
        rng: random.Random,
        merge: tuple[datetime, int] | None = None,
    ) -> None:
        self.row, self.place, self.hours, self.rng = row, place, hours, rng
        self.merge_at: datetime | None = merge[0] if merge is not None else None
        self.merge_into: int | None = merge[1] if merge is not None else None
        self.reworks = 0
        self.stall = rng.choice(OPEN_STAGES) if merge is None and rng.random() < STALL_SHARE else None
        self._start_clock(row.reported_at)
        self._step("report", row.reported_at, row.reporter, "", "")

    def run(self) -> None:
        row = self.row
        plan = self._next(row.reported_at)
        while True:
            job = self._job()
            if job is not None and (plan is None or job[0] < plan[1]):
                at, kind = job
                if at > APPEALS_NOW:
                    return
                if kind == "warn":
                    row.warn_at = None
                    self._step("warn", at, "", row.stage, row.level)
                elif row.stage in ESCALATABLE and row.level != LEVELS[-1]:
                    self._escalate(at, "", "")
                    plan = self._next(at)  # another level now answers: its people act in their time
                else:
                    row.was_overdue = True
                    row.overdue_noticed_at = at
                    row.warn_at = None
                    self._step("overdue", at, "", row.stage, row.level)
                continue
            if plan is None or plan[1] > APPEALS_NOW:
                return
            action, at = plan
            self._act(action, at)
            plan = self._next(at)

    # --- what the services do ----------------------------------------------------------------------

    def _start_clock(self, at: datetime) -> None:
        row = self.row
        h = self.hours.get((row.category, row.priority, row.stage)) if row.stage in DEADLINE_STAGES else None
        if h is None:
            row.deadline_at = row.warn_at = None
        else:
            row.deadline_at = at + timedelta(hours=h)
            row.warn_at = at + timedelta(hours=h * WARN_FRACTION)
        row.overdue_noticed_at = None

    def _enter(self, stage: str, at: datetime) -> int:
        row = self.row
        spent = max(0, int((at - row.stage_started_at).total_seconds()))
        if row.deadline_at is not None and at > row.deadline_at:
            row.was_overdue = True
        row.stage = stage
        row.stage_started_at = at
        self._start_clock(at)
        return spent

    def _step(
        self,
        action: str,
        at: datetime,
        actor: str,
        from_stage: str,
        from_level: str,
        note: str = "",
        seconds: int | None = None,
    ) -> None:
        row = self.row
        row.steps.append(
            StepRow(at, action, actor, from_stage, row.stage, from_level, row.level, note, seconds)
        )

    def _escalate(self, at: datetime, actor: str, note: str) -> None:
        row = self.row
        upper = LEVELS[LEVELS.index(row.level) + 1]
        from_stage, from_level = row.stage, row.level
        answering = self.place.answering[upper]
        row.level, row.handling_area_id, row.handling_path = upper, answering.id, answering.path
        row.handler = ""
        seconds = None
        if row.stage in ("dispatched", "in_progress"):
            seconds = self._enter("accepted", at)
        else:
            if row.deadline_at is not None and at > row.deadline_at:
                row.was_overdue = True
            self._start_clock(at)
        row.version += 1
        self._step("escalate", at, actor, from_stage, from_level, note, seconds)

    def _act(self, action: str, at: datetime) -> None:
        row, place, rng = self.row, self.place, self.rng
        actor = place.account(row.level)  # triage: the account of the level answering now
        if action in ("accept", "reject") and actor == row.reporter and row.channel == "patrol":
            # Nobody accepts their own patrol find: the level above does (the account here is one a level).
            actor = place.account(LEVELS[LEVELS.index(row.level) + 1])
        if action == "escalate":
            self._escalate(at, actor, ESCALATE_REASONS[row.level])
            return
        from_stage, from_level = row.stage, row.level
        note = ""
        if action == "accept":
            row.accepted_at = row.accepted_at or at
        elif action == "reject":
            row.rejection_reason = note = rng.choice(REJECT_REASONS)
        elif action == "merge":
            row.merged_into_id = self.merge_into
            note = MERGE_NOTE
        elif action == "dispatch":
            row.handler = place.handler(row.level)
            note = f"→ {place.names[row.handler]}"
        elif action in ("start", "handle"):
            actor = row.handler
            if action == "handle":
                row.result = note = rng.choice(RESULTS)
                row.handled_at = at
        elif action in ("rework", "verify"):
            # The reporter checks the work, or the grid worker; never the one who did it.
            actor = next(
                a
                for a in (
                    row.reporter,
                    place.grid_or_community,
                    place.account("community"),
                    place.account("street"),
                )
                if a and a != row.handler
            )
            if action == "rework":
                note = REWORK_REASON
                self.reworks += 1
        elif action == "close":
            row.closed_at = at
        elif action == "evaluate":
            # The reporter evaluates; for a report without an account, staff record it on a call-back.
            actor = row.reporter or place.account("community")
            row.score = rng.choices(list(SCORES), weights=list(SCORES.values()))[0]
            row.comment = note = COMMENTS[row.score]
            row.evaluated_by, row.evaluated_at = actor, at
        seconds = self._enter(TARGET_STAGE[action], at)
        row.version += 1
        self._step(action, at, actor, from_stage, from_level, note, seconds)

    def _job(self) -> tuple[datetime, str] | None:
        """The deadline job's next run that finds something to do on this appeal."""
        row = self.row
        if row.deadline_at is None or row.stage not in DEADLINE_STAGES:
            return None
        due = []
        if row.overdue_noticed_at is None:
            due.append((_job_minute(row.deadline_at), "deadline"))
        if row.warn_at is not None and _job_minute(row.warn_at) < row.deadline_at:
            due.append((_job_minute(row.warn_at), "warn"))
        return min(due) if due else None

    # --- what people do, and when ------------------------------------------------------------------

    def _next(self, since: datetime) -> tuple[str, datetime] | None:
        row, rng = self.row, self.rng
        stage = row.stage
        if self.merge_at is not None:
            at, self.merge_at = self.merge_at, None
            return "merge", at
        if stage in ("rejected", "merged", "evaluated") or stage == self.stall:
            return None
        if stage == "closed":
            return (
                ("evaluate", since + _hours(rng.uniform(2, 72))) if rng.random() < EVALUATED_SHARE else None
            )
        if stage == "verified":  # no deadline: closed within two days
            return "close", since + _hours(rng.uniform(1, 48))
        h = self.hours[(row.category, row.priority, stage)]
        draw = rng.random()
        if draw < LATE_SHARE:
            fraction = rng.uniform(1.0, 1.6)
        elif draw < LATE_SHARE + WARNED_SHARE:
            fraction = rng.uniform(0.8, 1.0)
        else:
            fraction = rng.uniform(0.05, 0.75)
        at = since + _hours(h * fraction)
        if stage == "reported":
            action = "reject" if rng.random() < REJECT_SHARE else "accept"
        elif stage == "accepted":
            draw = rng.random()
            if draw < ESCALATE_BY_HAND.get(row.level, 0.0):
                action = "escalate"
            elif draw > 0.98:
                action = "reject"
            else:
                action = "dispatch"
        elif stage == "dispatched":
            action = "start"
        elif stage == "in_progress":
            action = "handle"
        else:  # handled
            action = "rework" if self.reworks < 2 and rng.random() < REWORK_SHARE else "verify"
        return action, at
