"""The nightly follow-up job: a milestone past its due date and not done is escalated once — flagged
on the milestone (the meeting's page shows it), written in the timeline of the appeal the decision was
taken on, and audited. Idempotent: a second run the same night escalates nothing twice."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.audit import audit_log
from shequ.core.models import AuditAction
from shequ.deliberation.models import Milestone
from shequ.deliberation.selectors import milestones_overdue


def run_overdue(*, today: date | None = None) -> dict[str, int]:
    from shequ.appeals.services import appeal_note_meeting

    today = today or timezone.localdate()
    escalated = 0
    while batch := milestones_overdue(today):
        now = timezone.now()
        with transaction.atomic():
            Milestone.objects.filter(pk__in=[m.pk for m in batch]).update(escalated_at=now)
            for m in batch:
                audit_log(
                    action=AuditAction.UPDATE,
                    obj=m,
                    area_path=m.decision.meeting.area.path,
                    changes={"milestone_overdue": m.pk, "due": m.due, "progress": m.progress},
                    actor_name="scheduler",
                )
                topic = m.decision.topic
                if topic is not None and topic.appeal is not None:
                    note = f"{m.due:%Y-%m-%d} {m.title} ({m.owner}, {m.progress}%)"
                    note = _("Follow-up overdue: %(milestone)s") % {"milestone": note}
                    appeal_note_meeting(appeal=topic.appeal, by=None, note=note, decided=True)
        escalated += len(batch)
    return {"escalated": escalated}
