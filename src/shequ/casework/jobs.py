"""The nightly casework job: a plan task past its due date and not done is escalated once to the case
worker's supervisor — flagged on the task (the caseload view lists it), written in the case's history
and audited. Idempotent: a second run the same night escalates nothing twice."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from shequ.casework.models import OPEN_STAGES, CaseEvent, PlanTask
from shequ.core.audit import audit_log
from shequ.core.models import AuditAction

BATCH = 500


def overdue_tasks(today: date) -> list[PlanTask]:
    return list(
        PlanTask.objects.filter(
            plan__approved_at__isnull=False,
            plan__case__stage__in=OPEN_STAGES,
            done_on__isnull=True,
            escalated_at__isnull=True,
            due_on__lt=today,
        )
        .select_related("plan__case")
        .order_by("id")[:BATCH]
    )


def run_overdue(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    escalated = 0
    while batch := overdue_tasks(today):
        now = timezone.now()
        with transaction.atomic():
            PlanTask.objects.filter(pk__in=[t.pk for t in batch]).update(escalated_at=now)
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case=t.plan.case, action="task_overdue", reason=f"{t.due_on:%Y-%m-%d} {t.text}"[:500]
                )
                for t in batch
            )
            for t in batch:
                audit_log(
                    action=AuditAction.UPDATE,
                    obj=t.plan.case,
                    area_path=t.plan.case.area_path,
                    changes={"task_overdue": t.pk, "due_on": t.due_on},
                    actor_name="scheduler",
                )
        escalated += len(batch)
    return {"escalated": escalated}
