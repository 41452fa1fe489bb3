"""A deterministic district at a chosen scale, produced as streams so no table is ever held in memory.

The same seed and scale always give the same areas, households and people, in the same order. Every
value is valid by the product's own rules: GB 11643 ID numbers with their check digit, unique; mobile
numbers of 11 digits, unique; 12-digit statistical codes shaped as core.services requires.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from shequ.core.idnumber import make_id_number
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
            rng = random.Random(self.seed * 1_000_003 + area.id)
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
