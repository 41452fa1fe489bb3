"""Casework's part of the demo community: 平地社区's social worker, supervised by the street's
supervisor, with a few cases at different stages — one opened from the grid worker's appeal about an
elder living alone. Written through the product's own services, as the users would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from shequ.casework.models import SupervisionLink
from shequ.casework.services import ACTIONS, case_open
from shequ.core.models import User
from shequ.registry.models import Resident

ASSESS = {"health": 2, "income": 3, "family": 2, "social_support": 1, "safety": 2, "risk": "high"}


def _do(name: str, by: Any, case: Any, **values: Any) -> Any:
    case.refresh_from_db()
    return ACTIONS[name](by=by, case=case, version=case.version, **values)


DEMO_ACCOUNTS = ("pingdi_shegong", "dali_dudao", "pingdi_wangge")  # worker, supervisor, grid worker


def load(areas: dict[str, Any]) -> None:
    from shequ.appeals.models import Category
    from shequ.appeals.services import appeal_report

    pingdi = areas["pingdi"]
    accounts = {u.username: u for u in User.objects.filter(username__in=DEMO_ACCOUNTS)}
    people = Resident.objects.filter(area__path__startswith=pingdi.path).select_related("area").order_by("id")
    if len(accounts) < len(DEMO_ACCOUNTS) or not people.filter(living_alone=True).exists():
        return  # a part of the demo (a test's smaller plan) without the casework's people: nothing to add
    worker, supervisor, grid = (accounts[name] for name in DEMO_ACCOUNTS)
    SupervisionLink.objects.create(area=pingdi, area_path=pingdi.path, supervisor=supervisor, worker=worker)
    alone = [r for r in people.filter(living_alone=True)[:2]]
    others = [r for r in people.filter(living_alone=False)[:3]]
    soon = (timezone.localdate() + timedelta(days=14)).isoformat()
    today = timezone.localdate().isoformat()

    # The grid worker's appeal about an elder living alone opens a case, now under way.
    elder = alone[0]
    appeal = appeal_report(
        by=grid,
        area=elder.area,
        category=Category.objects.get(code="elderly_care"),
        description=f"{elder.name}独居，近一周没见出门，敲门应答迟缓，需社工跟进。",
        channel="patrol",
    )
    case = case_open(
        by=worker, source="appeal", appeal=appeal, resident=elder, problem="独居老人，行动不便，社会支持弱"
    )
    _do("accept", worker, case)
    _do("assess", worker, case, **ASSESS, summary="独居，子女在外地，近期跌倒一次")
    _do(
        "submit_plan",
        worker,
        case,
        goals="恢复与子女的定期联系\n申请居家养老服务",
        tasks=f"{soon} 联系子女\n{soon} 申请居家养老补贴",
    )
    _do("approve_plan", supervisor, case)
    _do("contact", worker, case, on=today, kind="home_visit", summary="上门探访，协助整理药品", service=True)
    _do("note", worker, case, text="老人情绪低落，提到担心再次跌倒；下次探访带上防滑垫资料。")

    # A walk-in just taken on, a visit waiting for its plan's approval, one closed with goals met.
    if len(others) >= 3:
        walk_in = case_open(by=worker, source="walk_in", resident=others[0], problem="照顾患病配偶压力大")
        _do("accept", worker, walk_in)
        waiting = case_open(
            by=worker,
            source="referral",
            resident=others[1],
            problem="失业后家庭经济困难",
            referred_by="大沥镇社会保障服务中心",
        )
        _do("accept", worker, waiting)
        _do("assess", worker, waiting, **(ASSESS | {"income": 1, "risk": "medium"}))
        _do("submit_plan", worker, waiting, goals="申请临时救助", tasks=f"{soon} 准备临时救助申请材料")
        done = case_open(by=worker, source="walk_in", resident=others[2], problem="孩子放学后无人看护")
        for step, values in (
            ("accept", {}),
            ("assess", ASSESS | {"risk": "low", "safety": 4}),
            ("submit_plan", {"goals": "安排课后托管", "tasks": f"{soon} 联系四点半课堂"}),
        ):
            _do(step, worker, done, **values)
        _do("approve_plan", supervisor, done)
        _do("contact", worker, done, on=today, kind="office", summary="面谈，介绍四点半课堂", service=True)
        _do("evaluate", worker, done, goals_met="all", review="孩子已参加四点半课堂")
        _do("request_closure", worker, done, reason="goals_met", note="目标达成，家长满意，结案。")
        _do("approve_closure", supervisor, done)

    # The elder's ties, so that the case page draws an ecomap and a genogram.
    for tie in (
        {"kind": "family", "name": "女儿（在深圳）", "relation": "child", "gender": "F", "strength": "strong"}
        | {"flow": "to_client"},
        {"kind": "neighbour", "name": "对门邻居", "strength": "moderate", "flow": "both"},
        {"kind": "family", "name": "儿子", "relation": "child", "gender": "M", "strength": "weak"}
        | {"flow": "none", "stress": True},
        {"kind": "health", "name": "社区卫生服务站", "strength": "moderate", "flow": "to_client"},
    ):
        case.refresh_from_db()
        ACTIONS["tie"](by=worker, case=case, version=case.version, **tie)
    _group(worker, pingdi, case, [*alone[1:], *others[:2]], today)


def _group(worker: Any, pingdi: Any, case: Any, residents: list[Any], today: str) -> None:
    """An elders' mutual-help group in its formation stage: the case's client and a few neighbours,
    scored before, one session held."""
    from shequ.casework.services import GROUP_ACTIONS, group_open

    group = group_open(
        by=worker,
        area=pingdi,
        name="长者互助小组",
        aims="减少独居长者的孤独感，建立邻里互助电话网",
        planned_sessions=6,
        scale="loneliness",
    )

    def do(action: str, **values: Any) -> None:
        group.refresh_from_db()
        GROUP_ACTIONS[action](by=worker, group=group, version=group.version, **values)

    do("add_member", case=case)
    for resident in residents:
        do("add_member", resident=resident)
    members = list(group.members.all())
    for member, score in zip(members, (8, 7, 6, 7), strict=False):
        do("score_before", member=member, score=score)
    do("form")
    present = ",".join(str(m.pk) for m in members)
    do(
        "session",
        held_on=today,
        topic="相识与破冰",
        record="组员互相介绍，约定每周二下午活动。",
        present=present,
    )
