"""Every casework read, for the acting user: starts from the access layer's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shequ.casework.models import (
    Case,
    Group,
    GroupStage,
    Referral,
    Risk,
    Stage,
    SupervisionLink,
    SupervisionSession,
)
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


def _month(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def sessions_for(user: Any) -> QuerySet[SupervisionSession]:
    """The sessions of the links the user may see (their topics; no case note is in a session)."""
    return (
        SupervisionSession.objects.filter(link__in=links_for(user))
        .select_related("supervisor", "worker")
        .prefetch_related("cases")
        .order_by("-held_on", "-id")
    )


@dataclass(frozen=True)
class Caseload:
    """One supervisee as their supervisor (or the area's administrators) sees them."""

    link_id: int
    worker_id: int
    worker_username: str
    worker_name: str
    open_cases: int
    high: int
    medium: int
    low: int
    unassessed: int
    overdue_tasks: int
    escalated_tasks: int  # overdue tasks the nightly job has escalated to the supervisor
    hours: Decimal  # signed supervision this month
    quota: Decimal

    @property
    def behind(self) -> bool:
        return self.hours < self.quota


def caseloads_for(user: Any, *, today: date | None = None) -> list[Caseload]:
    """Each supervisee's open cases by risk, overdue plan tasks and supervision hours this month: the
    supervisor's own supervisees, or every link of the areas they administer. Three grouped queries,
    whatever the number of workers."""
    from shequ.casework.services.supervision import monthly_hours

    today = today or timezone.localdate()
    visible = links_for(user)
    if not access.paths_for(user, "supervision", "manage"):
        visible = visible.filter(supervisor_id=user.pk)
    links = list(visible.values_list("id", "worker_id", "worker__username", "worker__display_name"))
    workers = [worker_id for _id, worker_id, _u, _n in links]
    # A supervisor's few supervisees are named; an administrator's hundreds are the whole scope,
    # grouped once (an IN list of hundreds of ids costs more than the rows it leaves out).
    few = len(workers) <= 50
    cases = access.scope(user, "case").exclude(stage=Stage.CLOSED)
    if few:
        cases = cases.filter(owner_id__in=workers)
    by_worker = {
        row["owner_id"]: row
        for row in cases.values("owner_id").annotate(
            n=Count("id"),
            high=Count("id", filter=Q(risk=Risk.HIGH)),
            medium=Count("id", filter=Q(risk=Risk.MEDIUM)),
            low=Count("id", filter=Q(risk=Risk.LOW)),
            unassessed=Count("id", filter=Q(risk="")),
        )
    }
    late = cases.filter(
        plans__approved_at__isnull=False, plans__tasks__done_on__isnull=True, plans__tasks__due_on__lt=today
    ).values("owner_id")
    overdue = {
        row["owner_id"]: row
        for row in late.annotate(
            n=Count("plans__tasks"),
            escalated=Count("plans__tasks", filter=Q(plans__tasks__escalated_at__isnull=False)),
        )
    }
    start, end = _month(today)
    signed = SupervisionSession.objects.filter(
        held_on__gte=start,
        held_on__lt=end,
        supervisor_signed_at__isnull=False,
        worker_signed_at__isnull=False,
    )
    signed = (
        signed.filter(worker_id__in=workers)
        if few
        else signed.filter(access.path_q("area_path", access.paths_for(user, "supervision", "view")))
    )
    hours = dict(signed.values("worker_id").annotate(h=Sum("hours")).values_list("worker_id", "h"))
    quota = monthly_hours()
    empty: dict[str, int] = {}
    return [
        Caseload(
            link_id=link_id,
            worker_id=worker_id,
            worker_username=username,
            worker_name=name or username,
            open_cases=by_worker.get(worker_id, empty).get("n", 0),
            high=by_worker.get(worker_id, empty).get("high", 0),
            medium=by_worker.get(worker_id, empty).get("medium", 0),
            low=by_worker.get(worker_id, empty).get("low", 0),
            unassessed=by_worker.get(worker_id, empty).get("unassessed", 0),
            overdue_tasks=overdue.get(worker_id, empty).get("n", 0),
            escalated_tasks=overdue.get(worker_id, empty).get("escalated", 0),
            hours=hours.get(worker_id) or Decimal(0),
            quota=quota,
        )
        for link_id, worker_id, username, name in links
    ]


def groups_for(user: Any, *, stage: str = "", q: str = "") -> QuerySet[Group]:
    qs = access.scope(user, "group", "view").select_related("area", "owner")
    if stage == "open":
        qs = qs.exclude(stage=GroupStage.CLOSED)
    elif stage in GroupStage.values:
        qs = qs.filter(stage=stage)
    q = q.strip()[:50]
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.annotate(
        n_members=Count("members", filter=Q(members__left_at__isnull=True), distinct=True),
        n_sessions=Count("sessions", distinct=True),
    ).order_by("-created_at", "-id")


def group_for(user: Any, group_id: int) -> Group:
    """One group the user may see, or NotFound (also for groups of other areas)."""
    group = access.scope(user, "group", "view").select_related("area", "owner").filter(pk=group_id).first()
    if group is None:
        raise NotFound()
    return group


def group_members(group: Group) -> list[Any]:
    """The group's members, with how many sessions each attended (minors' names minimal)."""
    from shequ.registry.selectors import is_minor, mask_name

    members: list[Any] = list(
        group.members.select_related("resident", "case").annotate(
            attended_n=Count("attended_sessions", distinct=True)
        )
    )
    for m in members:
        m.shown_name = mask_name(m.resident.name) if is_minor(m.resident) else m.resident.name
    return members
