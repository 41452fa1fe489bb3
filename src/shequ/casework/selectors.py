"""Every casework read, for the acting user: starts from the access layer's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shequ.casework.models import Case, Referral, Risk, Stage, SupervisionLink
from shequ.core import access
from shequ.core.errors import NotFound


def cases_for(
    user: Any, *, stage: str = "", risk: str = "", mine: bool = False, q: str = ""
) -> QuerySet[Case]:
    qs = access.scope(user, "case", "view").select_related("area", "resident", "household", "owner")
    if stage == "open":
        qs = qs.exclude(stage=Stage.CLOSED)
    elif stage in Stage.values:
        qs = qs.filter(stage=stage)
    if risk in Risk.values:
        qs = qs.filter(risk=risk)
    if mine:
        qs = qs.filter(
            Q(owner_id=user.pk)
            | Q(owner_id__in=supervisee_ids(user))
            | Q(transfers__to_user_id=user.pk, transfers__status="pending")
        ).distinct()
    q = q.strip()[:50]
    if q:
        qs = qs.filter(
            Q(resident__name__icontains=q) | Q(household__address__icontains=q) | Q(problem__icontains=q)
        )
    return qs.order_by("-opened_on", "-id")


def case_for(user: Any, case_id: int) -> Case:
    """One case the user may see, or NotFound (also for cases of other areas)."""
    case = cases_for(user).select_related("appeal").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def supervisee_ids(user: Any) -> list[int]:
    return list(SupervisionLink.objects.filter(supervisor_id=user.pk).values_list("worker_id", flat=True))


def links_for(user: Any) -> QuerySet[SupervisionLink]:
    return (
        access.scope(user, "supervision", "view")
        .select_related("area", "supervisor", "worker")
        .order_by("area_path", "id")
    )


def link_for(user: Any, link_id: int) -> SupervisionLink:
    link = links_for(user).filter(pk=link_id).first()
    if link is None:
        raise NotFound()
    return link


def referrals_received_for(user: Any) -> QuerySet[Referral]:
    """The referrals made to the user that are still in force (a department's or organisation's
    receiver: they may hold no role in the case's area)."""
    return (
        Referral.objects.filter(receiver_id=getattr(user, "pk", None) or 0, revoked_at__isnull=True)
        .select_related("case", "case__resident", "case__household")
        .order_by("-created_at", "-id")
    )
