"""Sensitive-access grants (issue 9): records of children under 14, bulk exports and, when casework
arrives, case notes need a separate grant, asked for with a reason and approved by someone else.

Who may ask: whoever holds the kind's gate — a (resource, action) of core/policy.py — on the area.
Who may approve: a street official or district administrator over the area (`sensitive_grant.approve`),
never the requester, and senior to the requester's own role there (a district administrator may
approve anyone's). An approved grant lasts its days (at most SHEQU_GRANT_MAX_DAYS, 30 by default) and
can be revoked at any time by the requester or anyone who may approve it. Each use is audited naming
the grant.

A new kind declares itself here with `declare(...)`: e.g. the casework app will call
`declare(GrantKind.CASE_NOTES, resource="case", action="view_notes")` and then
`require_grant(user, GrantKind.CASE_NOTES, path=...)` before showing a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area, AuditAction, GrantKind, GrantStatus, SensitiveAccessGrant
from shequ.core.roles import RANK, Role


@dataclass(frozen=True)
class Gate:
    resource: str
    action: str


KINDS: dict[str, Gate] = {}


def declare(kind: GrantKind | str, *, resource: str, action: str) -> None:
    """Make a kind of grant requestable by those who may do `action` on `resource` in the area."""
    KINDS[str(kind)] = Gate(resource, action)


declare(GrantKind.MINORS, resource="resident", action="view_minor")
declare(GrantKind.BULK_EXPORT, resource="resident", action="export")


class GrantRequired(Forbidden):
    """Refused until an approved grant of `kind` covers the area; the message says where to ask."""

    code = "grant_required"

    def __init__(self, kind: GrantKind | str, area: Area | None = None, message: object = None) -> None:
        self.kind = str(kind)
        query = {"kind": self.kind} | ({"area": str(area.pk)} if area is not None else {})
        self.link = f"{reverse('core:grant_request')}?{urlencode(query)}"
        if message is None:
            message = _("This needs a separate, approved grant (%(kind)s).") % {
                "kind": GrantKind(self.kind).label
            }
        super().__init__(
            _(
                "%(message)s Ask for one at %(link)s — "
                "a street official or district administrator approves it."
            )
            % {"message": message, "link": self.link}
        )


# --- reads ---------------------------------------------------------------------------------------


def _active_q(now: Any) -> Q:
    return Q(status=GrantStatus.APPROVED, expires_at__gt=now)


def active_grant(user: Any, kind: GrantKind | str, *, path: str) -> SensitiveAccessGrant | None:
    """The user's approved, unexpired grant of `kind` whose area covers `path`, if any. The user must
    still hold the kind's gate there: a grant does not outlive the role it was asked under."""
    if not getattr(user, "is_authenticated", False) or not path:
        return None
    gate = KINDS.get(str(kind))
    if gate is None or not access.can(user, gate.resource, gate.action, path=path):
        return None
    ancestors = [path[:i] for i in range(4, len(path) + 1, 4)]
    return (
        SensitiveAccessGrant.objects.filter(
            _active_q(timezone.now()), requested_by=user, kind=str(kind), area__path__in=ancestors
        )
        .order_by("-expires_at")
        .first()
    )


def grant_paths(user: Any, kind: GrantKind | str) -> list[str]:
    """The area paths the user's active grants of `kind` cover (for lists: one query per page)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached: dict[str, list[str]] = user.__dict__.setdefault("_shequ_grant_paths", {})
    if str(kind) not in cached:
        cached[str(kind)] = list(
            SensitiveAccessGrant.objects.filter(
                _active_q(timezone.now()), requested_by=user, kind=str(kind)
            ).values_list("area__path", flat=True)
        )
    return cached[str(kind)]


def require_grant(
    user: Any, kind: GrantKind | str, *, area: Area, message: object = None
) -> SensitiveAccessGrant:
    grant = active_grant(user, kind, path=area.path)
    if grant is None:
        raise GrantRequired(kind, area, message)
    return grant


def audit_use(*, user: Any, grant: SensitiveAccessGrant, obj: Any = None, area_path: str, what: str) -> None:
    """Each access under a grant is audited, naming the grant."""
    audit_log(
        action=AuditAction.VIEW_SENSITIVE,
        actor=user,
        obj=obj,
        area_path=area_path,
        changes={"grant": grant.pk, "kind": grant.kind, "what": what},
    )


def grants_for(user: Any, *, status: str = "") -> QuerySet[SensitiveAccessGrant]:
    """Grants the user may see: their own, and those of their areas where they may see grants."""
    qs = access.scope(user, "sensitive_grant", "view") | SensitiveAccessGrant.objects.filter(
        requested_by_id=getattr(user, "pk", None) or 0
    )
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("area", "requested_by", "decided_by").order_by("-requested_at", "-id")


def grant_for(user: Any, pk: int) -> SensitiveAccessGrant:
    from shequ.core.errors import NotFound

    grant = grants_for(user).filter(pk=pk).first()
    if grant is None:
        raise NotFound()
    return grant


def may_decide(user: Any, grant: SensitiveAccessGrant) -> bool:
    """Approve or refuse: another person, holding the approve role over the area, senior to the
    requester's roles there (or a district administrator)."""
    if getattr(user, "pk", None) in (None, grant.requested_by_id):
        return False
    path = grant.area.path
    rule = access.rule_for("sensitive_grant", "approve")
    if rule is None:
        return False
    mine = [h.role for h in access.held_roles(user) if h.role in rule.roles and path.startswith(h.path)]
    if not mine:
        return False
    if Role.DISTRICT_ADMIN in mine:
        return True
    theirs = [
        h.role
        for h in access.held_roles(grant.requested_by)
        if path.startswith(h.path) or h.path.startswith(path)
    ]
    best_theirs = min((RANK[r] for r in theirs), default=99)
    return min(RANK[r] for r in mine) < best_theirs


