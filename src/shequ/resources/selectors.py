"""Every read of the resource register, for the acting user: starts from the access layer's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.models import AREA_KIND_ORDER, PATH_STEP, Area, AreaKind, subtree_q
from shequ.registry.models import Organisation
from shequ.resources.models import Resource, ResourceKind, ResourceStatus

ORGANISATION_CHOICES_LIMIT = 300


def resources_for(
    user: Any,
    *,
    area: Area | None = None,
    kind: str = "",
    status: str = "",
    q: str = "",
    venues_only: bool = False,
) -> QuerySet[Resource]:
    qs = access.scope(user, "resource", "view").select_related("area", "venue", "provider_organisation")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if kind in ResourceKind.values:
        qs = qs.filter(kind=kind)
    if status in ResourceStatus.values:
        qs = qs.filter(status=status)
    if venues_only:
        qs = qs.filter(venue__isnull=False)
    q = q.strip()[:50]
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(provider__icontains=q) | Q(items__icontains=q) | Q(address__icontains=q)
        )
    return qs.order_by("area__path", "name", "id")


def resource_for(user: Any, resource_id: int) -> Resource:
    """One resource the user may see, or NotFound (also for resources of other areas)."""
    resource = resources_for(user).select_related("venue__owner_organisation").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    return resource


def organisation_for(user: Any, organisation_id: int) -> Organisation:
    return access.get_for(user, "organisation", "view", pk=organisation_id)


def organisation_choices(user: Any, area: Area) -> QuerySet[Organisation]:
    """Organisations that may provide or own a resource of `area`: those of its community (or of the
    area itself, above community level) that the user may see."""
    community_depth = AREA_KIND_ORDER.index(AreaKind.COMMUNITY) + 1
    path = area.path[: community_depth * PATH_STEP] if area.depth > community_depth else area.path
    return (
        access.scope(user, "organisation", "view")
        .filter(subtree_q(path, "area__path"))
        .select_related("area")
        .order_by("area__path", "kind", "name")[:ORGANISATION_CHOICES_LIMIT]
    )
