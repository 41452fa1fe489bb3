"""Group work (小组工作, MZ/T 095-2017): a group's plan, its members recruited from the registry and
from cases, its sessions with attendance and a record each, the before/after scores on the group's
scale and the outcome. Attending a session is taking part in a service (volunteering/records.py):
the member takes part and their household benefits, once per group however many sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.casework.group_workflow import GROUP
from shequ.casework.models import SCALE_RANGE, Group, GroupMember, GroupSession, Scale
from shequ.casework.services._base import clean_text, day
from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.core.models import Area, AreaKind, AuditAction
from shequ.core.workflow import int_value
from shequ.volunteering.records import record_service, source_key

MAX_MEMBERS = 30


def group_open(*, by: Any, area: Area, name: str, aims: str, planned_sessions: Any, scale: str) -> Group:
    """筹备: a social worker plans a group in a community (or street) of theirs and is its worker."""
    if area.kind not in (AreaKind.COMMUNITY, AreaKind.STREET):
        raise DomainError(
            _("A group belongs to a community or a street."), code="bad_area", fields={"area": "kind"}
        )
    access.require(by, "group", "create", path=area.path)
    name = clean_text(name, field="name", limit=100, required=True)
    aims = clean_text(aims, field="aims", limit=1000, required=True)
    sessions = int_value(planned_sessions, field="planned_sessions")
    if not 1 <= sessions <= 50:
        raise DomainError(
            _("Give a number from %(low)s to %(high)s.") % {"low": 1, "high": 50},
            code="out_of_range",
            fields={"planned_sessions": "range"},
        )
    if scale not in Scale.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={"scale": "choice"})
    with transaction.atomic():
        group = Group.objects.create(
            area=area,
            area_path=area.path,
            name=name,
            aims=aims,
            planned_sessions=sessions,
            scale=scale,
            owner=by,
        )
        audit_log(
            action=AuditAction.CREATE, actor=by, obj=group, area_path=group.area_path, changes={"name": name}
        )
    return group


def _locked(group: Group, version: int | None) -> Group:
    current = Group.objects.select_for_update().select_related("area").get(pk=group.pk)
    if version is not None and current.version != version:
        raise Conflict(_("Someone else changed this group first. Reload the page and try again."))
    return current


def _step(by: Any, group: Group, action: str, changes: dict | None = None) -> Group:
    before = group.stage
    group.stage = GROUP.next_state(group, action)
    group.version += 1
    group.save()
    audit_log(
        action=AuditAction.UPDATE,
        actor=by,
        obj=group,
        area_path=group.area_path,
        changes={"action": action}
        | ({"stage": [before, group.stage]} if before != group.stage else {})
        | (changes or {}),
    )
    return group


def member_add(
    *, by: Any, group: Group, version: int | None, resident: Any = None, case: Any = None
) -> Group:
    """A member from the registry, or the client of a case (a resident of the group's area)."""
    if case is not None:
        if case.resident_id is None:
            raise DomainError(
                _("The case's client is a household: add one of its members by their resident no."),
                code="case_without_resident",
                fields={"case": "household"},
            )
        resident = case.resident
    if resident is None:
        raise DomainError(
            _("Name a resident or a case."), code="member_required", fields={"resident": "required"}
        )
    with transaction.atomic():
        current = _locked(group, version)
        GROUP.check(by, current, "add_member")
        if not resident.area.path.startswith(current.area_path):
            raise NotFound()  # a resident of another area: as if unknown here
        if current.members.filter(resident=resident).exists():
            raise Conflict(_("Already a member of this group."), code="already_member")
        if current.members.filter(left_at__isnull=True).count() >= MAX_MEMBERS:
            raise Conflict(_("The group is full."), code="group_full")
        member = GroupMember.objects.create(group=current, resident=resident, case=case)
        return _step(by, current, "add_member", {"member": member.pk, "case": getattr(case, "pk", None)})


def member_remove(*, by: Any, group: Group, version: int | None, member: GroupMember) -> Group:
    with transaction.atomic():
        current = _locked(group, version)
        GROUP.check(by, current, "remove_member")
        GroupMember.objects.filter(pk=member.pk, group=current).update(left_at=timezone.now())
        return _step(by, current, "remove_member", {"member": member.pk})


def _score(group: Group, score: int) -> int:
    low, high = SCALE_RANGE[group.scale]
    if not low <= score <= high:
        raise DomainError(
            _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high},
            code="out_of_range",
            fields={"score": "range"},
        )
    return score