def may_revoke(user: Any, grant: SensitiveAccessGrant) -> bool:
    if grant.status not in (GrantStatus.APPROVED, GrantStatus.PENDING):
        return False
    if getattr(user, "pk", None) == grant.requested_by_id:
        return True
    return access.can(user, "sensitive_grant", "approve", path=grant.area.path)


# --- writes --------------------------------------------------------------------------------------


def grant_request(
    *, by: Any, kind: str, area: Area, reason: str, days: int | None = None
) -> SensitiveAccessGrant:
    if kind not in GrantKind.values:
        raise DomainError(_("Unknown kind of grant."), code="grant_kind", fields={"kind": "unknown"})
    gate = KINDS.get(kind)
    if gate is None:
        raise DomainError(
            _("%(kind)s are not kept in Shequ yet: there is nothing to grant.")
            % {"kind": GrantKind(kind).label},
            code="grant_kind_unused",
            fields={"kind": "unused"},
        )
    access.require(by, "sensitive_grant", "request", path=area.path)
    if not access.can(by, gate.resource, gate.action, path=area.path):
        raise Forbidden(_("Your role in this area cannot ask for this kind of grant."))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError(
            _("Say why you need it (at least 5 characters)."), code="grant_reason", fields={"reason": "short"}
        )
    days = days or settings.GRANT_MAX_DAYS
    if not 1 <= days <= settings.GRANT_MAX_DAYS:
        raise DomainError(
            _("A grant lasts 1 to %(n)d days.") % {"n": settings.GRANT_MAX_DAYS},
            code="grant_days",
            fields={"days": "range"},
        )
    with transaction.atomic():
        grant = SensitiveAccessGrant.objects.create(
            kind=kind, area=area, requested_by=by, reason=reason[:500], days=days
        )
        audit_log(
            action=AuditAction.PERMISSION_CHANGE,
            actor=by,
            obj=grant,
            area_path=area.path,
            changes={"grant": [None, GrantStatus.PENDING], "kind": kind, "days": days},
        )
    return grant


def _locked(grant: SensitiveAccessGrant) -> SensitiveAccessGrant:
    return (
        SensitiveAccessGrant.objects.select_for_update()
        .select_related("area", "requested_by")
        .get(pk=grant.pk)
    )


def grant_decide(*, by: Any, grant: SensitiveAccessGrant, approve: bool) -> SensitiveAccessGrant:
    access.require(by, "sensitive_grant", "approve", path=grant.area.path)
    with transaction.atomic():
        grant = _locked(grant)
        if grant.requested_by_id == getattr(by, "pk", None):
            raise Forbidden(_("Nobody approves their own request: another person must decide it."))
        if not may_decide(by, grant):
            raise Forbidden(
                _(
                    "A request is decided by someone senior to the requester: "
                    "a street official or a district administrator."
                )
            )
        if grant.status != GrantStatus.PENDING:
            raise DomainError(_("This request has already been decided."), code="grant_decided")
        now = timezone.now()
        grant.status = GrantStatus.APPROVED if approve else GrantStatus.REFUSED
        grant.decided_by, grant.decided_at = by, now
        grant.expires_at = now + timedelta(days=grant.days) if approve else None
        grant.save()
        audit_log(
            action=AuditAction.PERMISSION_CHANGE,
            actor=by,
            obj=grant,
            area_path=grant.area.path,
            changes={
                "grant": [GrantStatus.PENDING, grant.status],
                "kind": grant.kind,
                "requested_by": grant.requested_by.username,
            }
            | ({"expires_at": grant.expires_at.isoformat()} if grant.expires_at else {}),
        )
    return grant


def grant_revoke(*, by: Any, grant: SensitiveAccessGrant) -> SensitiveAccessGrant:
    with transaction.atomic():
        grant = _locked(grant)
        if not may_revoke(by, grant):
            if grant.status in (GrantStatus.APPROVED, GrantStatus.PENDING):
                raise Forbidden()
            raise DomainError(_("This grant is no longer in force."), code="grant_not_active")
        before = grant.status
        grant.status = GrantStatus.REVOKED
        grant.revoked_by, grant.revoked_at = by, timezone.now()
        grant.save()
        audit_log(
            action=AuditAction.PERMISSION_CHANGE,
            actor=by,
            obj=grant,
            area_path=grant.area.path,
            changes={"grant": [before, GrantStatus.REVOKED], "kind": grant.kind},
        )
    return grant


def grant_areas(user: Any) -> QuerySet[Area]:
    """The areas the user may ask a grant for: where they may request and hold some kind's gate."""
    paths = access.paths_for(user, "sensitive_grant", "request")
    return (
        Area.objects.filter(access.path_q("path", paths)).exclude(kind="building").order_by("path")
        if paths
        else Area.objects.none()
    )
