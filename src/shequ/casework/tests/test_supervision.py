"""Supervision (督导): who supervises whom (one supervisor a worker, at most 8 a supervisor), sessions
signed by both that count towards the monthly quota, and the supervisor's view of caseloads."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import Tree, login_client, make_user, token_client
from shequ.casework.models import Case, Plan, PlanTask, Stage, SupervisionLink
from shequ.casework.selectors import caseloads_for
from shequ.casework.services import ACTIONS, case_open, session_record, session_sign, supervision_link
from shequ.core.errors import DomainError
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def w(tree: Tree, resident_factory: Any) -> dict[str, Any]:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, username="jugan")
    supervisor = make_user(Role.SOCIAL_WORKER, tree.street, username="dudao")
    worker = make_user(Role.SOCIAL_WORKER, tree.community, username="sheg")
    link = supervision_link(by=staff, area=tree.community, supervisor=supervisor, worker=worker)
    return {
        "tree": tree,
        "staff": staff,
        "supervisor": supervisor,
        "worker": worker,
        "link": link,
        "rf": resident_factory,
    }


def code_of(call: Any, **kw: Any) -> str:
    with pytest.raises(DomainError) as caught:
        call(**kw)
    return caught.value.code


def test_links_one_supervisor_a_worker_at_most_eight_a_supervisor_never_oneself(
    w: dict[str, Any], settings: Any
) -> None:
    tree, staff, supervisor = w["tree"], w["staff"], w["supervisor"]

    def link(who: Any, sup: Any = supervisor) -> Any:
        return supervision_link(by=staff, area=tree.community, supervisor=sup, worker=who)

    assert code_of(link, who=w["worker"]) == "has_supervisor"
    assert code_of(link, who=supervisor) == "self_supervision"
    assert code_of(link, who=make_user(Role.GRID_WORKER, tree.grid, username="wangge")) == "not_social_worker"
    settings.CASEWORK_SUPERVISEES = 2
    link(make_user(Role.SOCIAL_WORKER, tree.community, username="sheg2"))
    assert (
        code_of(link, who=make_user(Role.SOCIAL_WORKER, tree.community, username="sheg3")) == "ratio_exceeded"
    )
    with pytest.raises(DomainError) as caught:
        supervision_link(by=w["worker"], area=tree.community, supervisor=supervisor, worker=staff)
    assert caught.value.status == 403


def test_a_session_is_recorded_by_the_supervisor_signed_by_the_supervisee_and_then_counts(
    w: dict[str, Any],
) -> None:
    sup, worker, link = w["supervisor"], w["worker"], w["link"]
    case = case_open(by=worker, source="walk_in", resident=w["rf"](w["tree"].building), problem="独居")
    other = case_open(
        by=make_user(Role.SOCIAL_WORKER, w["tree"].community, username="xxx"),
        source="walk_in",
        resident=w["rf"](w["tree"].building),
        problem="x",
    )

    def record(**kw: Any) -> Any:
        base = {"by": sup, "link": link, "held_on": TODAY, "hours": "1.5", "topics": "危机介入"}
        return session_record(**(base | kw))

    assert code_of(record, by=worker) == "not_supervisor"
    assert code_of(record, hours="0.3") == "bad_hours"
    assert code_of(record, hours="abc") == "bad_hours"
    assert code_of(record, case_ids=[other.pk]) == "not_supervisee_case"
    session = record(case_ids=[case.pk])
    assert caseloads_for(sup)[0].hours == 0  # not signed by both yet
    assert code_of(session_sign, by=sup, session=session) == "not_supervisee"
    session_sign(by=worker, session=session)
    assert code_of(session_sign, by=worker, session=session) == "already_signed"
    row = caseloads_for(sup)[0]
    assert (row.hours, row.quota, row.behind) == (Decimal("1.5"), Decimal(2), True)
    record(hours="1")
    session_sign(by=worker, session=w["link"].sessions.order_by("-id").first())
    assert not caseloads_for(sup)[0].behind


def test_the_caseload_counts_open_cases_by_risk_and_overdue_tasks(w: dict[str, Any]) -> None:
    worker, sup = w["worker"], w["supervisor"]
    for risk in ("high", "high", "low", ""):
        case = case_open(by=worker, source="walk_in", resident=w["rf"](w["tree"].building), problem="x")
        Case.objects.filter(pk=case.pk).update(risk=risk, stage=Stage.INTERVENTION)
    plan = Plan.objects.create(case=case, submitted_by=worker, approved_by=sup, approved_at=timezone.now())
    late = PlanTask.objects.create(plan=plan, text="逾期任务", due_on=TODAY - timedelta(days=3))
    PlanTask.objects.create(plan=plan, text="未到期", due_on=TODAY + timedelta(days=3))
    row = caseloads_for(sup)[0]
    assert (row.open_cases, row.high, row.low, row.unassessed, row.overdue_tasks) == (4, 2, 1, 1, 1)
    page = login_client(sup).get("/casework/caseload/").content.decode()
    assert 'data-testid="overdue-tasks">1<' in page
    case.refresh_from_db()
    ACTIONS["task_done"](by=worker, case=case, version=case.version, task=late)
    assert caseloads_for(sup)[0].overdue_tasks == 0
    api = token_client(sup).get("/api/casework/caseload").json()
    assert api[0]["worker"] == "sheg"
    assert api[0]["open_cases"] == 4
    # Another social worker of the area supervises nobody: an empty caseload, not the others'.
    assert caseloads_for(make_user(Role.SOCIAL_WORKER, w["tree"].community, username="yyy")) == []


def test_sessions_through_the_api_and_the_page(w: dict[str, Any]) -> None:
    sup, worker, link = w["supervisor"], w["worker"], w["link"]
    r = token_client(sup).post(
        "/api/casework/supervision/sessions",
        {"link_id": link.pk, "held_on": TODAY.isoformat(), "hours": "2", "topics": "个案研讨"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json()["signed"] is False
    page = login_client(worker)
    assert 'data-testid="session-sign"' in page.get("/casework/supervision/").content.decode()
    assert page.post(f"/casework/supervision/sessions/{r.json()['id']}/sign/").status_code == 302
    assert 'data-testid="session-signed"' in page.get("/casework/supervision/").content.decode()
    desk = login_client(sup)
    assert f'value="{TODAY.isoformat()}"' in desk.get("/casework/supervision/sessions/new/").content.decode()
    body = {"link": link.pk, "held_on": TODAY.isoformat(), "hours": "1", "topics": "个案研讨"}
    bad = desk.post("/casework/supervision/sessions/new/", body | {"case_ids": "第一个"})
    assert bad.status_code == 400
    assert "个案研讨" in bad.content.decode()
    assert desk.post("/casework/supervision/sessions/new/", body).status_code == 302
    far = make_user(Role.SOCIAL_WORKER, w["tree"].far_community, username="far")
    assert (
        token_client(far).post(f"/api/casework/supervision/sessions/{r.json()['id']}/sign").status_code == 404
    )
    assert SupervisionLink.objects.count() == 1
