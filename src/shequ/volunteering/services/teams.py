"""Teams of volunteers: creating one (of a community, a unit or an organisation) and its members."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import diff
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import Area, AreaKind, AuditAction
from shequ.core.workflow import text_value
from shequ.registry.models import Organisation, OrganisationKind
from shequ.volunteering.models import (
    Team,
    TeamKind,
    TeamLevel,
    Volunteer,
)
from shequ.volunteering.services.common import _audit, _require


def team_create(
    *,
    by: Any,
    area: Area,
    name: str,
    kind: str,
    level: str,
    organisation: Organisation | None = None,
    leader: Volunteer | None = None,
) -> Team:
    """A volunteer team at street or community level, or of a social organisation (三级联盟)."""
    _require(by, "team", "manage", area.path)
    name = text_value(name, field="name", limit=100, required=True)
    if kind not in TeamKind.values:
        raise DomainError(_("Choose the kind of team."), code="kind_invalid", fields={"kind": "invalid"})
    if level not in TeamLevel.values:
        raise DomainError(
            _("Choose the level of the team."), code="level_invalid", fields={"level": "invalid"}
        )
    expected = {TeamLevel.STREET: AreaKind.STREET, TeamLevel.COMMUNITY: AreaKind.COMMUNITY}.get(
        TeamLevel(level)
    )
    if expected is not None and area.kind != expected:
        raise DomainError(
            _("A street team belongs to a street, a community team to a community."),
            code="level_area",
            fields={"level": "area"},
        )
    if level == TeamLevel.SOCIAL_ORGANISATION and (
        organisation is None or organisation.kind != OrganisationKind.SOCIAL_ORGANISATION
    ):
        raise DomainError(
            _("Choose the social organisation the team belongs to."),
            code="organisation_required",
            fields={"organisation": "required"},
        )
    if organisation is not None:
        _visible_organisation(by, organisation, area)
    if leader is not None:
        _team_volunteer(by, leader, area)
    with transaction.atomic():
        team = Team.objects.create(
            area=area, name=name, kind=kind, level=level, organisation=organisation, leader=leader
        )
        if leader is not None:
            team.members.add(leader)
        _audit(
            AuditAction.CREATE, by, team, area.path, diff({}, {"name": name, "kind": kind, "level": level})
        )
        return team


def _visible_organisation(by: Any, organisation: Organisation, area: Area) -> None:
    path = organisation.area.path
    if by is not None and not access.can(by, "organisation", "view", path=path):
        raise NotFound()
    if not (path.startswith(area.path) or area.path.startswith(path)):
        raise DomainError(
            _("The organisation does not belong to this area."),
            code="organisation_area",
            fields={"organisation": "area"},
        )


def _team_volunteer(by: Any, volunteer: Volunteer, area: Area) -> None:
    path = volunteer.area.path
    if by is not None and not access.can(by, "volunteer", "view", path=path):
        raise NotFound()
    if not (path.startswith(area.path) or area.path.startswith(path)):
        raise DomainError(
            _("The volunteer is registered in another area."),
            code="volunteer_area",
            fields={"volunteer": "area"},
        )


def team_add_member(*, by: Any, team: Team, volunteer: Volunteer, leader: bool = False) -> Team:
    _require(by, "team", "manage", team.area.path)
    _team_volunteer(by, volunteer, team.area)
    with transaction.atomic():
        current = Team.objects.select_for_update().get(pk=team.pk)
        current.members.add(volunteer)
        changes: dict[str, Any] = {"members": [None, volunteer.pk]}
        if leader:
            changes["leader"] = [current.leader_id, volunteer.pk]
            current.leader = volunteer
        current.version += 1
        current.save(update_fields=["leader", "version"])
        _audit(AuditAction.UPDATE, by, current, team.area.path, changes)
        return current


def team_remove_member(*, by: Any, team: Team, volunteer: Volunteer) -> Team:
    _require(by, "team", "manage", team.area.path)
    with transaction.atomic():
        current = Team.objects.select_for_update().get(pk=team.pk)
        current.members.remove(volunteer)
        if current.leader_id == volunteer.pk:
            current.leader = None
        current.version += 1
        current.save(update_fields=["leader", "version"])
        _audit(AuditAction.UPDATE, by, current, team.area.path, {"members": [volunteer.pk, None]})
        return current
