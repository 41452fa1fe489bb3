"""Topics on a meeting's agenda (议题): from a resident's appeal (the seam: the appeal's timeline shows
the meeting), from a need, or typed by staff — each with who takes part (一事一议一主体)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.deliberation.models import Base, Meeting, Topic, TopicSource
from shequ.deliberation.services.common import audit, locked_meeting, text
from shequ.deliberation.workflow import MEETING


def topic_add(
    *,
    by: Any,
    meeting: Meeting,
    version: int | None = None,
    title: str,
    description: str = "",
    appeal: Any = None,
    need: Any = None,
    participants_base: str = "",
    source: str = "",
) -> Topic:
    """Put a topic on the agenda. An appeal must be of the meeting's area and is on its agenda once."""
    title = text(title, field="title", limit=200, required=True)
    description = text(description, field="description", limit=4000)
    participants_base = participants_base or Base.HOUSEHOLDS
    if participants_base not in Base.values:
        raise DomainError(
            _("Choose one of the options."), code="invalid_choice", fields={"participants_base": "choice"}
        )
    with transaction.atomic():
        current = locked_meeting(meeting, version)
        MEETING.check(by, current, "add_topic")
        if appeal is not None and not appeal.area_path.startswith(current.area.path):
            # Another place's appeal is not this meeting's matter; its existence does not leak either.
            raise NotFound(fields={"appeal": "not_found"})
        if need is not None and not need.area_path.startswith(current.area.path):
            raise NotFound(fields={"need": "not_found"})
        if appeal is not None and current.topics.filter(appeal=appeal).exists():
            raise Conflict(
                _("This appeal is already on the agenda."), code="appeal_on_agenda", fields={"appeal": "x"}
            )
        source = source or (
            TopicSource.APPEAL
            if appeal is not None
            else TopicSource.NEED
            if need is not None
            else TopicSource.STAFF
        )
        last = current.topics.aggregate(n=Max("position"))["n"] or 0
        topic = Topic.objects.create(
            meeting=current,
            position=last + 1,
            title=title,
            description=description,
            source=source,
            appeal=appeal,
            need=need,
            participants_base=participants_base,
            created_by=by,
        )
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        audit(
            by,
            topic,
            path=current.area.path,
            action="add_topic",
            changes={"meeting": current.pk, "source": source},
        )
        if appeal is not None:
            from shequ.appeals.services import appeal_note_meeting

            appeal_note_meeting(
                appeal=appeal, by=by, note=str(_("On the agenda of %(meeting)s") % {"meeting": current.title})
            )
        return topic
