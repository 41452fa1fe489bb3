"""The objects a casework input names, resolved within the acting user's scope: "not yours" answers
exactly as "not found". The same resolvers serve the pages and the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import User
from shequ.core.workflow import int_value


def resident(user: Any, obj: Any, raw: Any) -> Any:
    return access.get_for(user, "resident", "view", pk=int_value(raw, field="resident"))


def household(user: Any, obj: Any, raw: Any) -> Any:
    return access.get_for(user, "household", "view", pk=int_value(raw, field="household"))


def appeal(user: Any, obj: Any, raw: Any) -> Any:
    return access.get_for(user, "appeal", "view", pk=int_value(raw, field="appeal"))


def visit(user: Any, obj: Any, raw: Any) -> Any:
    return access.get_for(user, "visit", "view", pk=int_value(raw, field="visit"))


def need(user: Any, obj: Any, raw: Any) -> Any:
    return access.get_for(user, "need", "view", pk=int_value(raw, field="need"))


def area(user: Any, obj: Any, raw: Any) -> Any:
    from shequ.core import selectors

    return selectors.area_for(user, int_value(raw, field="area"))


def user_by_name(user: Any, obj: Any, raw: Any) -> User:
    """A user named by a user name; whether they may take part is the service's check."""
    found = User.objects.filter(username=str(raw).strip()[:150], is_active=True).first()
    if found is None:  # user names are not area-scoped: an unknown one is bad input, not a 404
        raise DomainError(_("No user of that name."), code="unknown_user", fields={"user": "unknown"})
    return found


def referral_of_case(user: Any, case: Any, raw: Any) -> Any:
    """A referral of this case still in force."""
    found = case.referrals.filter(pk=int_value(raw, field="referral"), revoked_at__isnull=True).first()
    if found is None:
        raise NotFound()
    return found


def open_task_of_case(user: Any, case: Any, raw: Any) -> Any:
    """A task not yet done of the case's approved plan."""
    from shequ.casework.models import PlanTask

    found = PlanTask.objects.filter(
        pk=int_value(raw, field="task"),
        plan__case=case,
        plan__approved_at__isnull=False,
        done_on__isnull=True,
    ).first()
    if found is None:
        raise NotFound()
    return found


def tie_of_case(user: Any, case: Any, raw: Any) -> Any:
    found = case.ties.filter(pk=int_value(raw, field="tie")).first()
    if found is None:
        raise NotFound()
    return found


def case(user: Any, obj: Any, raw: Any) -> Any:
    return access.get_for(user, "case", "view", pk=int_value(raw, field="case"))


def member_of_group(user: Any, group: Any, raw: Any) -> Any:
    """A member of this group who has not left."""
    found = group.members.filter(pk=int_value(raw, field="member"), left_at__isnull=True).first()
    if found is None:
        raise NotFound()
    return found
