"""Decisions: what a meeting decided, with the counts it rests on. Taken without quorum, or on a
vote that did not pass, it is recorded as not valid with the reason — never silently as valid. An
appeal that became the topic sees the decision on its timeline, and again when it is implemented."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Conflict, DomainError
from shequ.deliberation import selectors
from shequ.deliberation.models import Decision, DecisionMethod, DecisionStatus, Meeting, VoteStatus
from shequ.deliberation.services.common import audit, locked_meeting, now_or
from shequ.deliberation.services.common import text as clean_text
from shequ.deliberation.workflow import DECISION, MEETING


def a_date(raw: Any, *, field: str = "deadline") -> date | None:
    """A date typed as YYYY-MM-DD (or given as a date), refused on the field it came in."""
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise DomainError(
            _("Give the deadline as a date, e.g. 2027-03-31."),
            code="deadline_format",
            fields={field: "x"},
        ) from None


def _note_appeal(decision: Decision, by: Any, note: str) -> None:
    topic = decision.topic
    if topic is not None and topic.appeal is not None:
        from shequ.appeals.services import appeal_note_meeting

        appeal_note_meeting(appeal=topic.appeal, by=by, note=note, decided=True)


def decision_record(
    *,
    by: Any,
    meeting: Meeting,
    version: int | None = None,
    text: str,
    responsible: str,
    deadline: Any = None,
    vote: Any = None,
    topic: Any = None,
) -> Decision:
    """Record a decision of the meeting. Its validity is computed, not typed: the quorum now (on the
    meeting's base) and, when it rests on a vote, whether the vote passed by its rule."""
    body = clean_text(text, field="text", limit=4000, required=True)
    responsible = clean_text(responsible, field="responsible", limit=100, required=True)
    when = a_date(deadline)
    with transaction.atomic():
        current = locked_meeting(meeting, version)
        MEETING.check(by, current, "decide")
        reasons = []
        quorum = selectors.meeting_quorum(current)
        if not quorum.met:
            reasons.append(
                str(
                    _("No quorum: %(present)s of %(eligible)s present, %(needed)s needed.")
                    % {"present": quorum.present, "eligible": quorum.eligible, "needed": quorum.needed}
                )
            )
        counts = (0, 0, 0)
        method = DecisionMethod.CONSENSUS
        if vote is not None:
            if vote.status != VoteStatus.CLOSED:
                raise Conflict(
                    _("Close the vote before recording its decision."), code="vote_open", fields={"vote": "x"}
                )
            outcome = selectors.vote_outcome(vote)
            counts = (outcome.votes_for, outcome.votes_against, outcome.votes_abstain)
            method = DecisionMethod(vote.method)
            if not outcome.passed:
                reasons.append(str(_("The vote did not pass by its rule.")))
            topic = topic or vote.topic
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    meeting=current,
                    topic=topic,
                    vote=vote,
                    method=method,
                    votes_for=counts[0],
                    votes_against=counts[1],
                    votes_abstain=counts[2],
                    text=body,
                    responsible=responsible,
                    deadline=when,
                    valid=not reasons,
                    invalid_reason=" ".join(reasons)[:300],
                    created_by=by,
                )
        except IntegrityError:
            raise Conflict(
                _("A decision on this vote is already recorded."), code="vote_decided", fields={"vote": "x"}
            ) from None
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        audit(by, decision, path=current.area.path, action="decide", changes={"valid": decision.valid})
        _note_appeal(decision, by, f"{current.title}: {body}"[:1000])
        return decision


def decision_done(
    *, by: Any, decision: Decision, version: int | None = None, now: datetime | None = None
) -> Decision:
    now = now_or(now)
    with transaction.atomic():
        current = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("meeting__area", "topic")
            .get(pk=decision.pk)
        )
        if version is not None and current.version != version:
            raise Conflict()
        DECISION.check(by, current, "done")
        current.status = DecisionStatus.DONE
        current.done_at = now
        current.version += 1
        current.save()
        audit(by, current, path=current.meeting.area.path, action="done")
        _appeal_moves_on(current, by, now)
        return current


def _appeal_moves_on(decision: Decision, by: Any, now: datetime) -> None:
    """The appeal the decision was taken on moves to its next stage (handled), through appeals'
    services: its timeline and its stage show the decision implemented."""
    topic = decision.topic
    if topic is not None and topic.appeal is not None:
        from shequ.appeals.services import appeal_implemented

        day = timezone.localdate(now)
        note = _("Implemented on %(day)s: %(text)s") % {"day": day, "text": decision.text}
        appeal_implemented(appeal=topic.appeal, by=by, result=str(note), now=now)


# How long a decision stays posted and how long residents may object, unless the poster says.
POSTING_DAYS = 7
MAX_POSTING_DAYS = 90


def decision_post(
    *,
    by: Any,
    decision: Decision,
    version: int | None = None,
    summary: str = "",
    days: int | None = None,
    objection_days: int | None = None,
    now: datetime | None = None,
) -> Decision:
    """Post a valid decision on the community's public page (公示), anonymised like the appeals board:
    whatever staff write, the attendees' names, phones, ID and room numbers are taken out."""
    from shequ.appeals.text import anonymise
    from shequ.deliberation.models import Attendance

    now = now_or(now)
    summary = clean_text(summary, field="summary", limit=4000)
    days = days or POSTING_DAYS
    objection_days = days if objection_days is None else objection_days
    if not (0 < days <= MAX_POSTING_DAYS and 0 <= objection_days <= days):
        raise DomainError(
            _("The objection window lies within the posting period (at most 90 days)."),
            code="posting_period",
            fields={"objection_days": "range"},
        )
    with transaction.atomic():
        current = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("meeting__area")
            .get(pk=decision.pk)
        )
        if version is not None and current.version != version:
            raise Conflict()
        DECISION.check(by, current, "post")
        attendees = Attendance.objects.filter(meeting=current.meeting).values_list(
            "resident__name", flat=True
        )
        names = [*attendees, current.meeting.chair, current.meeting.recorder]
        today = timezone.localdate(now)
        current.public_text = anonymise(summary or current.text, names=names)
        current.posted_at = now
        current.posted_until = today + timedelta(days=days)
        current.objection_until = today + timedelta(days=objection_days)
        current.version += 1
        current.save()
        audit(
            by,
            current,
            path=current.meeting.area.path,
            action="post",
            changes={"until": current.posted_until},
        )
        return current


def decision_notice_photo(
    *, by: Any, decision: Decision, photos: Any = (), version: int | None = None
) -> Decision:
    """The photo of the paper notice on the board, as proof of the posting (公示)."""
    from shequ.core.photos import clean_photos
    from shequ.deliberation.models import PostingPhoto

    cleaned = clean_photos(list(photos))
    if not cleaned:
        raise DomainError(_("This field is required."), code="required", fields={"photos": "required"})
    with transaction.atomic():
        current = Decision.objects.select_related("meeting__area").get(pk=decision.pk)
        DECISION.check(by, current, "notice_photo")
        for p in cleaned:
            photo = PostingPhoto(
                decision=current, width=p.width, height=p.height, size=p.size, uploaded_by=by
            )
            photo.image.save(p.content.name or "notice.jpg", p.content, save=False)
            photo.save()
        audit(
            by,
            current,
            path=current.meeting.area.path,
            action="notice_photo",
            changes={"photos": len(cleaned)},
        )
        return current
