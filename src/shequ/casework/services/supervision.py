"""督导: who supervises whom. An area's administrator links a social worker of the area to a
supervisor (a social worker of the area or above it), at most SHEQU_CASEWORK_SUPERVISEES (8, the Hong
Kong practice) workers per supervisor; a worker has one supervisor."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import SupervisionLink, SupervisionSession
from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, DomainError, Forbidden
from shequ.core.models import Area, AuditAction, RoleAssignment
from shequ.core.roles import Role

DEFAULT_SUPERVISEES = 8


def supervisees_max() -> int:
    return int(getattr(settings, "CASEWORK_SUPERVISEES", DEFAULT_SUPERVISEES))


def _social_worker_near(user: Any, area: Area) -> bool:
    """Holds the social-worker role on the area, inside it, or above it."""
    paths = RoleAssignment.objects.filter(user_id=user.pk, role=Role.SOCIAL_WORKER).values_list(
        "area__path", flat=True
    )
    return any(p.startswith(area.path) or area.path.startswith(p) for p in paths)


def supervision_link(*, by: Any, area: Area, supervisor: Any, worker: Any) -> SupervisionLink:
    access.require(by, "supervision", "manage", path=area.path)
    if supervisor.pk == worker.pk:
        raise DomainError(
            _("Nobody supervises themself."), code="self_supervision", fields={"worker": "self"}
        )
    for field, person in (("supervisor", supervisor), ("worker", worker)):
        if not _social_worker_near(person, area):
            raise DomainError(
                _("%(name)s is not a social worker of this area.") % {"name": person.username},
                code="not_social_worker",
                fields={field: "role"},
            )
    with transaction.atomic():
        if SupervisionLink.objects.select_for_update().filter(worker=worker).exists():
            raise Conflict(
                _("This worker already has a supervisor: remove that link first."), code="has_supervisor"
            )
        if SupervisionLink.objects.filter(supervisor=supervisor).count() >= supervisees_max():
            raise Conflict(
                _("A supervisor has at most %(n)d supervisees.") % {"n": supervisees_max()},
                code="ratio_exceeded",
            )
        link = SupervisionLink.objects.create(
            area=area, area_path=area.path, supervisor=supervisor, worker=worker
        )
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=link,
            area_path=area.path,
            changes={"supervisor": supervisor.username, "worker": worker.username},
            object_repr=f"{supervisor.username} → {worker.username}",
        )
    return link


def supervision_unlink(*, by: Any, link: SupervisionLink) -> None:
    access.require(by, "supervision", "manage", path=link.area_path)
    with transaction.atomic():
        audit_log(
            action=AuditAction.DELETE,
            actor=by,
            obj=link,
            area_path=link.area_path,
            changes={"supervisor": link.supervisor.username, "worker": link.worker.username},
            object_repr=f"{link.supervisor.username} → {link.worker.username}",
        )
        link.delete()


# --- sessions --------------------------------------------------------------------------------------

DEFAULT_MONTHLY_HOURS = 2


def monthly_hours() -> Decimal:
    """The supervision each worker should receive a month (hours), SHEQU_CASEWORK_SUPERVISION_HOURS."""
    return Decimal(str(getattr(settings, "CASEWORK_SUPERVISION_HOURS", DEFAULT_MONTHLY_HOURS)))


def _hours(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not Decimal("0.5") <= value <= 8 or value % Decimal("0.5"):
        raise DomainError(
            _("Give the hours from 0.5 to 8, in half hours."), code="bad_hours", fields={"hours": "range"}
        )
    return value


def session_record(
    *,
    by: Any,
    link: SupervisionLink,
    held_on: Any,
    hours: Any,
    topics: str,
    case_ids: list[int] | None = None,
) -> SupervisionSession:
    """The supervisor records a session with one supervisee; the cases discussed are the supervisee's."""
    from shequ.casework.models import Case
    from shequ.casework.services._base import clean_text, day

    access.require(by, "supervision", "record", path=link.area_path)
    if getattr(by, "pk", None) != link.supervisor_id:
        raise Forbidden(
            _("Only the supervisor records a session with their supervisee."), code="not_supervisor"
        )
    hours = _hours(hours)
    topics = clean_text(topics, field="topics", limit=500, required=True)
    held_on = day(held_on, field="held_on")
    wanted = sorted(set(case_ids or []))
    cases = list(Case.objects.filter(pk__in=wanted, owner_id=link.worker_id))
    if len(cases) != len(wanted):
        raise DomainError(
            _("Discuss only the supervisee's own cases."),
            code="not_supervisee_case",
            fields={"case_ids": "x"},
        )
    with transaction.atomic():
        session = SupervisionSession.objects.create(
            link=link,
            area_path=link.area_path,
            supervisor=link.supervisor,
            worker=link.worker,
            held_on=held_on,
            hours=hours,
            topics=topics,
            supervisor_signed_at=timezone.now(),  # the supervisor signs by recording it
        )
        session.cases.set(cases)
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=session,
            area_path=link.area_path,
            changes={"worker": link.worker.username, "hours": hours, "cases": [c.pk for c in cases]},
        )
    return session


def session_sign(*, by: Any, session: SupervisionSession) -> SupervisionSession:
    """The supervisee signs the session the supervisor recorded (the supervisor signed by recording)."""
    with transaction.atomic():
        current = SupervisionSession.objects.select_for_update().get(pk=session.pk)
        if getattr(by, "pk", None) != current.worker_id:
            raise Forbidden(_("Only the supervisee signs the session."), code="not_supervisee")
        if current.worker_signed_at is not None:
            raise Conflict(_("This session is already signed."), code="already_signed")
        current.worker_signed_at = timezone.now()
        current.save(update_fields=["worker_signed_at"])
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=current,
            area_path=current.area_path,
            changes={"signed": True},
        )
    return current
