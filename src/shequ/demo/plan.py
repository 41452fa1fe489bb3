"""The demo's plan: the areas, households and people, organisations, resources, appeals and accounts
of the demo community. `build(seed)` is pure and deterministic (same seed, same plan); nothing here
writes. Over 500 lines for a reason: it is the community's description, one table after another."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal

DEMO_SEED = 20191125
DEMO_PASSWORD = "shequ-demo-2026"  # noqa: S105 - printed for the demo on purpose # nosec B105
DEMO_TODAY = date(2026, 11, 1)  # ages are planned against a fixed day, so the plan never drifts

SURNAMES = "黄陈李梁张王刘林何罗麦邓冯谭吴周郭杨叶钟徐曾区潘苏卢蔡伍关朱胡"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红"
    "文辉健斌燕嘉欣浩宇俊杰子轩梓涵诗琪家豪晓雯振东美玲淑贞锦荣少芬"
)
LOCAL_REGION = "440605"
MIGRANT_REGIONS = ["430102", "450103", "360102", "420106", "510104", "441502", "445102"]


@dataclass
class AreaPlan:
    key: str
    kind: str
    name: str
    parent: str | None
    code: str | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class PersonPlan:
    name: str
    id_number: str
    phone: str
    relation: str
    political_status: str = "masses"
    living_alone: bool = False
    # special group -> its fields, e.g. {"disabled": {"category": "physical", "level": 2, "card_number": "…"}}
    groups: dict[str, dict] = field(default_factory=dict)


@dataclass
class HouseholdPlan:
    building: str
    room: str
    address: str
    members: list[PersonPlan] = field(default_factory=list)


@dataclass
class OrganisationPlan:
    area: str
    kind: str
    name: str
    member_ids: list[str] = field(default_factory=list)


@dataclass
class ResourcePlan:
    area: str
    name: str
    kind: str
    status: str = "registered"
    fields: dict[str, object] = field(default_factory=dict)  # provider, phone, items, conditions…
    provider_organisation: str = ""  # the name of an organisation of the plan in the same area
    venue: dict[str, object] | None = None  # capacity, opening_hours, equipment, owner
    venue_owner_organisation: str = ""


@dataclass
class AccountPlan:
    username: str
    display_name: str
    role: str
    area: str


@dataclass
class AppealPlan:
    """An appeal of the demo and the steps it went through, as offsets in hours from its report."""

    area: str
    category: str
    description: str
    reporter: str  # a demo account's username
    channel: str
    hours_ago: int
    priority: str = "normal"
    contact_name: str = ""
    # (action, actor username, hours after the report, extra arguments)
    steps: list[tuple[str, str, int, dict[str, object]]] = field(default_factory=list)
    publish: bool = False


@dataclass
class DemoPlan:
    areas: list[AreaPlan]
    households: list[HouseholdPlan]
    organisations: list[OrganisationPlan]
    accounts: list[AccountPlan]
    resources: list[ResourcePlan] = field(default_factory=list)
    appeals: list[AppealPlan] = field(default_factory=list)

    def digest(self) -> str:
        data = json.dumps(asdict(self), default=str, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()

    def residents(self) -> list[PersonPlan]:
        return [m for h in self.households for m in h.members]


# (street key, name, code, [(community key, name, code, households, [grid estate names])])
STREETS = [
    (
        "dali",
        "大沥镇",
        "440605121000",
        [
            (
                "pingdi",
                "平地社区",
                "440605121001",
                720,
                ["布匹市场", "牛仔城", "黄氏大宗祠", "观音庙", "平地新村"],
            ),
            ("lixi", "沥西社区", "440605121002", 130, ["沥西花园", "沥西旧村", "建设大道"]),
            ("shuitou", "水头社区", "440605121003", 120, ["水头新村", "工业区", "水头市场"]),
        ],
    ),
    (
        "guicheng",
        "桂城街道",
        "440605011000",
        [
            ("zhenhua", "振华社区", "440605011001", 150, ["振华小区", "华翠花园", "南海广场", "振兴路"]),
            ("jiangbin", "江滨社区", "440605011002", 110, ["江滨花园", "滨江一号", "东平河畔"]),
            ("xijiao", "细滘社区", "440605011003", 100, ["细滘旧村", "细滘新村", "海三路"]),
        ],
    ),
]

PINGDI_BRANCHES = [
    "平地社区机关党支部",
    "布匹市场第一党支部",
    "布匹市场第二党支部",
    "牛仔城党支部",
    "黄氏宗亲理事会党支部",
    "麦边村党支部",
    "平地新村党支部",
    "观音庙片区党支部",
    "离退休干部党支部",
    "流动党员党支部",
    "个体工商户党支部",
    "平地小学党支部",
    "平地卫生站党支部",
    "舞龙协会党支部",
]


def _name(rng: random.Random, surname: str | None = None) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.75 else "")
    return (surname or rng.choice(SURNAMES)) + given


class _Ids:
    """Unique valid ID numbers and phones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def id_number(self, region: str, born: date, gender: str) -> str:
        from shequ.core.idnumber import make_id_number

        while True:
            value = make_id_number(region, born, self.rng.randrange(500), gender)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def phone(self) -> str:
        while True:
            value = self.rng.choice(["13", "15", "17", "18", "19"]) + f"{self.rng.randrange(10**9):09d}"
            if value not in self.phones:
                self.phones.add(value)
                return value


