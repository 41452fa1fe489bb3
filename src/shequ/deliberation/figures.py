"""Deliberation's figures (core.figures, defined in docs/metrics.md): the meetings held, the topics
they decided, the valid decisions taken, and the decisions due in the period that were implemented by
their deadline — with the lists of meetings, topics and decisions behind them. (Residents' co-evaluation
of a decision is the deliberation app's own and joins here when it lands.)"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.figures import (
    Ctx,
    FigureGroup,
    FigureSpec,
    RowList,
    Side,
    dated,
    figure,
    figure_group,
    row_list,
    timed,
)
from shequ.deliberation.models import Decision, DecisionStatus, Meeting, MeetingStatus, Topic

figure_group(FigureGroup("deliberation", _("Deliberation"), order=600))


def _meetings(ctx: Ctx) -> QuerySet[Meeting]:
    return ctx.records(Meeting, "area__path")


# Meetings under the area that took place (closed, not cancelled) and started in the period.
meetings_held = timed(
    lambda ctx: _meetings(ctx).filter(status=MeetingStatus.CLOSED), "area__path", "starts_at"
)


def _held_then(ctx: Ctx) -> Exists:
    """The row's meeting was held in the period."""
    return Exists(meetings_held(ctx).filter(pk=OuterRef("meeting_id")))


def _under(model: Any) -> Any:
    """The rows (topics, decisions) of the meetings under the area."""
    return lambda ctx: model.objects.filter(Exists(_meetings(ctx).filter(pk=OuterRef("meeting_id"))))


# Topics of the meetings held in the period with at least one valid decision.
topics_decided = Side(
    _under(Topic),
    lambda ctx: Q(_held_then(ctx)) & Q(Exists(Decision.objects.filter(topic=OuterRef("pk"), valid=True))),
    "meeting__area__path",
)
# Valid decisions of the meetings held in the period (one taken without quorum is not a decision of the
# meeting, and is left out).
decisions_taken = Side(
    lambda ctx: _under(Decision)(ctx).filter(valid=True),
    lambda ctx: Q(_held_then(ctx)),
    "meeting__area__path",
)
# Valid decisions of meetings under the area whose deadline falls in the period.
decisions_due = dated(lambda ctx: _under(Decision)(ctx).filter(valid=True), "meeting__area__path", "deadline")
# Of those, the ones implemented on or before their deadline's day (Asia/Shanghai).
on_time = dated(
    lambda ctx: (
        _under(Decision)(ctx)
        .filter(valid=True, status=DecisionStatus.DONE, done_at__isnull=False)
        .annotate(done_on=TruncDate("done_at", tzinfo=ctx.tz))
        .filter(done_on__lte=F("deadline"))
    ),
    "meeting__area__path",
    "deadline",
)


figure(
    FigureSpec(
        "meetings_held",
        "deliberation",
        _("Meetings held"),
        "",
        _("Meetings held (closed) that started in the period"),
        meetings_held,
        "meeting",
        order=10,
    )
)
figure(
    FigureSpec(
        "topics_decided",
        "deliberation",
        _("Topics decided"),
        "",
        _("Topics of those meetings with a valid decision"),
        topics_decided,
        "topic",
        order=20,
    )
)
figure(
    FigureSpec(
        "decisions_taken",
        "deliberation",
        _("Decisions taken"),
        "",
        _("Valid decisions of the meetings held in the period"),
        decisions_taken,
        "decision",
        order=30,
    )
)
figure(
    FigureSpec(
        "decisions_on_time",
        "deliberation",
        _("Decisions implemented on time"),
        "%",
        _("Implemented by their deadline"),
        on_time,
        "decision",
        _("Valid decisions due in the period"),
        decisions_due,
        order=40,
    )
)


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


row_list(
    RowList(
        "meeting",
        "meeting",
        "area__path",
        (_("Starts at"), _("Title"), _("Kind"), _("Area")),
        lambda ctx, row: (
            [_local(row.starts_at), row.title, row.get_kind_display(), row.area.name],
            f"/meetings/{row.pk}/",
        ),
        prepare=lambda ctx, qs: qs.select_related("area").order_by("-starts_at", "-id"),
    )
)
row_list(
    RowList(
        "topic",
        "meeting",
        "meeting__area__path",
        (_("Meeting"), _("Topic"), _("Area")),
        lambda ctx, row: (
            [row.meeting.title, row.title, row.meeting.area.name],
            f"/meetings/{row.meeting_id}/",
        ),
        prepare=lambda ctx, qs: qs.select_related("meeting__area").order_by(
            "-meeting__starts_at", "position", "id"
        ),
    )
)
row_list(
    RowList(
        "decision",
        "meeting",
        "meeting__area__path",
        (_("Meeting"), _("Decision"), _("Deadline"), _("Status")),
        lambda ctx, row: (
            [row.meeting.title, row.text[:60], f"{row.deadline or '—'}", row.get_status_display()],
            f"/meetings/{row.meeting_id}/",
        ),
        prepare=lambda ctx, qs: qs.select_related("meeting").order_by("-meeting__starts_at", "id"),
    )
)