def _scorer(field: str, action: str) -> Callable[..., Group]:
    def score(*, by: Any, group: Group, version: int | None, member: GroupMember, score: int) -> Group:
        with transaction.atomic():
            current = _locked(group, version)
            GROUP.check(by, current, action)
            value = _score(current, score)
            GroupMember.objects.filter(pk=member.pk, group=current).update(**{field: value})
            return _step(by, current, action, {"member": member.pk, field: value})

    score.__name__ = f"member_{field}"
    return score


member_score_before = _scorer("score_before", "score_before")
member_score_after = _scorer("score_after", "score_after")


def _stepper(action: str) -> Callable[..., Group]:
    def advance(*, by: Any, group: Group, version: int | None) -> Group:
        with transaction.atomic():
            current = _locked(group, version)
            GROUP.check(by, current, action)
            return _step(by, current, action)

    advance.__name__ = f"group_{action}"
    return advance


def present_ids(raw: Any) -> list[int]:
    """The members who came, as member numbers separated by commas (the page posts its checkboxes so)."""
    if isinstance(raw, list | tuple):
        parts = [str(p) for p in raw]
    else:
        parts = str(raw or "").replace("，", ",").split(",")
    return sorted({int_value(p, field="present") for p in parts if p.strip()})


def group_session_record(
    *, by: Any, group: Group, version: int | None, held_on: Any, topic: str, record: str, present: Any = ""
) -> GroupSession:
    topic = clean_text(topic, field="topic", limit=200, required=True)
    record = clean_text(record, field="record", limit=2000, required=True)
    wanted = present_ids(present)
    with transaction.atomic():
        current = _locked(group, version)
        GROUP.check(by, current, "session")
        on = day(held_on, field="held_on", earliest=timezone.localtime(current.created_at).date())
        members = list(current.members.filter(pk__in=wanted, left_at__isnull=True).select_related("resident"))
        if len(members) != len(wanted):
            raise DomainError(
                _("Only the group's members can be present."), code="not_member", fields={"present": "member"}
            )
        number = (current.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
        session = GroupSession.objects.create(
            group=current,
            number=number,
            held_on=on,
            topic=topic,
            record=record,
            stage=current.stage,
            recorded_by=by or current.owner,
        )
        session.attended.set(members)
        added = record_service(
            source=source_key(current),
            label=f"{current._meta.verbose_name} {current.name}",
            area=current.area,
            served_on=on,
            residents=[m.resident for m in members],
            households=[m.resident.household for m in members if m.resident.household_id],
        )
        _step(by, current, "session", {"session": number, "present": len(members), "service_records": added})
        return session


def group_close(*, by: Any, group: Group, version: int | None, aims_met: str, outcome: str) -> Group:
    """结束: the outcome recorded (how far the aims were met, and what came of the group)."""
    outcome = clean_text(outcome, field="outcome", limit=2000, required=True)
    with transaction.atomic():
        current = _locked(group, version)
        GROUP.check(by, current, "close")
        current.aims_met = aims_met
        current.outcome = outcome
        current.closed_on = timezone.localdate()
        return _step(by, current, "close", {"aims_met": aims_met})


GROUP_ACTIONS: dict[str, Callable[..., Any]] = {
    "add_member": member_add,
    "remove_member": member_remove,
    "score_before": member_score_before,
    "form": _stepper("form"),
    "session": group_session_record,
    "to_transition": _stepper("to_transition"),
    "to_maturity": _stepper("to_maturity"),
    "to_ending": _stepper("to_ending"),
    "score_after": member_score_after,
    "close": group_close,
}
assert set(GROUP_ACTIONS) == set(GROUP.actions), "every action of the group's table has its service"
