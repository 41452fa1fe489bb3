"""Every read of the core, each taking the acting user and returning only what lies in their areas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.extensions import (
    HomeAction,
    HomeItem,
    HomeList,
    Stat,
    account_sources,
    headline_stats,
    home_actions,
    home_items,
    public_pages,
)
from shequ.core.models import Area, AuditEntry, RoleAssignment, User, subtree_q
from shequ.core.roles import Role


def areas_for(
    user: Any, *, parent: Area | None = None, kind: str | None = None, q: str = ""
) -> QuerySet[Area]:
    qs = access.scope(user, "area", "view")
    if parent is not None:
        qs = qs.filter(parent=parent)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("path")


def area_for(user: Any, area_id: int) -> Area:
    return access.get_for(user, "area", "view", pk=area_id)


def home_areas(user: Any) -> list[Area]:
    """The top areas the user works in (several assignments in one subtree show as one)."""
    paths = access._covering([h.path for h in access.held_roles(user)])
    return list(Area.objects.filter(path__in=paths).order_by("path"))


@dataclass(frozen=True)
class HomeWork:
    """The day's work of one user: the big buttons (with where they lead) and the lists of what
    waits, each registered by its app (core/extensions.py)."""

    actions: list[tuple[HomeAction, str]]
    lists: list[tuple[HomeItem, HomeList]]

    @property
    def primary(self) -> list[tuple[HomeAction, str]]:
        return [(a, url) for a, url in self.actions if a.style == "primary"]

    @property
    def secondary(self) -> list[tuple[HomeAction, str]]:
        return [(a, url) for a, url in self.actions if a.style != "primary"]

    @property
    def shown(self) -> list[tuple[HomeItem, HomeList]]:
        return [(item, found) for item, found in self.lists if found.rows or not item.quiet_when_empty]

    @property
    def quiet(self) -> list[HomeItem]:
        """Steps where nothing waits, named together in one line instead of a list each."""
        return [item for item, found in self.lists if not found.rows and item.quiet_when_empty]


def home_work_for(user: Any) -> HomeWork:
    actions = [(a, url) for a in home_actions() if (url := a.url(user))]
    lists = [(item, found) for item in home_items() if (found := item.collect(user)) is not None]
    return HomeWork(actions=actions, lists=lists)


def public_links() -> list[tuple[Any, list[tuple[str, str]]]]:
    """What anyone may read without an account, for the sign-in page (each app registers its own)."""
    return [(page.title, links) for page in public_pages() if (links := page.links())]


def breadcrumbs(user: Any, area: Area) -> list[Area]:
    """Ancestors the user may see, then the area itself."""
    visible = access.scope(user, "area", "view", Area.objects.filter(path__in=area.ancestor_paths()))
    return [*visible.order_by("path"), area]


@dataclass(frozen=True)
class Headline:
    children_by_kind: dict[str, int]
    stats: list[Stat]  # what the apps count under the area (core/extensions.py: headline)

    @property
    def counts(self) -> dict[str, int]:
        return {s.key: s.value for s in self.stats}


def area_headline(user: Any, area: Area) -> Headline:
    """Headline counts under an area: each one index range over the subtree, scoped to the user."""
    below = Area.objects.filter(subtree_q(area.path)).exclude(pk=area.pk)
    by_kind = dict(below.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return Headline(children_by_kind=by_kind, stats=headline_stats(user, area))


def children_with_counts(user: Any, area: Area) -> list[tuple[Area, int]]:
    """The direct children with the number of areas under each, for the area page."""
    children = list(areas_for(user, parent=area))
    counts = {}
    for child in children:
        counts[child.pk] = Area.objects.filter(subtree_q(child.path)).count() - 1
    return [(c, counts[c.pk]) for c in children]


def assignments_for(user: Any, *, area: Area | None = None, q: str = "") -> QuerySet[RoleAssignment]:
    qs = access.scope(user, "assignment", "view").select_related("user", "area")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if q:
        qs = qs.filter(Q(user__username__icontains=q) | Q(user__display_name__icontains=q))
    return qs.order_by("area__path", "role", "user__username")


def accounts_for(user: Any, resource: str, action: str) -> QuerySet[User]:
    """The active accounts `user` may already see where they may do `action` on `resource`: those
    holding a role inside those areas, and those the apps link to records there (a resident's own
    account). Every write that names an account by user name or id resolves it here, so an account of
    another community answers exactly as one that does not exist."""
    paths = access.paths_for(user, resource, action)
    if not paths:
        return User.objects.none()
    held_here = RoleAssignment.objects.filter(access.path_q("area__path", paths)).values("user_id")
    visible = Q(pk__in=held_here)
    for source in account_sources():
        visible |= Q(pk__in=source.user_ids(user, paths))
    return User.objects.filter(visible, is_active=True)


def account_for(
    user: Any,
    resource: str,
    action: str,
    *,
    username: str = "",
    pk: int | None = None,
    field: str = "username",
) -> User:
    """One account of `accounts_for`, by user name or id; NotFound (the same answer for an unknown
    account and for one outside the caller's areas) otherwise."""
    qs = accounts_for(user, resource, action)
    name = (username or "").strip()
    if pk is not None:
        found = qs.filter(pk=pk).first()
    else:
        found = qs.filter(username__iexact=name).first() if name else None
    if found is None:
        raise NotFound(
            _("No account with this user name or number lies in your areas."),
            code="account_unknown",
            fields={field: "unknown"},
        )
    return found


def roles_of(user: Any) -> list[tuple[Role, Area]]:
    held = access.held_roles(user)
    areas = Area.objects.in_bulk([h.area_id for h in held])
    return [(h.role, areas[h.area_id]) for h in held]


def audit_entries_for(
    user: Any,
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    qs = access.scope(user, "audit", "view")
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lt=datetime.combine(until, time.max, tzinfo=tz))
    return qs.order_by("-at", "-id")
