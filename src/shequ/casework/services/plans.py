"""计划: the case worker submits goals and dated tasks; the supervisor approves before work starts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import Case, Goal, Plan, PlanTask
from shequ.casework.services._base import locked, step
from shequ.casework.workflow import CASE
from shequ.core.errors import DomainError

MAX_ITEMS = 20
MAX_LINE = 300


def _lines(raw: str, field: str) -> list[str]:
    lines = [line.strip() for line in str(raw or "").splitlines() if line.strip()]
    if not lines:
        raise DomainError(_("This field is required."), code="required", fields={field: "required"})
    if len(lines) > MAX_ITEMS or any(len(line) > MAX_LINE for line in lines):
        raise DomainError(
            _("At most %(n)d lines of %(m)d characters.") % {"n": MAX_ITEMS, "m": MAX_LINE},
            code="too_long",
            fields={field: "long"},
        )
    return lines


def parse_tasks(raw: str) -> list[tuple[date, str]]:
    """Each line "YYYY-MM-DD what to do"; a line without a date, or dated in the past, is refused."""
    today = timezone.localdate()
    tasks = []
    for n, line in enumerate(_lines(raw, "tasks"), start=1):
        first, _sep, rest = line.partition(" ")
        try:
            due = date.fromisoformat(first)
        except ValueError:
            raise DomainError(
                _("Line %(n)d: start with the due date (YYYY-MM-DD), then the task.") % {"n": n},
                code="task_due_date",
                fields={"tasks": "date"},
            ) from None
        if due < today or not rest.strip():
            raise DomainError(
                _("Line %(n)d: a task needs what to do and a due date from today on.") % {"n": n},
                code="task_due_date",
                fields={"tasks": "date"},
            )
        tasks.append((due, rest.strip()))
    return tasks


def plan_submit(*, by: Any, case: Case, version: int | None, goals: str, tasks: str) -> Plan:
    """A new plan replaces one not yet approved; the supervisor sees the latest."""
    goal_lines = _lines(goals, "goals")
    task_rows = parse_tasks(tasks)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "submit_plan")
        current.plans.filter(approved_at__isnull=True).delete()
        plan = Plan.objects.create(case=current, submitted_by=by or current.owner)
        Goal.objects.bulk_create([Goal(plan=plan, text=g) for g in goal_lines])
        PlanTask.objects.bulk_create([PlanTask(plan=plan, text=t, due_on=d) for d, t in task_rows])
        step(
            by,
            current,
            "submit_plan",
            changes={"plan": plan.pk, "goals": len(goal_lines), "tasks": len(task_rows)},
        )
        return plan


def plan_approve(*, by: Any, case: Case, version: int | None) -> Case:
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "approve_plan")
        plan = current.plans.filter(approved_at__isnull=True).order_by("-submitted_at", "-id").first()
        assert plan is not None  # the rule table's guard saw it
        plan.approved_by, plan.approved_at = by, timezone.now()
        plan.save(update_fields=["approved_by", "approved_at"])
        return step(by, current, "approve_plan", changes={"plan": plan.pk})


def task_done(*, by: Any, case: Case, version: int | None, task: PlanTask) -> Case:
    """A task of the approved plan done today: it no longer counts as overdue."""
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "task_done")
        PlanTask.objects.filter(pk=task.pk, done_on__isnull=True).update(done_on=timezone.localdate())
        return step(by, current, "task_done", changes={"task": task.pk})
