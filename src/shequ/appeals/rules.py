"""Who an appeal's actor is to it: the reporter, a triager at the answering level, its handler, staff
over the place. Plain predicates over the access layer; the rule table (workflow.py) names them as its
guards and grants, and the pages use them for what to show (the contact)."""

from __future__ import annotations

from typing import Any

from shequ.appeals.models import LEVEL_ORDER, Appeal, Channel, Level
from shequ.core import access
from shequ.core.policy import ADMINS
from shequ.core.roles import Role

# Roles that accept, dispatch, close and escalate (the policy's "triage" rule, as a set of roles).
TRIAGE_ROLES = frozenset(ADMINS | {Role.GRID_WORKER})


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(Level(level))
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def is_reporter(by: Any, appeal: Appeal) -> bool:
    return by is not None and appeal.reporter_id is not None and appeal.reporter_id == by.pk


def at_answering_level(by: Any, appeal: Appeal) -> bool:
    """Holds a triage role at the level answering for the appeal now, or above it."""
    return any(appeal.handling_path.startswith(p) for p in access.paths_for(by, "appeal", "triage"))


def is_triager(by: Any, appeal: Appeal) -> bool:
    """May accept, dispatch, close and escalate: a triage role at the answering level or above."""
    if by is None:
        return True
    return access.can(by, "appeal", "triage", path=appeal.area_path) and at_answering_level(by, appeal)


def handler_or_triager(by: Any, appeal: Appeal) -> bool:
    """Once dispatched to a person, only they (or the answering level) work on it."""
    if appeal.handler_user_id is None or appeal.handler_user_id == by.pk:
        return True
    return is_triager(by, appeal)


def may_handle(by: Any, appeal: Appeal) -> bool:
    if by is None:
        return True
    return access.can(by, "appeal", "handle", path=appeal.area_path) and handler_or_triager(by, appeal)


def may_verify(by: Any, appeal: Appeal) -> bool:
    return by is None or is_reporter(by, appeal) or access.can(by, "appeal", "verify", path=appeal.area_path)


def is_staff_over(by: Any, path: str) -> bool:
    """Community staff, street officials and district administrators of this place."""
    return any(h.role in ADMINS and path.startswith(h.path) for h in access.held_roles(by))


def evaluated_on_behalf(appeal: Appeal) -> bool:
    """Staff record the evaluation on a call-back (回访) for a caller, a visitor or a patrol find."""
    return appeal.reporter_id is None or appeal.channel in (Channel.HOTLINE, Channel.VISIT)


def may_evaluate(by: Any, appeal: Appeal) -> bool:
    """The reporter evaluates; staff record it on a call-back for a caller or visitor (回访)."""
    if is_reporter(by, appeal):
        return True
    return evaluated_on_behalf(appeal) and is_staff_over(by, appeal.area_path)


def may_see_contact(by: Any, appeal: Appeal) -> bool:
    if is_reporter(by, appeal):
        return True
    # A third-party evaluator sees de-identified data only (issue 9; PIPL art. 28): never a contact.
    if access.figures_only(by):
        return False
    if appeal.contact_withheld:
        return is_staff_over(by, appeal.area_path)
    return access.can(by, "appeal", "view", path=appeal.area_path)


def may_configure(by: Any) -> bool:
    """Sets the taxonomy's stage deadlines: a district administrator (of any district; one taxonomy)."""
    return bool(access.paths_for(by, "appeal", "configure"))
