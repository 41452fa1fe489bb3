"""Who an appeal's actor is to it: the reporter, a triager at the answering level, its handler, staff
over the place. Plain predicates over the access layer; the rule table (workflow.py) names them as its
guards and grants, and the pages use them for what to show (the contact)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

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


def is_dispatched_to(by: Any, appeal: Appeal) -> bool:
    """The person the appeal was dispatched to, whatever their role (a volunteer among them)."""
    return by is not None and appeal.handler_user_id is not None and appeal.handler_user_id == by.pk


def is_of_handling_team(by: Any, appeal: Appeal) -> bool:
    """A member or the leader of the volunteer team the appeal was dispatched to."""
    if by is None or appeal.handler_team_id is None or appeal.handler_user_id is not None:
        return False
    from shequ.volunteering.models import Team

    mine = Q(members__user_id=by.pk) | Q(leader__user_id=by.pk)
    return Team.objects.filter(mine, pk=appeal.handler_team_id).exists()


def works_on_it(by: Any, appeal: Appeal) -> bool:
    """Handles it by dispatch: the person named, or one of the team named."""
    return is_dispatched_to(by, appeal) or is_of_handling_team(by, appeal)


def did_the_work(by: Any, appeal: Appeal) -> bool:
    """The person it is with, or who reported the result since it was last sent back: the one whose
    work a verification checks, who therefore cannot verify it."""
    if by is None:
        return False
    if is_dispatched_to(by, appeal):
        return True
    last = appeal.steps.filter(action="handle").order_by("-at", "-id").values_list("actor_id", flat=True)[:1]
    return by.pk in list(last)


def may_be_dispatched(user: Any, appeal: Appeal) -> bool:
    """Works where the appeal is: a handling role over its place, or a volunteer of the community (or
    another area) that contains it."""
    if access.can(user, "appeal", "handle", path=appeal.area_path):
        return True
    return any(
        h.role == Role.VOLUNTEER and appeal.area_path.startswith(h.path) for h in access.held_roles(user)
    )


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


def may_see_as_handler(by: Any, appeal: Appeal) -> bool:
    """A handler without a viewing role (a volunteer) sees the appeal while it is theirs to work on."""
    return appeal.stage in ("dispatched", "in_progress", "handled") and works_on_it(by, appeal)


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
