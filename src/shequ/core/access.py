"""The access layer: every read and write asks here which objects the acting user may touch.

Scopes are unions of area subtrees (one index range each), so a worker of community A never
reaches anything of community B, whether by page, API, export, search or id.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.db.models import Max, Model, Q, QuerySet
from django.utils import timezone

from shequ.core.errors import Forbidden, NotFound
from shequ.core.models import Area, RoleAssignment, subtree_q
from shequ.core.policy import RESOURCES, Rule, rule_for
from shequ.core.roles import Role


@dataclass(frozen=True)
class Held:
    role: Role
    path: str
    area_id: int


def held_roles(user: Any) -> list[Held]:
    """The user's role assignments, read once per request (changes apply on the next request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_shequ_held", None)
    if cached is None:
        # An assignment past its end date (an evaluator's engagement, issue 9) holds nothing from the
        # day after: read per request, so it stops at the next request after midnight.
        cached = [
            Held(Role(role), path, area_id)
            for role, path, area_id in RoleAssignment.objects.filter(user_id=user.pk)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))
            .order_by("area__path")
            .values_list("role", "area__path", "area_id")
        ]
        user._shequ_held = cached
    return cached


def engagement_ended(user: Any) -> date | None:
    """The day a user's last role ended, when every role they held has ended (a third-party
    evaluator after their engagement): from then on their sessions and tokens get no data."""
    if user is None or not getattr(user, "is_authenticated", False) or held_roles(user):
        return None
    ended = RoleAssignment.objects.filter(user_id=user.pk, ends_on__lt=timezone.localdate())
    return ended.aggregate(last=Max("ends_on"))["last"]


def figures_only(user: Any) -> bool:
    """A third-party evaluator (every role held is one) gets figures, not people: no person's name,
    contact or id where others see them (PIPL art. 28; docs/security.md)."""
    held = held_roles(user)
    return bool(held) and all(h.role == Role.EVALUATOR for h in held)


def role_label(user: Any) -> str:
    """What a figures-only reader is told about a person who acted: their role (the most senior one
    they hold), never their name."""
    from shequ.core.roles import RANK

    held = sorted(held_roles(user), key=lambda h: RANK.get(h.role, 99))
    return str(held[0].role.label) if held else ""


def forget_roles(user: Any) -> None:
    if hasattr(user, "_shequ_held"):
        del user._shequ_held


def _covering(paths: list[str]) -> list[str]:
    """Drop paths inside another path of the list: the union is the same, the query smaller."""
    kept: list[str] = []
    for p in sorted(set(paths)):
        if not kept or not p.startswith(kept[-1]):
            kept.append(p)
    return kept


def paths_for(user: Any, resource: str, action: str) -> list[str]:
    rule = rule_for(resource, action)
    if rule is None:
        return []
    return _covering([h.path for h in held_roles(user) if h.role in rule.roles])


def path_q(field: str, paths: list[str]) -> Q:
    """The union of the subtrees at `paths`, on the path lookup `field`."""
    return functools.reduce(operator.or_, [subtree_q(p, field) for p in paths], Q(pk__in=[]))


def _path_q(field: str, paths: list[str], rule: Rule) -> Q:
    if rule.below_only:
        parts = [Q(**{f"{field}__gt": p, f"{field}__lt": p + ":"}) for p in paths]
    else:
        parts = [subtree_q(p, field) for p in paths]
    return functools.reduce(operator.or_, parts)


def model_of(resource: str) -> type[Model]:
    return apps.get_model(RESOURCES[resource].model)


def scope(user: Any, resource: str, action: str = "view", qs: QuerySet | None = None) -> QuerySet:
    """The objects of `resource` on which `user` may perform `action`."""
    declared = RESOURCES[resource]
    if qs is None:
        qs = model_of(resource)._default_manager.all()
    rule = rule_for(resource, action)
    paths = paths_for(user, resource, action)
    if rule is None or not paths:
        return qs.none()
    return qs.filter(_path_q(declared.path_field, paths, rule))


def path_of(resource: str, obj: Model) -> str:
    value: Any = obj
    for part in RESOURCES[resource].path_field.split("__"):
        value = getattr(value, part)
    return str(value)


def can(user: Any, resource: str, action: str, *, path: str) -> bool:
    """May `user` perform `action` on an object of `resource` that lies at `path`?"""
    rule = rule_for(resource, action)
    if rule is None:
        return False
    for p in paths_for(user, resource, action):
        if path.startswith(p) and (not rule.below_only or path != p):
            return True
    return False


def require(user: Any, resource: str, action: str, *, path: str) -> None:
    if not can(user, resource, action, path=path):
        if action != "view" and not can(user, resource, "view", path=path):
            raise NotFound()
        raise Forbidden()


def get_for(user: Any, resource: str, action: str = "view", **lookup: Any) -> Any:
    """One object the user may see, or NotFound; then Forbidden if the action is not theirs."""
    obj = scope(user, resource, "view").filter(**lookup).first()
    if obj is None:
        raise NotFound()
    if action != "view":
        require(user, resource, action, path=path_of(resource, obj))
    return obj


def areas_held(user: Any) -> QuerySet[Area]:
    return Area.objects.filter(pk__in=[h.area_id for h in held_roles(user)]).order_by("path")


def grantable_roles(user: Any, area: Area) -> set[Role]:
    from shequ.core.roles import GRANTABLE, ROLE_AREA_KINDS

    allowed: set[Role] = set()
    for h in held_roles(user):
        if area.path.startswith(h.path):
            allowed |= GRANTABLE.get(h.role, frozenset())
    return {r for r in allowed if area.kind in ROLE_AREA_KINDS[r]}
