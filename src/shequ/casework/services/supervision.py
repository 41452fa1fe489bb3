"""督导: who supervises whom. An area's administrator links a social worker of the area to a
supervisor (a social worker of the area or above it), at most SHEQU_CASEWORK_SUPERVISEES (8, the Hong
Kong practice) workers per supervisor; a worker has one supervisor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import SupervisionLink
from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, DomainError
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
