"""The nightly job escalates each overdue plan task once, to the supervisor's caseload view."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Tree, login_client, make_user
from shequ.casework.jobs import run_overdue
from shequ.casework.models import Case, CaseEvent, Plan, PlanTask, Stage, SupervisionLink
from shequ.casework.selectors import caseloads_for
from shequ.casework.services import case_open
from shequ.core.roles import Role

TODAY = timezone.localdate()


@pytest.mark.django_db
def test_an_overdue_task_is_escalated_once_and_shown_to_the_supervisor(
    tree: Tree, resident_factory: Any
) -> None:
    worker = make_user(Role.SOCIAL_WORKER, tree.community, username="sheg")
    sup = make_user(Role.SOCIAL_WORKER, tree.street, username="dudao")
    SupervisionLink.objects.create(
        area=tree.community, area_path=tree.community.path, supervisor=sup, worker=worker
    )
    case = case_open(by=worker, source="walk_in", resident=resident_factory(tree.building), problem="x")
    Case.objects.filter(pk=case.pk).update(stage=Stage.INTERVENTION)
    plan = Plan.objects.create(case=case, submitted_by=worker, approved_by=sup, approved_at=timezone.now())
    late = PlanTask.objects.create(plan=plan, text="申请补贴", due_on=TODAY - timedelta(days=1))
    PlanTask.objects.create(plan=plan, text="今天到期", due_on=TODAY)
    PlanTask.objects.create(plan=plan, text="已完成", due_on=TODAY - timedelta(days=5), done_on=TODAY)
    unapproved = Plan.objects.create(case=case, submitted_by=worker)  # not approved: no work, no escalation
    PlanTask.objects.create(plan=unapproved, text="草稿", due_on=TODAY - timedelta(days=9))
    assert run_overdue() == {"escalated": 1}
    assert run_overdue() == {"escalated": 0}
    late.refresh_from_db()
    assert late.escalated_at is not None
    assert CaseEvent.objects.filter(case=case, action="task_overdue").count() == 1
    assert caseloads_for(sup)[0].escalated_tasks == 1
    assert 'data-testid="escalated-tasks"' in login_client(sup).get("/casework/caseload/").content.decode()


def test_the_job_is_registered_to_run_nightly(tmp_path: Any) -> None:
    from shequ.core import queue

    huey = queue.register_tasks(queue.build(data_dir=tmp_path))
    task = huey.casework_overdue  # type: ignore[attr-defined]
    assert task.s().validate_datetime(datetime(2026, 11, 2, 6, 30))
    assert not task.s().validate_datetime(datetime(2026, 11, 2, 9, 17))
