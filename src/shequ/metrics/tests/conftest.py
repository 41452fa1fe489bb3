"""The hand-built fixture of the metrics: November 2026 in 平地社区 (and one resident of 沥西社区), every
record placed so that each figure's numerator and denominator can be counted by hand — see the
comments here and the expected values in test_figures.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Tree
from shequ.appeals import services as appeal_services
from shequ.appeals.models import Appeal
from shequ.appeals.tests.conftest import People, category, people, report  # noqa: F401
from shequ.core.models import Area
from shequ.needs.models import Need, Respondents, Survey, SurveyResponse, Visit
from shequ.registry.models import Organisation, Resident
from shequ.volunteering.models import (
    Activity,
    ServiceHours,
    ServiceRecord,
    SignUp,
    Volunteer,
)

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@dataclass
class Fixture:
    tree: Tree
    people: People
    r: dict[str, Resident] = field(default_factory=dict)
    u: dict[str, Organisation] = field(default_factory=dict)
    a: dict[str, Activity] = field(default_factory=dict)
    appeals: dict[str, Appeal] = field(default_factory=dict)


def _activity(
    area: Area, title: str, kind: str, starts: datetime, *, status: str = "finished", **kw: Any
) -> Activity:
    return Activity.objects.create(
        area=area,
        title=title,
        kind=kind,
        organiser_kind=kw.pop("organiser_kind", "social_worker"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=30,
        cancel_deadline=starts - timedelta(hours=1),
        status=status,
        **kw,
    )


def _record(activity: Activity, on: date, kind: str, **subject: Any) -> ServiceRecord:
    return ServiceRecord.objects.create(
        activity=activity,
        source=f"volunteering.activity:{activity.pk}",
        source_label=activity.title,
        area=activity.area,
        served_on=on,
        kind=kind,
        **subject,
    )


def _hours(volunteer: Volunteer, activity: Activity, on: date, minutes: int, confirmed: bool) -> ServiceHours:
    signup = SignUp.objects.create(
        activity=activity, volunteer=volunteer, status="confirmed", created_at=at(2026, 10, 1)
    )
    return ServiceHours.objects.create(
        signup=signup,
        volunteer=volunteer,
        activity=activity,
        served_on=on,
        computed_minutes=minutes,
        minutes=minutes,
        status="confirmed" if confirmed else "pending",
        confirmed_at=at(2026, 12, 2) if confirmed else None,
    )


def _appeal_closed(report: Any, people: People, reported: datetime, score: int) -> Appeal:  # noqa: F811
    a = report(now=reported)
    gw, res = people.grid_worker, people.resident
    a = appeal_services.appeal_accept(appeal=a, by=gw, version=a.version, now=reported + timedelta(hours=1))
    a = appeal_services.appeal_dispatch(
        appeal=a, by=gw, version=a.version, to_user=gw, now=reported + timedelta(hours=2)
    )
    a = appeal_services.appeal_start(appeal=a, by=gw, version=a.version, now=reported + timedelta(hours=3))
    a = appeal_services.appeal_handle(
        appeal=a, by=gw, version=a.version, result="已处理", now=reported + timedelta(hours=4)
    )
    a = appeal_services.appeal_verify(appeal=a, by=res, version=a.version, now=reported + timedelta(hours=5))
    a = appeal_services.appeal_close(appeal=a, by=gw, version=a.version, now=reported + timedelta(hours=6))
    return appeal_services.appeal_evaluate(
        appeal=a, by=res, version=a.version, score=score, now=reported + timedelta(hours=7)
    )


@pytest.fixture
def hand(tree: Tree, people: People, resident_factory: Any, report: Any) -> Fixture:  # noqa: F811
    f = Fixture(tree, people)
    b = tree.building  # 平地社区 › 第1网格 › 布匹市场1座
    staff = people.community_staff

    # --- residents of 平地 (each with their own household: 10 households) -------------------------
    def person(key: str, name: str, born: date, **changes: Any) -> Resident:
        r = resident_factory(b, name=name, born=born)
        for k, v in changes.items():
            setattr(r, k, v)
        r.save()
        f.r[key] = r
        return r

    person("R1", "张一", date(1980, 1, 1))  # active; took part 11-05
    person("R2", "李二", date(1981, 1, 1))  # active; took part only on 12-01 (December)
    person(
        "R3", "王三", date(1982, 1, 1), status="moved_out", left_on=date(2026, 11, 10)
    )  # left during November: counted
    person(
        "R4", "赵四", date(1983, 1, 1), status="moved_out", left_on=date(2026, 10, 31)
    )  # left before: not counted
    person("R5", "钱五", date(1950, 1, 1), living_alone=True)  # 76, alone, visited 11-20
    person(
        "R6", "孙六", date(1966, 11, 30), living_alone=True
    )  # turns 60 on 11-30: counted; visited only 12-01
    person("R7", "周七", date(1966, 12, 1), living_alone=True)  # 59 on 11-30: not in the coverage
    person("R8", "吴八", date(2020, 1, 1))  # a child; took part 11-30
    person("R9", "郑九", date(2000, 1, 1), birth_date=date(2026, 12, 5))  # born after November: not counted
    person("R10", "冯十", date(1940, 1, 1), living_alone=True)  # 86, alone, their household visited 11-01
    # 沥西社区 (same street): one resident who took part in November.
    other = resident_factory(tree.other_building, name="陈沥西", born=date(1979, 1, 1))
    f.r["X1"] = other

    # --- units of 平地: U1, U2, U4 are 辖区单位 (unit, property company); U3 is a party branch ------
    for key, kind, name in [
        ("U1", "unit", "布匹市场管理处"),
        ("U2", "property_company", "平地物业"),
        ("U3", "party_branch", "平地党支部"),
        ("U4", "unit", "平地小学"),
    ]:
        f.u[key] = Organisation.objects.create(area=b, kind=kind, name=name)

    # --- activities (times in Asia/Shanghai) ---------------------------------------------------------
    a = f.a
    a["A1"] = _activity(
        b, "助困义诊", "volunteer_service", at(2026, 11, 5), target_groups=["hardship", "elderly"]
    )
    a["A2"] = _activity(
        tree.community,
        "主题党日",
        "party_activity_day",
        at(2026, 11, 25),
        organiser_kind="party_branch",
        organisation=f.u["U3"],
    )
    a["A3"] = _activity(
        b, "月光晚会", "community_activity", at(2026, 11, 30, 23, 30)
    )  # November's, by Shanghai time
    a["A4"] = _activity(b, "新年联欢", "community_activity", at(2026, 12, 1, 0, 0))  # December's
    a["A5"] = _activity(b, "取消的活动", "community_activity", at(2026, 11, 10), status="cancelled")
    a["A6"] = _activity(b, "十月活动", "volunteer_service", at(2026, 10, 31, 23, 59))  # October's
    a["X"] = _activity(tree.other_building, "沥西清洁", "volunteer_service", at(2026, 11, 5))

    r, u = f.r, f.u
    nov5, nov25, nov30 = date(2026, 11, 5), date(2026, 11, 25), date(2026, 11, 30)
    v1 = Volunteer.objects.create(area=tree.community, name="外来志愿者", phone_encrypted="sealed")
    v2 = Volunteer.objects.create(area=tree.community, resident=r["R1"], name="张一")
    # participants
    _record(a["A1"], nov5, "participant", resident=r["R1"])
    _record(a["A1"], nov5, "participant", resident=r["R3"])
    _record(
        a["A1"], nov5, "participant", resident=r["R4"]
    )  # counts as a person-time, not in the resident rate
    _record(a["A1"], nov5, "participant", organisation=u["U1"])
    _record(a["A3"], nov30, "participant", resident=r["R8"])
    _record(a["A2"], nov25, "participant", organisation=u["U3"])  # a party branch: not a 辖区单位
    _record(a["A2"], nov25, "participant", volunteer=v1)
    _record(a["A4"], date(2026, 12, 1), "participant", resident=r["R2"])  # December
    _record(a["X"], nov5, "participant", resident=other)  # 沥西
    # beneficiaries
    _record(a["A1"], nov5, "beneficiary", household=r["R1"].household)
    _record(a["A3"], nov30, "beneficiary", household=r["R1"].household)  # the same household again
    _record(a["A3"], nov30, "beneficiary", household=r["R2"].household)
    _record(a["A6"], date(2026, 10, 31), "beneficiary", household=r["R5"].household)  # October
    _record(a["A1"], nov5, "beneficiary", organisation=u["U2"])
    _record(a["A1"], nov5, "beneficiary", organisation=u["U4"])

    # --- service hours: 90 + 100 confirmed in November = 190 min = 3.17 h → 3.2 -----------------------
    _hours(v1, a["A2"], nov25, 90, confirmed=True)
    _hours(v2, a["A1"], nov5, 100, confirmed=True)
    _hours(v1, a["A1"], nov5, 60, confirmed=False)  # awaiting confirmation
    _hours(v2, a["A4"], date(2026, 12, 1), 30, confirmed=True)  # December

    # --- needs (raised_on) ---------------------------------------------------------------------------
    def need(status: str, raised: date, closed: date | None) -> Need:
        return Need.objects.create(
            area=b,
            area_path=b.path,
            resident=r["R1"],
            category="elderly_care",
            description="需要帮助",
            source="visit",
            raised_on=raised,
            status=status,
            closed_on=closed,
            recorded_by=staff,
        )

    need("met", date(2026, 11, 2), date(2026, 11, 20))  # N1 met
    need("open", date(2026, 11, 15), None)  # N2 open
    need("withdrawn", date(2026, 11, 16), date(2026, 11, 17))  # N3 withdrawn: in neither
    need("unmet", date(2026, 11, 30), date(2026, 12, 3))  # N4 could not be met
    need("met", date(2026, 10, 31), date(2026, 11, 1))  # N5 October
    need("met", date(2026, 12, 1), date(2026, 12, 2))  # N6 December

    # --- surveys ---------------------------------------------------------------------------------------
    c = tree.community

    def survey(title: str, who: str) -> Survey:
        return Survey.objects.create(
            area=c,
            area_path=c.path,
            title=title,
            respondents=who,
            opens_on=date(2026, 10, 1),
            closes_on=date(2026, 12, 31),
            created_by=staff,
        )

    s1, s2, s3 = (
        survey("居民满意度一", Respondents.RESIDENTS),
        survey("居民满意度二", Respondents.RESIDENTS),
        survey("单位满意度", Respondents.UNITS),
    )

    def answer(s: Survey, score: int, on: date, **who: Any) -> None:
        SurveyResponse.objects.create(survey=s, area=b, area_path=b.path, score=score, answered_on=on, **who)

    answer(s1, 5, date(2026, 11, 3), resident=r["R1"])
    answer(s2, 2, date(2026, 11, 20), resident=r["R1"])  # R1's latest answer: not satisfied
    answer(s1, 4, date(2026, 11, 3), resident=r["R2"])  # satisfied
    answer(s1, 3, date(2026, 11, 4), resident=r["R5"])  # not satisfied
    answer(s2, 5, date(2026, 12, 1), resident=r["R6"])  # December
    answer(s3, 5, date(2026, 11, 10), organisation=u["U1"])
    answer(s3, 3, date(2026, 11, 10), organisation=u["U2"])

    # --- home visits ---------------------------------------------------------------------------------------
    def visit(on: date, **who: Any) -> None:
        Visit.objects.create(area=b, area_path=b.path, visited_on=on, visited_by=staff, **who)

    visit(date(2026, 11, 20), resident=r["R5"])
    visit(date(2026, 12, 1), resident=r["R6"])  # December
    visit(date(2026, 11, 1), household=r["R10"].household)

    # --- appeals of 平地 --------------------------------------------------------------------------------
    f.appeals["P1"] = _appeal_closed(
        report, people, at(2026, 11, 2, 10), score=5
    )  # responded, resolved, satisfied, on time
    f.appeals["P2"] = report(now=at(2026, 11, 30, 23, 30))  # November's (Shanghai), nobody responded yet
    f.appeals["P3"] = report(now=at(2026, 12, 1, 0, 10))  # December's
    return f
