"""Every casework write, one module per aggregate; ACTIONS maps each action of the case's rule table
(workflow.CASE) to its service, so the page and the API call the same function for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequ.casework.services.cases import case_accept, case_assess, case_evaluate, case_open, case_reopen
from shequ.casework.services.closure import closure_approve, closure_request
from shequ.casework.services.contacts import contact_record
from shequ.casework.services.groups import GROUP_ACTIONS, group_open
from shequ.casework.services.notes import note_write, notes_read
from shequ.casework.services.plans import plan_approve, plan_submit, task_done
from shequ.casework.services.supervision import (
    session_record,
    session_sign,
    supervision_link,
    supervision_unlink,
)
from shequ.casework.services.ties import tie_record, tie_remove
from shequ.casework.services.transfers import (
    consent_record,
    referral_make,
    referral_received,
    referral_revoke,
    transfer_accept,
    transfer_refuse,
    transfer_request,
)

ACTIONS: dict[str, Callable[..., Any]] = {
    "accept": case_accept,
    "assess": case_assess,
    "submit_plan": plan_submit,
    "approve_plan": plan_approve,
    "contact": contact_record,
    "task_done": task_done,
    "evaluate": case_evaluate,
    "request_closure": closure_request,
    "approve_closure": closure_approve,
    "reopen": case_reopen,
    "record_consent": consent_record,
    "transfer": transfer_request,
    "accept_transfer": transfer_accept,
    "refuse_transfer": transfer_refuse,
    "refer": referral_make,
    "revoke_referral": referral_revoke,
    "tie": tie_record,
    "remove_tie": tie_remove,
    "note": note_write,
}

__all__ = [
    "ACTIONS",
    "GROUP_ACTIONS",
    "case_open",
    "group_open",
    "notes_read",
    "referral_received",
    "session_record",
    "session_sign",
    "supervision_link",
    "supervision_unlink",
]
