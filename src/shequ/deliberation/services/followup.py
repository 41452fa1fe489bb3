"""The follow-up of a decision (落实): milestones with an owner, a due date, progress and photos. When
the last milestone of a decision is done, the decision is implemented (and its appeal moves on)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, DomainError
from shequ.core.photos import clean_photos
from shequ.deliberation.models import Decision, DecisionStatus, Milestone, MilestonePhoto
from shequ.deliberation.services.common import audit, now_or
from shequ.deliberation.services.common import text as clean_text
from shequ.deliberation.services.decisions import a_date, decision_done
from shequ.deliberation.workflow import DECISION, MILESTONE

MAX_MILESTONES = 30


def milestone_add(
    *,
    by: Any,
    decision: Decision,
    title: str,
    owner: str,
    due: Any,
    version: int | None = None,
    now: datetime | None = None,
) -> Milestone:
    """A step of the decision's follow-up, for one owner, due on a day."""
    title = clean_text(title, field="title", limit=200, required=True)
    owner = clean_text(owner, field="owner", limit=100, required=True)
    day = a_date(due, field="due")
    if day is None:
        raise DomainError(_("This field is required."), code="required", fields={"due": "required"})
    with transaction.atomic():
        current = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("meeting__area")
            .get(pk=decision.pk)
        )
        if version is not None and current.version != version:
            raise Conflict()
        DECISION.check(by, current, "add_milestone")
        if current.milestones.count() >= MAX_MILESTONES:
            raise DomainError(
                _("A decision has at most %(n)d milestones.") % {"n": MAX_MILESTONES},
                code="too_many_milestones",
            )
        milestone = Milestone.objects.create(
            decision=current, title=title, owner=owner, due=day, created_by=by
        )
        audit(
            by,
            milestone,
            path=current.meeting.area.path,
            action="create",
            changes={"decision": current.pk, "title": title, "owner": owner, "due": str(day)},
        )
        return milestone


def _save_photos(milestone: Milestone, uploads: Iterable[Any], by: Any) -> int:
    cleaned = clean_photos(list(uploads))
    for p in cleaned:
        photo = MilestonePhoto(
            milestone=milestone, width=p.width, height=p.height, size=p.size, uploaded_by=by
        )
        photo.image.save(p.content.name or "photo.jpg", p.content, save=False)
        photo.save()
    return len(cleaned)


def milestone_progress(
    *,
    by: Any,
    milestone: Milestone,
    progress: int,
    note: str = "",
    photos: Iterable[Any] = (),
    version: int | None = None,
    now: datetime | None = None,
) -> Milestone:
    """Report how far a milestone has come (with photos as proof). 100 % is done: when every milestone
    of the decision is done, the decision is implemented and the appeal it was taken on moves on."""
    now = now_or(now)
    note = clean_text(note, field="note", limit=2000)
    with transaction.atomic():
        current = (
            Milestone.objects.select_for_update(of=("self",))
            .select_related("decision__meeting__area")
            .get(pk=milestone.pk)
        )
        if version is not None and current.version != version:
            raise Conflict()
        MILESTONE.check(by, current, "progress")
        was = current.progress
        current.progress = progress
        current.note = note or current.note
        if progress >= 100:
            current.done_at = now
        current.version += 1
        current.save()
        added = _save_photos(current, photos, by)
        audit(
            by,
            current,
            path=current.decision.meeting.area.path,
            action="progress",
            changes={"progress": [was, progress], "photos": added},
        )
        decision = current.decision
        if (
            current.done_at is not None
            and decision.status == DecisionStatus.ADOPTED
            and not decision.milestones.filter(done_at__isnull=True).exists()
        ):
            decision_done(by=by, decision=decision, now=now)
        return current
