"""A group through the stages of MZ/T 095-2017 (筹备 → 形成 → 转折 → 成熟 → 结束) and its refusals: the
services, then the same steps through the API and the page. The rows are built once for the module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from conftest import Tree, build_tree, fresh_tree, login_client, make_user, module_transaction, token_client
from shequ.casework.models import Case, Group, GroupMember, GroupStage
from shequ.casework.services import GROUP_ACTIONS, group_open
from shequ.core.errors import DomainError
from shequ.core.idnumber import make_id_number
from shequ.core.models import AuditAction, AuditEntry, User
from shequ.core.roles import Role
from shequ.registry.models import Household, Resident
from shequ.registry.services import seal_personal_data
from shequ.volunteering.models import RecordKind, ServiceRecord
from shequ.volunteering.records import source_key

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()


@dataclass
class World:
    tree: Tree
    worker: User
    other_worker: User
    staff: User
    far_worker: User
    elders: list[Resident]
    far_resident: Resident
    case: Case


def _resident(building: Any, name: str, n: int) -> Resident:
    from datetime import date

    born = date(1950, 3, n)
    sealed = seal_personal_data(
        id_number=make_id_number("440605", born, 500 + n, "F"), phone=f"1390000{n:04d}"
    )
    household = Household.objects.create(area=building, address=f"{building.name}{n}室")
    return Resident.objects.create(
        area=building, household=household, name=name, relation="户主", **sealed.__dict__
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with module_transaction(django_db_blocker), django_db_blocker.unblock():
        tree = build_tree()
        worker = make_user(Role.SOCIAL_WORKER, tree.community, username="g_sheg")
        elders = [
            _resident(tree.building, name, i + 1) for i, name in enumerate(("王阿姨", "李奶奶", "赵伯"))
        ]
        case = Case.objects.create(
            area=tree.building,
            area_path=tree.building.path,
            resident=elders[2],
            household=elders[2].household,
            source="walk_in",
            problem="独居",
            owner=worker,
            opened_on=timezone.localdate(),
        )
        yield World(
            tree=tree,
            worker=worker,
            other_worker=make_user(Role.SOCIAL_WORKER, tree.community, username="g_sheg2"),
            staff=make_user(Role.COMMUNITY_STAFF, tree.community, username="g_jugan"),
            far_worker=make_user(Role.SOCIAL_WORKER, tree.far_community, username="g_far"),
            elders=elders,
            far_resident=_resident(tree.far_building, "远方", 9),
            case=case,
        )


@pytest.fixture
def w(db: Any, world: World) -> World:
    world.tree = fresh_tree(world.tree)
    return world


def _group(w: World) -> Group:
    return group_open(
        by=w.worker,
        area=w.tree.community,
        name="长者互助小组",
        aims="减少孤独感，建立互助",
        planned_sessions=6,
        scale="loneliness",
    )


def act(name: str, by: Any, group: Group, **values: Any) -> Group:
    group.refresh_from_db()
    GROUP_ACTIONS[name](by=by, group=group, version=group.version, **values)
    group.refresh_from_db()
    return group


def code_of(name: str, by: Any, group: Group, **values: Any) -> str:
    try:
        act(name, by, group, **values)
    except DomainError as refusal:
        return refusal.code
    return "allowed"


def test_a_group_through_its_five_stages_counts_its_members_once(w: World) -> None:
    group = _group(w)
    a, b = w.elders[0], w.elders[1]
    act("add_member", w.worker, group, resident=a)
    act("add_member", w.worker, group, resident=b)
    act("add_member", w.worker, group, case=w.case)  # the case's client joins, the case kept
    members = {m.resident_id: m for m in group.members.all()}
    for m in members.values():
        act("score_before", w.worker, group, member=m, score=8)
    group = act("form", w.worker, group)
    assert group.stage == GroupStage.FORMATION
    present = ",".join(str(members[r.pk].pk) for r in (a, b))
    act("session", w.worker, group, held_on=TODAY, topic="相识", record="破冰游戏", present=present)
    act("session", w.worker, group, held_on=TODAY, topic="分享", record="讲述生活", present=present)
    for step in ("to_transition", "to_maturity", "to_ending"):
        group = act(step, w.worker, group)
    assert group.stage == GroupStage.ENDING
    act("score_after", w.worker, group, member=members[a.pk], score=4)
    group = act("close", w.worker, group, aims_met="partly", outcome="组员建立了互助电话网")
    assert group.stage == GroupStage.CLOSED
    assert group.outcome == "组员建立了互助电话网"
    assert members[w.case.resident_id].case_id == w.case.pk
    assert GroupMember.objects.get(pk=members[a.pk].pk).score_after == 4
    records = ServiceRecord.objects.filter(source=source_key(group))
    # Two sessions, two who came: each takes part once and their household benefits once.
    assert sorted(
        records.filter(kind=RecordKind.PARTICIPANT).values_list("resident_id", flat=True)
    ) == sorted([a.pk, b.pk])
    assert records.filter(kind=RecordKind.BENEFICIARY).count() == 2
    assert list(group.sessions.values_list("number", "stage")) == [(1, "formation"), (2, "formation")]
    assert AuditEntry.objects.filter(object_type="casework.group", action=AuditAction.UPDATE).count() == 14


def test_each_refusal_of_the_group_answers_with_its_code(w: World) -> None:
    group = _group(w)
    a = w.elders[0]
    codes = {
        "another worker": code_of("add_member", w.other_worker, group, resident=a),
        "staff": code_of("add_member", w.staff, group, resident=a),
        "nobody named": code_of("add_member", w.worker, group),
        "another area's resident": code_of("add_member", w.worker, group, resident=w.far_resident),
        "one member is not a group": code_of("form", w.worker, group),
    }
    act("add_member", w.worker, group, resident=a)
    member = group.members.get()
    codes |= {
        "twice": code_of("add_member", w.worker, group, resident=a),
        "off the scale": code_of("score_before", w.worker, group, member=member, score=12),
        "session before forming": code_of(
            "session", w.worker, group, held_on=TODAY, topic="x", record="x", present=""
        ),
        "after score too early": code_of("score_after", w.worker, group, member=member, score=4),
    }
    act("add_member", w.worker, group, resident=w.elders[1])
    act("form", w.worker, group)
    codes |= {
        "transition without a session": code_of("to_transition", w.worker, group),
        "a stranger present": code_of(
            "session", w.worker, group, held_on=TODAY, topic="x", record="x", present="999999"
        ),
        "a session tomorrow": code_of(
            "session", w.worker, group, held_on="2999-01-01", topic="x", record="x", present=""
        ),
        "closing before the ending": code_of("close", w.worker, group, aims_met="all", outcome="x"),
    }
    assert codes == {
        "another worker": "not_group_worker",
        "staff": "forbidden",
        "nobody named": "member_required",
        "another area's resident": "not_found",
        "one member is not a group": "too_few_members",
        "twice": "already_member",
        "off the scale": "out_of_range",
        "session before forming": "illegal_transition",
        "after score too early": "illegal_transition",
        "transition without a session": "no_session",
        "a stranger present": "not_member",
        "a session tomorrow": "future_date",
        "closing before the ending": "illegal_transition",
    }


def test_the_api_and_the_page_run_the_same_table(w: World) -> None:
    api = token_client(w.worker)
    r = api.post(
        "/api/casework/groups",
        {
            "area_id": w.tree.community.pk,
            "name": "亲子小组",
            "aims": "改善亲子沟通",
            "planned_sessions": 4,
            "scale": "wellbeing",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert "add_member" in body["actions"]
    gid = body["id"]
    r = api.post(
        f"/api/casework/groups/{gid}/add_member",
        {"version": body["version"], "resident": w.elders[0].pk},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    page = login_client(w.worker)
    version = Group.objects.get(pk=gid).version
    r = page.post(f"/casework/groups/{gid}/add_member/", {"version": version, "resident": w.elders[1].pk})
    assert r.status_code == 302
    r = page.post(f"/casework/groups/{gid}/form/", {"version": version + 1})
    assert r.status_code == 302
    # The page's session form: a checkbox per member, posted as a list.
    html = page.get(f"/casework/groups/{gid}/").content.decode()
    assert 'data-testid="action-session"' in html
    ids = list(GroupMember.objects.filter(group_id=gid).values_list("pk", flat=True))
    r = page.post(
        f"/casework/groups/{gid}/session/",
        {
            "version": version + 2,
            "held_on": TODAY,
            "topic": "沟通",
            "record": "练习倾听",
            "present": [str(i) for i in ids],
        },
    )
    assert r.status_code == 302
    detail = api.get(f"/api/casework/groups/{gid}").json()
    assert detail["sessions"][0]["present"] == sorted(ids)
    refused = api.post(
        f"/api/casework/groups/{gid}/close",
        {"version": detail["version"], "aims_met": "all", "outcome": "x"},
        content_type="application/json",
    )
    assert refused.json()["code"] == "illegal_transition"


def test_another_areas_group_answers_404_on_the_page_and_the_api(w: World) -> None:
    group = _group(w)
    statuses = [
        login_client(w.far_worker).get(f"/casework/groups/{group.pk}/").status_code,
        token_client(w.far_worker).get(f"/api/casework/groups/{group.pk}").status_code,
        login_client(w.far_worker).post(f"/casework/groups/{group.pk}/form/", {"version": 1}).status_code,
    ]
    assert statuses == [404, 404, 404]
