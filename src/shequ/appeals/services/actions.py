"""One way from a request to a service: an action of the rule table, with the input `APPEAL.parse`
gave for it, to the service that performs it (the page and the API both call `appeal_act`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequ.appeals.models import Appeal
from shequ.appeals.services import loop, publication

ACTS: dict[str, Callable[..., Appeal]] = {
    "accept": loop.appeal_accept,
    "reject": loop.appeal_reject,
    "merge": lambda *, into_id, **kw: loop.appeal_merge(into=into_id, **kw),
    "dispatch": lambda *, user_id, organisation_id, team_id=None, **kw: loop.appeal_dispatch(
        to_user=user_id, to_organisation=organisation_id, to_team=team_id, **kw
    ),
    "start": loop.appeal_start,
    "handle": loop.appeal_handle,
    "rework": loop.appeal_rework,
    "verify": loop.appeal_verify,
    "close": loop.appeal_close,
    "reopen": loop.appeal_reopen,
    "evaluate": loop.appeal_evaluate,
    "escalate": loop.appeal_escalate,
    "publish": publication.appeal_publish,
    "unpublish": publication.appeal_unpublish,
    "mark_for_meeting": lambda **kw: publication.appeal_mark_for_deliberation(on=True, **kw),
    "unmark_for_meeting": lambda **kw: publication.appeal_mark_for_deliberation(on=False, **kw),
}


def appeal_act(*, action: str, appeal: Appeal, by: Any, version: int, **values: Any) -> Appeal:
    """Perform `action` (a name of the rule table) with its parsed input."""
    return ACTS[action](appeal=appeal, by=by, version=version, **values)
