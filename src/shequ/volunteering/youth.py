"""Party leads youth (党建带团建): the "1+1+5" groups — one party member, one party activist and five
youth-league backbones — with their meetings, the community problems they find and what they do.
Writes check access, validate, audit in one transaction; reads start from the access layer's scope.
The youth's holiday social practice is an activity of kind youth social practice (services.py), whose
hours give the school certificate (certificates.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.core.models import Area, AreaKind, AuditAction, subtree_q
from shequ.core.workflow import text_value
from shequ.registry.models import PoliticalStatus, Resident, ResidentStatus
from shequ.volunteering.models import GroupAction, GroupMeeting, GroupProblem, ProblemStatus, YouthGroup

BACKBONES = 5
# Youth-league members are aged 14 to 28 (团章).
LEAGUE_AGES = (14, 28)


def _require(by: Any, action: str, path: str) -> None:
    if by is not None:
        access.require(by, "youth_group", action, path=path)


def _check_members(
    area: Area, party_member: Resident, activist: Resident, backbones: list[Resident], on: date
) -> None:
    people = [party_member, activist, *backbones]
    if len({p.pk for p in people}) != len(people):
        raise DomainError(_("Each person can fill only one place in the group."), code="duplicate_member")
    if len(backbones) != BACKBONES:
        raise DomainError(
            _("A 1+1+5 group has five youth-league backbones."),
            code="backbones_count",
            fields={"backbones": "n"},
        )
    for person in people:
        if person.status != ResidentStatus.ACTIVE or not person.area.path.startswith(area.path):
            raise DomainError(
                _("%(name)s does not live in this community.") % {"name": person.name},
                code="member_area",
                fields={"backbones": "area"},
            )
    wrong = [
        (party_member, PoliticalStatus.PARTY_MEMBER, "party_member"),
        (activist, PoliticalStatus.ACTIVIST, "activist"),
        *[(b, PoliticalStatus.LEAGUE_MEMBER, "backbones") for b in backbones],
    ]
    for person, status, field in wrong:
        if person.political_status != status:
            raise DomainError(
                _("%(name)s is registered as %(actual)s, not %(expected)s.")
                % {
                    "name": person.name,
                    "actual": PoliticalStatus(person.political_status).label,
                    "expected": PoliticalStatus(status).label,
                },
                code="political_status",
                fields={field: "status"},
            )
    low, high = LEAGUE_AGES
    for b in backbones:
        if not low <= b.age(on) <= high:
            raise DomainError(
                _("%(name)s is %(age)d; youth-league backbones are 14 to 28 years old.")
                % {"name": b.name, "age": b.age(on)},
                code="league_age",
                fields={"backbones": "age"},
            )


def youth_group_create(
    *,
    by: Any,
    area: Area,
    name: str,
    party_member: Resident,
    activist: Resident,
    backbones: Iterable[Resident],
    formed_on: date,
) -> YouthGroup:
    _require(by, "manage", area.path)
    if area.kind != AreaKind.COMMUNITY:
        raise DomainError(
            _("A 1+1+5 group belongs to a community."), code="area_kind", fields={"area": "kind"}
        )
    name = text_value(name, field="name", limit=100, required=True)
    backbones = list(backbones)
    people = [party_member, activist, *backbones]
    if by is not None and any(not access.can(by, "resident", "view", path=p.area.path) for p in people):
        raise NotFound()
    _check_members(area, party_member, activist, backbones, formed_on)
    with transaction.atomic():
        group = YouthGroup.objects.create(
            area=area, name=name, party_member=party_member, activist=activist, formed_on=formed_on
        )
        group.backbones.set(backbones)
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=group,
            area_path=area.path,
            changes={"name": [None, name], "members": [None, [p.pk for p in people]]},
        )
        return group


def meeting_record(
    *,
    by: Any,
    group: YouthGroup,
    held_on: date,
    topic: str,
    notes: str = "",
    attendees: Iterable[Resident] = (),
) -> GroupMeeting:
    _require(by, "manage", group.area.path)
    topic = text_value(topic, field="topic", limit=100, required=True)
    notes = (notes or "").strip()[:4000]
    members = set(members_of(group))
    attending = list(dict.fromkeys(attendees))
    if any(a not in members for a in attending):
        raise DomainError(
            _("Only the group's members attend its meetings."), code="attendee", fields={"attendees": "x"}
        )
    with transaction.atomic():
        meeting = GroupMeeting.objects.create(
            group=group, held_on=held_on, topic=topic, notes=notes, recorded_by=by
        )
        meeting.attendees.set(attending)
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=meeting,
            area_path=group.area.path,
            changes={"topic": [None, topic], "attendees": [None, len(attending)]},
        )
        return meeting


def problem_record(
    *, by: Any, group: YouthGroup, description: str, found_on: date, meeting: GroupMeeting | None = None
) -> GroupProblem:
    _require(by, "manage", group.area.path)
    description = text_value(description, field="description", limit=2000, required=True)
    if meeting is not None and meeting.group_id != group.pk:
        raise NotFound()
    with transaction.atomic():
        problem = GroupProblem.objects.create(
            group=group, meeting=meeting, description=description, found_on=found_on
        )
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=problem,
            area_path=group.area.path,
            changes={"description": [None, description[:100]]},
        )
        return problem


def action_record(
    *, by: Any, problem: GroupProblem, description: str, done_on: date, solved: bool = False
) -> GroupAction:
    """What the group did about a problem; `solved` closes it."""
    group = problem.group
    _require(by, "manage", group.area.path)
    description = text_value(description, field="description", limit=2000, required=True)
    with transaction.atomic():
        current = GroupProblem.objects.select_for_update().get(pk=problem.pk)
        if current.status == ProblemStatus.SOLVED:
            raise Conflict(_("This problem is already solved."), code="solved")
        if done_on < current.found_on:
            raise DomainError(
                _("An action cannot come before the problem was found."),
                code="done_early",
                fields={"done_on": "x"},
            )
        action = GroupAction.objects.create(
            problem=current, description=description, done_on=done_on, recorded_by=by
        )
        before = current.status
        current.status = ProblemStatus.SOLVED if solved else ProblemStatus.ACTING
        current.solved_on = done_on if solved else None
        current.save(update_fields=["status", "solved_on"])
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=current,
            area_path=group.area.path,
            changes={"status": [before, current.status], "action": [None, description[:100]]},
        )
        return action


# --- reads ----------------------------------------------------------------------------------------


def youth_groups_for(user: Any, *, area: Area | None = None) -> QuerySet[YouthGroup]:
    qs = (
        access.scope(user, "youth_group", "view")
        .select_related("area", "party_member", "activist")
        .annotate(
            meeting_count=Count("meetings", distinct=True), problem_count=Count("problems", distinct=True)
        )
    )
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    return qs.order_by("area__path", "name")


def youth_group_for(user: Any, group_id: int) -> YouthGroup:
    group = youth_groups_for(user).filter(pk=group_id).first()
    if group is None:
        raise NotFound()
    return group


def members_of(group: YouthGroup) -> list[Resident]:
    return [group.party_member, group.activist, *group.backbones.order_by("name")]


def candidates(user: Any, area: Area) -> dict[str, list[Resident]]:
    """Residents of the community by the place they could fill (at most 300 each)."""
    people = access.scope(user, "resident", "view").filter(
        subtree_q(area.path, "area__path"), status=ResidentStatus.ACTIVE
    )
    return {
        status: list(people.filter(political_status=status).order_by("name")[:300])
        for status in (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.ACTIVIST, PoliticalStatus.LEAGUE_MEMBER)
    }
