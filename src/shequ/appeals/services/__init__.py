"""Every write of appeals, one module per aggregate: intake (reporting), loop (the closed loop's
steps and escalation by hand), publication (the public board and the seam to deliberation),
deadlines (the scheduled job, the taxonomy's stage deadlines) and notifications; actions maps each
action of the rule table to its service; _base holds what they share.

Each service checks the action in the rule table (appeals/workflow.py: the role, the stage, the rules
beside the role), compares the version the user saw (a stale edit raises Conflict), writes the appeal
and its step, audits and notifies — in one transaction. by=None is the scheduled job (or the demo).
The names below are the package's public face; callers import them from here.
"""

from __future__ import annotations

from shequ.appeals.models import Appeal
from shequ.appeals.rules import (
    TRIAGE_ROLES,
    is_reporter,
    is_staff_over,
    is_triager,
    may_evaluate,
    may_handle,
    may_see_contact,
    may_verify,
    next_level,
)
from shequ.appeals.services._base import (
    CONTACT_CONTEXT,
    DEFAULT_HOURS,
    MAX_DESCRIPTION,
    WARN_FRACTION,
    answering_users,
    deadline_hours,
)
from shequ.appeals.services.actions import ACTS, appeal_act
from shequ.appeals.services.deadlines import (
    appeal_deadline_missed,
    appeal_warn,
    appeals_overdue,
    appeals_to_warn,
    category_set_deadline,
)
from shequ.appeals.services.intake import allowed_channels, appeal_report
from shequ.appeals.services.loop import (
    appeal_accept,
    appeal_close,
    appeal_dispatch,
    appeal_escalate,
    appeal_evaluate,
    appeal_handle,
    appeal_merge,
    appeal_reject,
    appeal_reopen,
    appeal_rework,
    appeal_start,
    appeal_verify,
    handler_kind_of,
)
from shequ.appeals.services.notifications import notification_open, notifications_read
from shequ.appeals.services.publication import (
    appeal_implemented,
    appeal_mark_for_deliberation,
    appeal_note_meeting,
    appeal_publish,
    appeal_unpublish,
    public_texts,
)
from shequ.appeals.workflow import ESCALATABLE, MAX_NOTE, TRANSITIONS

__all__ = [
    "ACTS",
    "CONTACT_CONTEXT",
    "DEFAULT_HOURS",
    "ESCALATABLE",
    "MAX_DESCRIPTION",
    "MAX_NOTE",
    "TRANSITIONS",
    "TRIAGE_ROLES",
    "WARN_FRACTION",
    "Appeal",
    "allowed_channels",
    "answering_users",
    "appeal_accept",
    "appeal_act",
    "appeal_close",
    "appeal_deadline_missed",
    "appeal_dispatch",
    "appeal_escalate",
    "appeal_evaluate",
    "appeal_handle",
    "appeal_implemented",
    "appeal_mark_for_deliberation",
    "appeal_merge",
    "appeal_note_meeting",
    "appeal_publish",
    "appeal_reject",
    "appeal_reopen",
    "appeal_report",
    "appeal_rework",
    "appeal_start",
    "appeal_unpublish",
    "appeal_verify",
    "appeal_warn",
    "appeals_overdue",
    "appeals_to_warn",
    "category_set_deadline",
    "deadline_hours",
    "handler_kind_of",
    "is_reporter",
    "is_staff_over",
    "is_triager",
    "may_evaluate",
    "may_handle",
    "may_see_contact",
    "may_verify",
    "next_level",
    "notification_open",
    "notifications_read",
    "public_texts",
]