def _born(rng: random.Random, age: int) -> date:
    return DEMO_TODAY - timedelta(days=age * 365 + rng.randrange(365))


def _household(rng: random.Random, ids: _Ids, building: AreaPlan, room: str, community: str) -> HouseholdPlan:
    region = LOCAL_REGION if rng.random() < 0.55 else rng.choice(MIGRANT_REGIONS)
    surname = rng.choice(SURNAMES)
    head_age = rng.choices(
        [rng.randint(24, 44), rng.randint(45, 59), rng.randint(60, 88)], weights=[45, 33, 22]
    )[0]
    head_gender = "M" if rng.random() < 0.62 else "F"
    members: list[tuple[str, int, str, str | None]] = [("户主", head_age, head_gender, surname)]
    if head_age < 80 and rng.random() < 0.72:
        members.append(
            ("配偶", max(20, head_age + rng.randint(-5, 4)), "F" if head_gender == "M" else "M", None)
        )
    if 26 <= head_age <= 62:
        for _i in range(rng.choices([0, 1, 2], weights=[25, 50, 25])[0]):
            members.append(("子女", rng.randint(0, min(head_age - 22, 30)), rng.choice("MF"), surname))
    if 28 <= head_age <= 50 and rng.random() < 0.2:
        members.append(("父母", head_age + rng.randint(24, 32), rng.choice("MF"), surname))
    household = HouseholdPlan(
        building=building.key, room=room, address=f"佛山市南海区{community}{building.name}{room}"
    )
    for relation, age, gender, family in members:
        born = _born(rng, age)
        household.members.append(
            PersonPlan(
                name=_name(rng, family),
                id_number=ids.id_number(region, born, gender),
                phone=ids.phone() if age >= 16 else "",
                relation=relation,
                living_alone=len(members) == 1 and age >= 60,
            )
        )
    _special_groups(rng, household)
    return household


