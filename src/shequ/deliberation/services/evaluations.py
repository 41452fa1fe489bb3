"""What residents say of a decision: co-evaluation (共评), a rating of how it was implemented, and
objections to it while it is posted (公示), once each, by residents of the meeting's area."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, Forbidden, NotFound
from shequ.deliberation.models import Attendance, Decision, Evaluation, Objection
from shequ.deliberation.services.common import audit, now_or
from shequ.deliberation.services.common import text as clean_text
from shequ.deliberation.workflow import DECISION


def decision_evaluate(
    *,
    by: Any,
    decision: Decision,
    score: int,
    comment: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> Evaluation:
    """A resident's own rating (1–5) of an implemented decision of a meeting of their area."""
    now = now_or(now)
    comment = clean_text(comment, field="comment", limit=500)
    with transaction.atomic():
        current = Decision.objects.select_related("meeting__area").get(pk=decision.pk)
        DECISION.check(by, current, "evaluate")
        resident = getattr(by, "resident_record", None)
        if resident is None:
            raise Forbidden(
                _("Your account is not linked to a resident's record."), code="no_resident_record"
            )
        if not resident.area.path.startswith(current.meeting.area.path):
            raise NotFound()
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    decision=current,
                    rater=f"resident:{resident.pk}",
                    resident=resident,
                    score=score,
                    comment=comment,
                    at=now,
                )
        except IntegrityError:
            raise Conflict(_("You have rated this decision."), code="already_evaluated") from None
        # Who rated is kept; the score goes into the figures, not the audit trail's text.
        audit(
            by,
            evaluation,
            path=current.meeting.area.path,
            action="evaluate",
            changes={"decision": current.pk},
        )
        return evaluation


def decision_object(
    *, by: Any, decision: Decision, text: str, version: int | None = None, now: datetime | None = None
) -> Objection:
    """A resident's objection to a posted decision, within its window; its public text anonymised like
    the posting (names of those present, phones, ID and room numbers taken out)."""
    from shequ.appeals.text import anonymise

    now = now_or(now)
    body = clean_text(text, field="text", limit=1000, required=True)
    with transaction.atomic():
        current = Decision.objects.select_related("meeting__area").get(pk=decision.pk)
        DECISION.check(by, current, "object")
        resident = getattr(by, "resident_record", None)
        if resident is None:
            raise Forbidden(
                _("Your account is not linked to a resident's record."), code="no_resident_record"
            )
        if not resident.area.path.startswith(current.meeting.area.path):
            raise NotFound()
        names = [
            resident.name,
            current.meeting.chair,
            current.meeting.recorder,
            *Attendance.objects.filter(meeting=current.meeting).values_list("resident__name", flat=True),
        ]
        try:
            with transaction.atomic():
                objection = Objection.objects.create(
                    decision=current,
                    resident=resident,
                    text=body,
                    public_text=anonymise(body, names=names),
                    at=now,
                )
        except IntegrityError:
            raise Conflict(_("You have objected to this decision."), code="already_objected") from None
        audit(
            by, objection, path=current.meeting.area.path, action="object", changes={"decision": current.pk}
        )
        return objection
