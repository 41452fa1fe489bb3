"""A case through the stages of MZ/T 094-2017 and every refusal on the way: the services, then the
same steps through the API and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Tree, login_client, make_user, token_client
from shequ.appeals.models import Category
from shequ.appeals.services import appeal_report
from shequ.casework import services
from shequ.casework.models import Case, CaseEvent, Stage, SupervisionLink
from shequ.casework.services import ACTIONS, case_open
from shequ.core.errors import DomainError
from shequ.core.models import AuditAction, AuditEntry, User
from shequ.core.roles import Role
from shequ.volunteering.models import ServiceRecord
from shequ.volunteering.records import source_key

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SOON = (TODAY + timedelta(days=7)).isoformat()
ASSESSMENT = {"health": 2, "income": 3, "family": 2, "social_support": 1, "safety": 3, "risk": "high"}


@dataclass
class People:
    worker: User
    supervisor: User
    other_worker: User
    staff: User
    far_worker: User
    elder: Any


@pytest.fixture
def people(tree: Tree, resident_factory: Any) -> People:
    worker = make_user(Role.SOCIAL_WORKER, tree.community, username="sheg")
    supervisor = make_user(Role.SOCIAL_WORKER, tree.street, username="dudao")
    SupervisionLink.objects.create(
        area=tree.community, area_path=tree.community.path, supervisor=supervisor, worker=worker
    )
    return People(
        worker=worker,
        supervisor=supervisor,
        other_worker=make_user(Role.SOCIAL_WORKER, tree.community, username="sheg2"),
        staff=make_user(Role.COMMUNITY_STAFF, tree.community, username="jugan"),
        far_worker=make_user(Role.SOCIAL_WORKER, tree.far_community, username="far_sheg"),
        elder=resident_factory(tree.building, name="李奶奶"),
    )


def act(name: str, by: Any, case: Case, **values: Any) -> Case:
    case.refresh_from_db()
    ACTIONS[name](by=by, case=case, version=case.version, **values)
    case.refresh_from_db()
    return case


def refused(name: str, by: Any, case: Case, **values: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        act(name, by, case, **values)
    return caught.value


def test_an_appeal_about_an_elder_living_alone_opens_a_case_linked_both_ways(
    tree: Tree, people: People
) -> None:
    grid = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    appeal = appeal_report(
        by=grid,
        area=tree.building,
        category=Category.objects.get(code="roads_facilities"),
        description="独居老人李奶奶多日未出门",
        channel="patrol",
    )
    case = case_open(
        by=people.worker, source="appeal", appeal=appeal, resident=people.elder, problem="独居老人"
    )
    assert case.stage == Stage.INTAKE
    assert case.owner == people.worker
    assert case.household == people.elder.household  # the household comes with the resident
    assert list(appeal.cases.all()) == [case]
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="casework.case").count() == 1


@pytest.mark.parametrize(
    "values, code",
    [
        ({"source": "walk_in", "problem": "x"}, "client_required"),
        ({"source": "appeal", "problem": "x", "elder": True}, "source_record_required"),
        ({"source": "referral", "problem": "x", "elder": True}, "required"),
        ({"source": "rumour", "problem": "x", "elder": True}, "invalid_choice"),
        ({"source": "walk_in", "problem": " ", "elder": True}, "required"),
    ],
)
def test_opening_a_case_refuses_what_is_missing(people: People, values: dict, code: str) -> None:
    resident = people.elder if values.pop("elder", False) else None
    with pytest.raises(DomainError) as caught:
        case_open(by=people.worker, resident=resident, **values)
    assert caught.value.code == code


def test_only_a_social_worker_of_the_area_opens_a_case(people: People) -> None:
    for who, status in ((people.staff, 403), (people.far_worker, 404)):
        with pytest.raises(DomainError) as caught:
            case_open(by=who, source="walk_in", resident=people.elder, problem="x")
        assert caught.value.status == status


def test_a_case_through_every_stage_with_its_refusals(people: People) -> None:
    w, s = people.worker, people.supervisor
    case = case_open(by=w, source="walk_in", resident=people.elder, problem="独居，行动不便")
    assert refused("assess", w, case, **ASSESSMENT, summary="").code == "illegal_transition"
    assert refused("accept", people.other_worker, case).code == "not_case_worker"
    case = act("accept", w, case)
    case = act("assess", w, case, **ASSESSMENT, summary="社会支持弱")
    assert (case.stage, case.risk) == (Stage.PLAN, "high")
    # Work before the plan is approved: refused with its own code, and no approval without a plan.
    contact = {"on": TODAY.isoformat(), "kind": "home_visit", "summary": "上门探访", "service": True}
    assert (err := refused("contact", w, case, **contact)).code == "plan_not_approved"
    assert err.status == 409
    assert refused("approve_plan", s, case).code == "no_plan"
    bad_tasks = refused("submit_plan", w, case, goals="恢复社会联系", tasks="明天 联系子女")
    assert bad_tasks.code == "task_due_date"
    assert bad_tasks.field == "tasks"
    act(
        "submit_plan",
        w,
        case,
        goals="恢复社会联系\n申请居家养老服务",
        tasks=f"{SOON} 联系子女\n{SOON} 申请补贴",
    )
    # Nobody approves their own plan; another social worker of the area is not the supervisor.
    assert refused("approve_plan", w, case).code == "not_supervisor"
    assert refused("approve_plan", people.other_worker, case).code == "not_supervisor"
    case = act("approve_plan", s, case)
    assert case.stage == Stage.INTERVENTION
    assert case.plans.get().approved_by == s
    act("contact", w, case, **contact)
    case = act("contact", w, case, **(contact | {"kind": "phone", "summary": "电话回访"}))
    # Two contacts, one service: the client and their household are counted once.
    records = ServiceRecord.objects.filter(source=source_key(case))
    assert sorted(records.values_list("kind", flat=True)) == ["beneficiary", "participant"]
    case = act("evaluate", w, case, goals_met="all", review="目标达成")
    assert case.stage == Stage.EVALUATION
    # Closing: a reason and a note are required, then the supervisor approves.
    assert refused("request_closure", w, case, reason="goals_met", note="  ").code == "required"
    assert refused("approve_closure", s, case).code == "no_closure_request"
    act("request_closure", w, case, reason="goals_met", note="结案小结：已联系子女，每周探访。")
    assert refused("approve_closure", w, case).code == "not_supervisor"
    case = act("approve_closure", s, case)
    assert case.stage == Stage.CLOSED
    assert case.closed_on == TODAY
    assert case.notes.count() == 1
    assert refused("contact", w, case, **contact).code == "illegal_transition"
    case = act("reopen", w, case, reason="老人再次跌倒")
    assert case.stage == Stage.ASSESSMENT
    assert case.closed_on is None
    assert CaseEvent.objects.filter(case=case, action="reopen", reason="老人再次跌倒").exists()


def test_a_stale_version_is_a_conflict(people: People) -> None:
    case = case_open(by=people.worker, source="walk_in", resident=people.elder, problem="x")
    with pytest.raises(DomainError) as caught:
        services.ACTIONS["accept"](by=people.worker, case=case, version=case.version + 1)
    assert caught.value.status == 409


@pytest.mark.parametrize(
    "on, code",
    [
        ("2026-13-01", "bad_date"),
        ((TODAY + timedelta(days=2)).isoformat(), "future_date"),
        ("2000-01-01", "too_early"),
    ],
)
def test_a_contact_date_must_be_real_and_within_the_case(people: People, on: str, code: str) -> None:
    case = case_open(by=people.worker, source="walk_in", resident=people.elder, problem="x")
    Case.objects.filter(pk=case.pk).update(stage=Stage.INTERVENTION)
    from shequ.casework.models import Plan

    Plan.objects.create(
        case=case, submitted_by=people.worker, approved_by=people.supervisor, approved_at=timezone.now()
    )
    assert refused("contact", people.worker, case, on=on, kind="phone", summary="电话").code == code


# --- the same through the API and the pages ----------------------------------------------------


def test_the_api_walks_the_case_and_answers_refusals_with_code_and_field(tree: Tree, people: People) -> None:
    api, sup = token_client(people.worker), token_client(people.supervisor)
    r = api.post(
        "/api/casework/cases",
        {"source": "walk_in", "resident_id": people.elder.pk, "problem": "独居"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["actions"] == ["accept", "request_closure", "record_consent", "tie", "note"]

    def post(client: Any, action: str, **body: Any) -> Any:
        version = Case.objects.get(pk=case["id"]).version
        return client.post(
            f"/api/casework/cases/{case['id']}/{action}",
            {"version": version, **body},
            content_type="application/json",
        )

    assert post(api, "accept").json()["stage"] == "assessment"
    bad = post(api, "assess", **(ASSESSMENT | {"health": 9}))
    assert bad.status_code == 400
    assert bad.json()["code"] == "out_of_range"
    assert bad.json()["field"] == "health"
    assert post(api, "assess", **ASSESSMENT).json()["risk"] == "high"
    early = post(api, "contact", on=TODAY.isoformat(), kind="phone", summary="电话")
    assert early.status_code == 409
    assert early.json()["code"] == "plan_not_approved"
    assert post(api, "submit_plan", goals="目标", tasks=f"{SOON} 任务").status_code == 200
    assert post(api, "approve_plan").json()["code"] == "not_supervisor"
    assert post(sup, "approve_plan").json()["stage"] == "intervention"
    stale = api.post(
        f"/api/casework/cases/{case['id']}/note",
        {"version": 1, "text": "笔记"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    # Another area's case answers as if it did not exist.
    far = token_client(people.far_worker)
    assert far.get(f"/api/casework/cases/{case['id']}").status_code == 404
    assert (
        far.post(
            f"/api/casework/cases/{case['id']}/accept", {"version": 1}, content_type="application/json"
        ).status_code
        == 404
    )
    assert far.get("/api/casework/cases").json()["items"] == []


def test_the_case_page_draws_the_buttons_of_the_rule_table_and_keeps_what_was_typed(people: People) -> None:
    case = case_open(by=people.worker, source="walk_in", resident=people.elder, problem="独居")
    Case.objects.filter(pk=case.pk).update(stage=Stage.ASSESSMENT)
    page = login_client(people.worker)
    html = page.get(f"/casework/{case.pk}/").content.decode()
    assert 'data-testid="action-assess"' in html
    assert 'data-testid="action-accept"' not in html
    r = page.post(
        f"/casework/{case.pk}/assess/",
        {"version": 1, **(ASSESSMENT | {"health": "abc"}), "summary": "已输入的小结"},
    )
    assert r.status_code == 400
    assert "已输入的小结" in r.content.decode()
    assert "field-error" in r.content.decode()
    r = page.post(f"/casework/{case.pk}/assess/", {"version": 1, **ASSESSMENT})
    assert r.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Stage.PLAN
    # The supervisor sees no work buttons, and the far worker no case.
    sup_html = login_client(people.supervisor).get(f"/casework/{case.pk}/").content.decode()
    assert 'data-testid="action-submit_plan"' not in sup_html
    assert login_client(people.far_worker).get(f"/casework/{case.pk}/").status_code == 404


def test_opening_a_case_from_the_page_finds_the_client_by_name(people: People) -> None:
    page = login_client(people.worker)
    found = page.get("/casework/new/", {"q": "李奶奶"}).content.decode()
    assert f"resident={people.elder.pk}" in found
    r = page.post("/casework/new/", {"source": "walk_in", "resident": people.elder.pk, "problem": ""})
    assert r.status_code == 400
    r = page.post("/casework/new/", {"source": "walk_in", "resident": people.elder.pk, "problem": "独居"})
    assert r.status_code == 302
    assert Case.objects.get().owner == people.worker


def test_the_area_page_counts_open_cases_for_those_who_see_cases(tree: Tree, people: People) -> None:
    case_open(by=people.worker, source="walk_in", resident=people.elder, problem="独居")
    html = login_client(people.staff).get(f"/areas/{tree.community.pk}/").content.decode()
    assert 'data-testid="stat-open_cases"><b>1</b>' in html
    grid = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    assert (
        'data-testid="stat-open_cases"'
        not in login_client(grid).get(f"/areas/{tree.grid.pk}/").content.decode()
    )