def _special_groups(rng: random.Random, household: HouseholdPlan) -> None:
    """The special groups in roughly the shares a Pearl River Delta community has."""
    migrant = not household.members[0].id_number.startswith(LOCAL_REGION)
    for person in household.members:
        age, female = _age(person), int(person.id_number[16]) % 2 == 0
        if rng.random() < (0.08 if age >= 60 else 0.015):
            category = rng.choice(["physical", "visual", "hearing", "intellectual", "mental", "speech"])
            card = person.id_number + f"{rng.randint(1, 4)}{rng.randint(1, 7)}"
            person.groups["disabled"] = {
                "category": category,
                "level": rng.randint(1, 4),
                "card_number": card,
            }
        if age < 16 and migrant and rng.random() < 0.12:
            person.groups["left_behind"] = {
                "guardian_name": household.members[0].name,
                "guardian_relation": "祖父母" if household.members[0].relation == "父母" else "亲属",
                "parents_whereabouts": rng.choice(["东莞务工", "深圳务工", "广州务工", "外省务工"]),
            }
        if not female and 40 <= age <= 85 and rng.random() < 0.03:
            start = DEMO_TODAY.year - age + rng.randint(18, 20)
            person.groups["veteran"] = {"served_from": start, "served_to": start + rng.randint(2, 16)}
        if female and 22 <= age <= 38 and rng.random() < 0.03:
            person.groups["pregnant"] = {"expected_on": DEMO_TODAY + timedelta(days=rng.randint(20, 250))}
        if age >= 50 and rng.random() < 0.12:
            person.groups["chronic"] = {
                "conditions": rng.choice(["高血压", "糖尿病", "高血压、糖尿病", "冠心病", "慢阻肺"])
            }
        if 25 <= age <= 60 and rng.random() < 0.004:
            since = DEMO_TODAY - timedelta(days=rng.randint(30, 700))
            person.groups["supervision"] = {
                "kind": rng.choice(["correction", "resettlement"]),
                "starts_on": since,
                "ends_on": since + timedelta(days=rng.randint(365, 1100)),
            }
    head = household.members[0]
    if rng.random() < (0.06 if len(household.members) == 1 else 0.02):
        head.groups["dibao"] = {
            "kind": "tekun"
            if len(household.members) == 1 and _age(head) >= 60 and rng.random() < 0.3
            else "dibao",
            "since": DEMO_TODAY - timedelta(days=rng.randint(60, 2000)),
            "monthly_amount": Decimal(rng.choice([780, 860, 1010, 1120])),
        }


def build(seed: int = DEMO_SEED) -> DemoPlan:
    rng = random.Random(seed)  # nosec B311 # a deterministic demo, not security
    ids = _Ids(rng)
    areas = [
        AreaPlan(
            "nanhai",
            "district",
            "南海区",
            None,
            "440605000000",
            "广东省佛山市南海区",
            Decimal("23.028800"),
            Decimal("113.143400"),
        )
    ]
    households: list[HouseholdPlan] = []
    organisations: list[OrganisationPlan] = []
    for s_index, (s_key, s_name, s_code, communities) in enumerate(STREETS):
        base_lat, base_lng = (
            Decimal("23.1100") - s_index * Decimal("0.06"),
            Decimal("113.1000") + s_index * Decimal("0.05"),
        )
        areas.append(
            AreaPlan(s_key, "street", s_name, "nanhai", s_code, f"佛山市南海区{s_name}", base_lat, base_lng)
        )
        for c_index, (c_key, c_name, c_code, n_households, estates) in enumerate(communities):
            c_lat = base_lat + Decimal(c_index) * Decimal("0.011")
            c_lng = base_lng + Decimal(c_index) * Decimal("0.013")
            areas.append(
                AreaPlan(
                    c_key, "community", c_name, s_key, c_code, f"佛山市南海区{s_name}{c_name}", c_lat, c_lng
                )
            )
            buildings: list[AreaPlan] = []
            for g_index, estate in enumerate(estates, start=1):
                g_key = f"{c_key}-g{g_index}"
                areas.append(
                    AreaPlan(
                        g_key, "grid", f"第{g_index}网格（{estate}）", c_key, address=f"{c_name}{estate}"
                    )
                )
                village = estate.endswith(("村", "旧村"))
                for b_index in range(1, rng.randint(6, 10) + 1):
                    label = f"{estate}{b_index}巷" if village else f"{estate}{b_index}座"
                    lat = (
                        c_lat + Decimal(g_index) * Decimal("0.0010") + Decimal(b_index) * Decimal("0.0002")
                    ).quantize(Decimal("0.000001"))
                    lng = (c_lng + Decimal(b_index) * Decimal("0.0003")).quantize(Decimal("0.000001"))
                    building = AreaPlan(
                        f"{g_key}-b{b_index}",
                        "building",
                        label,
                        g_key,
                        address=f"{c_name}{label}",
                        latitude=lat,
                        longitude=lng,
                    )
                    areas.append(building)
                    buildings.append(building)
            for h_index in range(n_households):
                building = buildings[h_index % len(buildings)]
                floor, unit = divmod(h_index // len(buildings), 4)
                room = (
                    f"{rng.randint(1, 40)}号"
                    if building.name.endswith("巷")
                    else f"{floor + 1}{unit + 1:02d}室"
                )
                households.append(_household(rng, ids, building, room, c_name))
            if c_key == "pingdi":
                organisations.extend(_pingdi_organisations(rng, households, c_key))
            else:
                organisations.append(OrganisationPlan(c_key, "party_branch", f"{c_name}党支部"))
    _name_the_demo_resident(households)
    return DemoPlan(
        areas=areas,
        households=households,
        organisations=organisations,
        accounts=_accounts(),
        resources=_pingdi_resources(),
        appeals=_pingdi_appeals(),
    )


def _pingdi_organisations(
    rng: random.Random, households: list[HouseholdPlan], c_key: str
) -> list[OrganisationPlan]:
    people = [m for h in households if h.building.startswith(f"{c_key}-") for m in h.members]
    adults = [p for p in people if p.phone]
    rng.shuffle(adults)
    party = adults[:330]
    chosen = {p.id_number for p in party}
    youth = [p for p in people if 14 <= _age(p) <= 28 and p.id_number not in chosen]
    rng.shuffle(youth)
    league = youth[:215]
    for p in party:
        p.political_status = "party_member"
    for p in league:
        p.political_status = "league_member"
    taken = chosen | {p.id_number for p in league}
    for p in [p for p in adults[330:] if _age(p) <= 45 and p.id_number not in taken][:12]:
        p.political_status = "activist"
    branches = [OrganisationPlan(c_key, "party_branch", name) for name in PINGDI_BRANCHES]
    for i, p in enumerate(party):
        branches[i % len(branches)].member_ids.append(p.id_number)
    return [
        *branches,
        OrganisationPlan(c_key, "league_branch", "平地社区团支部", [p.id_number for p in league]),
        OrganisationPlan(c_key, "social_organisation", "麦边舞龙队"),
        OrganisationPlan(c_key, "social_organisation", "大沥镇平地社区社工服务站"),
        OrganisationPlan(c_key, "unit", "平地小学"),
        OrganisationPlan(c_key, "unit", "平地社区卫生服务站"),
        OrganisationPlan(c_key, "unit", "平地布匹市场"),
        OrganisationPlan(c_key, "unit", "平地牛仔城"),
        OrganisationPlan(c_key, "property_company", "南海平地物业管理有限公司"),
    ]


def _age(person: PersonPlan) -> int:
    from shequ.core.idnumber import birth_date_of

    b = birth_date_of(person.id_number)
    return DEMO_TODAY.year - b.year - ((DEMO_TODAY.month, DEMO_TODAY.day) < (b.month, b.day))


def _pingdi_resources() -> list[ResourcePlan]:
    """平地社区's resource register: a few of each kind and each triage status (fixed, no randomness)."""
    # The committee's office line is shown in full; a person's own mobile stays masked (phone_public).
    committee = {
        "provider": "平地社区居委会",
        "person_in_charge": "黄淑贞",
        "phone": "0757-85501234",
        "phone_public": True,
    }
    return [
        ResourcePlan(
            "pingdi",
            "平地社区长者饭堂",
            "material",
            fields={
                **committee,
                "address": "平地社区党群服务中心一楼",
                "items": "为60岁以上长者提供午餐，可送餐上门",
                "contact": "梁姨（饭堂管理员）",
                "conditions": "社区60岁以上长者，提前一天登记",
                "charges": True,
                "charge_details": "每餐10元，80岁以上及低保、特困长者免费",
            },
        ),
        ResourcePlan(
            "pingdi",
            "党群服务中心多功能室",
            "material",
            fields={
                **committee,
                "address": "平地社区党群服务中心二楼",
                "items": "会议、培训、兴趣小组活动、议事协商",
                "conditions": "社区组织、社会组织开展公益活动，提前3天预约",
            },
            venue={
                "capacity": 80,
                "opening_hours": "周一至周五 08:30-17:30；周六 09:00-12:00",
                "equipment": "投影仪、音响、无线话筒、折叠桌椅80套",
                "owner": "平地社区居委会",
            },
        ),
        ResourcePlan(
            "pingdi",
            "麦边舞龙队训练场",
            "material",
            fields={
                "address": "麦边村文化广场",
                "items": "舞龙训练、传统文化体验",
                "person_in_charge": "麦伯",
                "phone": "13925101234",
                "conditions": "训练时间以外可借用，须爱护龙具",
            },
            provider_organisation="麦边舞龙队",
            venue={
                "capacity": 40,
                "opening_hours": "每周三、周六 19:00-21:00",
                "equipment": "龙具2条、锣鼓一套",
            },
            venue_owner_organisation="麦边舞龙队",
        ),
        ResourcePlan(
            "pingdi",
            "平地小学操场",
            "material",
            "to_develop",
            fields={
                "address": "平地小学",
                "items": "节假日向社区开放的运动场地",
                "conditions": "目前仅对本校师生开放，正与学校协商节假日开放",
            },
            provider_organisation="平地小学",
            venue={"capacity": 300, "equipment": "200米跑道、篮球场2个"},
            venue_owner_organisation="平地小学",
        ),
        ResourcePlan(
            "pingdi",
            "辖区企业赞助资金",
            "financial",
            fields={
                "items": "每年赞助舞龙节、敬老活动经费约5万元",
                "contact": "市场管理处办公室",
                "phone": "0757-85505678",
                "phone_public": True,
            },
            provider_organisation="平地布匹市场",
        ),
        ResourcePlan(
            "pingdi",
            "家庭医生签约服务",
            "human",
            fields={
                "items": "每月一次长者义诊、慢病健康讲座、上门随访",
                "person_in_charge": "陈医生",
                "conditions": "社区居民签约家庭医生后免费",
            },
            provider_organisation="平地社区卫生服务站",
        ),
        ResourcePlan(
            "pingdi",
            "社区图书室",
            "material",
            "to_substitute",
            fields={"notes": "辖区内暂无场地也无法新建：改用大沥镇图书馆流动书车，每月两次进社区"},
        ),
    ]


def _pingdi_appeals() -> list[AppealPlan]:
    """Appeals of 平地社区 in every part of the closed loop (the lane head's broken road of the seeds,
    closed and posted; a hazard just reported; one escalated to the street)."""
    wg, lz, sq, sg, jm = "pingdi_wangge", "pingdi_louzhang", "pingdi_shequ", "pingdi_shegong", "pingdi_jumin"
    loop: list[tuple[str, str, int, dict[str, object]]] = [
        ("accept", wg, 2, {}),
        ("dispatch", wg, 3, {"to_user": wg}),
        ("start", wg, 5, {}),
        ("handle", wg, 50, {"result": "已联系施工队回填路面并硬化，排水恢复正常。"}),
        ("verify", jm, 60, {}),
        ("close", wg, 62, {}),
        ("evaluate", jm, 70, {"score": 5, "comment": "修得很快，谢谢网格员！"}),
    ]
    return [
        AppealPlan(
            "pingdi-g1-b1",
            "roads_facilities",
            "布匹市场1座门口路面塌陷，一下雨就积水，老人出入容易滑倒。",
            jm,
            "resident",
            30 * 24,
            steps=loop,
            publish=True,
        ),
        AppealPlan(
            "pingdi-g1-b1",
            "environment",
            "后巷垃圾堆积多日无人清理，气味很大。",
            wg,
            "patrol",
            3 * 24,
            # The grid worker found it: someone else accepts their own report (appeals/workflow.py).
            steps=[("accept", sq, 1, {}), ("dispatch", sq, 2, {"to_user": lz}), ("start", lz, 6, {})],
        ),
        AppealPlan(
            "pingdi-g1-b1",
            "parking",
            "消防通道被电动车占用，晚上停满了。",
            lz,
            "patrol",
            10,
            steps=[("accept", wg, 1, {})],
        ),
        AppealPlan(
            "pingdi-g2",
            "safety_hazard",
            "观音庙旁有电线私拉乱接，存在火灾隐患。",
            sq,
            "hotline",
            2,
            priority="urgent",
            contact_name="黄先生",
        ),
        AppealPlan(
            "pingdi",
            "policy_question",
            "来访咨询：高龄津贴如何申请，需要带什么材料？",
            sq,
            "visit",
            6 * 24,
            contact_name="陈伯",
            steps=[
                ("accept", sq, 1, {}),
                ("dispatch", sq, 2, {"to_user": sg}),
                ("start", sg, 3, {}),
                ("handle", sg, 20, {"result": "已上门讲解申请条件和材料，协助填写申请表。"}),
                ("verify", sq, 24, {}),
                ("close", sq, 25, {}),
                ("evaluate", sq, 48, {"score": 4, "comment": "电话回访：满意"}),
            ],
            publish=True,
        ),
        AppealPlan(
            "pingdi-g1-b1",
            "roads_facilities",
            "巷口路灯坏了一个多月，晚上漆黑一片。",
            jm,
            "resident",
            40,
            steps=[
                ("accept", wg, 2, {}),
                ("escalate", wg, 10, {"reason": "路灯维修超出网格处理范围，请社区协调。"}),
                ("escalate", sq, 20, {"reason": "路灯属市政设施，社区无法维修，需街道协调供电所。"}),
            ],
        ),
        AppealPlan(
            "pingdi-g1-b1",
            "property",
            "希望社区帮忙代缴物业费。",
            jm,
            "resident",
            4 * 24,
            steps=[("reject", wg, 3, {"reason": "物业费由业主直接缴纳给物业公司，社区不代收。"})],
        ),
    ]


DEMO_RESIDENT_NAME = "陈美玲"  # the demo resident account's own record, in 布匹市场1座


def _name_the_demo_resident(households: list[HouseholdPlan]) -> None:
    """The demo resident account (陈美玲) lives in 布匹市场1座: the first adult woman there takes the name,
    so that the account can be linked to its own record (it answers surveys for itself)."""
    for household in households:
        if household.building != "pingdi-g1-b1":
            continue
        for person in household.members:
            if int(person.id_number[16]) % 2 == 0 and 25 <= _age(person) <= 59:
                person.name = DEMO_RESIDENT_NAME
                return


# What residents asked for on visits, by category: (need, what was done when met, why not when unmet).
def _accounts() -> list[AccountPlan]:
    return [
        AccountPlan("qu_admin", "李明（区民政局）", "district_admin", "nanhai"),
        AccountPlan("dali_jiedao", "陈志强（大沥镇）", "street_official", "dali"),
        AccountPlan("guicheng_jiedao", "何丽华（桂城街道）", "street_official", "guicheng"),
        AccountPlan("pingdi_shequ", "黄淑贞（平地社区居委会）", "community_staff", "pingdi"),
        AccountPlan("zhenhua_shequ", "梁振东（振华社区居委会）", "community_staff", "zhenhua"),
        AccountPlan("pingdi_shegong", "麦嘉欣（社工）", "social_worker", "pingdi"),
        AccountPlan("dali_dudao", "区淑仪（督导）", "social_worker", "dali"),  # supervises pingdi_shegong
        AccountPlan("pingdi_wangge", "罗俊杰（网格员）", "grid_worker", "pingdi-g1"),
        AccountPlan("pingdi_louzhang", "黄伯（楼长）", "building_head", "pingdi-g1-b1"),
        AccountPlan("pingdi_zhiyuan", "叶子轩（志愿者）", "volunteer", "pingdi"),
        AccountPlan("pingdi_jumin", "陈美玲（居民）", "resident", "pingdi-g1-b1"),
        AccountPlan("pinggu", "第三方评估机构", "evaluator", "dali"),
    ]
