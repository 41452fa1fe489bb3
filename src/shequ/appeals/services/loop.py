"""The closed loop (受理 → 派单 → 处置 → 核实 → 办结 → 评价) and escalation by hand: each step is an
action of the rule table (appeals/workflow.py), checked there before it writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import OPEN_STAGES, Appeal, Evaluation, HandlerKind, Photo, Stage
from shequ.appeals.photos import clean_photos
from shequ.appeals.rules import is_reporter, may_be_dispatched, next_level
from shequ.appeals.services._base import (
    MAX_DESCRIPTION,
    Action,
    _enter,
    _locked,
    _now,
    _save,
    _start_clock,
    _step,
    _tell,
    _text,
)
from shequ.appeals.services.intake import _answering_area, _save_photos
from shequ.appeals.workflow import APPEAL, ESCALATABLE, MAX_NOTE
from shequ.core import access
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import User
from shequ.core.selectors import account_for
from shequ.registry.models import Organisation, OrganisationKind

Apply = Callable[[Appeal, datetime], dict[str, Any]]


def _set(**values: Any) -> Apply:
    """The change most transitions make: set some fields of the appeal (a value that is a function
    gets the appeal and the moment of the transition), with nothing more for the audit entry."""

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        for name, value in values.items():
            setattr(a, name, value(a, at) if callable(value) else value)
        return {}

    return apply


def _at(a: Appeal, at: datetime) -> datetime:
    return at


def _transition(
    action: str,
    appeal: Appeal,
    by: Any,
    version: int | None,
    *,
    note: str = "",
    now: datetime | None = None,
    apply: Apply | None = None,
    answering: bool = False,
) -> Appeal:
    """The shape every transition shares: lock, compare version, check the action in the rule table
    (the actor's role, the stage, the guards), move, record the step, audit and notify."""
    now = _now(now)
    note = _text(note, field="note", limit=MAX_NOTE)
    with transaction.atomic():
        current = _locked(appeal, version)
        APPEAL.check(by, current, action)
        target = APPEAL.next_state(current, action)
        from_stage, from_level = current.stage, current.level
        extra: dict[str, Any] = apply(current, now) if apply is not None else {}
        spent = _enter(current, target, now)
        _save(current, by=by, action=action, changes={"stage": [from_stage, target], **extra})
        _step(
            current,
            by=by,
            action=action,
            from_stage=from_stage,
            from_level=from_level,
            now=now,
            note=note,
            stage_seconds=spent,
        )
        _tell(current, action=action, now=now, by=by, answering=answering)
        return current


def appeal_accept(
    *, appeal: Appeal, by: Any, version: int | None, note: str = "", now: datetime | None = None
) -> Appeal:
    first = _set(accepted_at=lambda a, at: a.accepted_at or at)
    return _transition(Action.ACCEPT, appeal, by, version, note=note, now=now, apply=first)


def appeal_reject(
    *, appeal: Appeal, by: Any, version: int | None, reason: str, now: datetime | None = None
) -> Appeal:
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True)

    return _transition(
        Action.REJECT, appeal, by, version, note=reason, now=now, apply=_set(rejection_reason=reason)
    )


def appeal_merge(
    *, appeal: Appeal, by: Any, version: int | None, into: Appeal, note: str = "", now: datetime | None = None
) -> Appeal:
    """A duplicate joins the appeal it repeats; its reporter follows that one from now on."""
    if into.pk == appeal.pk:
        raise DomainError(
            _("An appeal cannot be merged into itself."), code="merge_self", fields={"into": "self"}
        )
    if by is not None and not access.can(by, "appeal", "view", path=into.area_path):
        raise NotFound()
    target = Appeal.objects.get(pk=into.pk)
    if target.stage not in OPEN_STAGES:
        raise DomainError(
            _("Merge only into an appeal that is still open."),
            code="merge_target_closed",
            fields={"into": "closed"},
        )

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        a.merged_into = target
        return {"merged_into": [None, target.pk]}

    return _transition(Action.MERGE, appeal, by, version, note=note or f"#{target.pk}", now=now, apply=apply)


def handler_kind_of(organisation: Organisation) -> str:
    if organisation.kind in (OrganisationKind.UNIT, OrganisationKind.PROPERTY_COMPANY):
        return HandlerKind.UNIT
    return HandlerKind.TEAM


def appeal_dispatch(
    *,
    appeal: Appeal,
    by: Any,
    version: int | None,
    to_user: User | None = None,
    to_organisation: Organisation | None = None,
    to_team: Any = None,
    note: str = "",
    now: datetime | None = None,
) -> Appeal:
    """Send the appeal to a person (who must work where it is: a handling role over the place, or a
    volunteer of the community that contains it), to a volunteer team of the place, or to a team or
    unit of the registry (e.g. the property company)."""
    if [to_user, to_organisation, to_team].count(None) != 2:
        raise DomainError(
            _("Choose one handler: a person, or a team or unit."),
            code="handler_required",
            fields={"handler": "x"},
        )
    if by is not None:
        # Who may dispatch is decided before anything about the handler is said (issue 13): the
        # handler's name is told only to those who may already see that account.
        APPEAL.check(by, appeal, "dispatch")
        if to_user is not None:
            account_for(by, "appeal", APPEAL.action("dispatch").permission, pk=to_user.pk, field="handler")
    if to_user is not None and not may_be_dispatched(to_user, appeal):
        raise DomainError(
            _("%(name)s does not work where this appeal is.") % {"name": to_user},
            code="handler_outside",
            fields={"handler": "outside"},
        )
    if (
        to_organisation is not None
        and by is not None
        and not access.can(by, "organisation", "view", path=to_organisation.area.path)
    ):
        raise NotFound()
    if to_team is not None:
        if by is not None and not access.can(by, "team", "view", path=to_team.area.path):
            raise NotFound()
        serves = appeal.area_path.startswith(to_team.area.path) or to_team.area.path.startswith(
            appeal.handling_path
        )
        if not serves:
            raise DomainError(
                _("%(name)s does not work where this appeal is.") % {"name": to_team.name},
                code="handler_outside",
                fields={"handler": "outside"},
            )

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        before = [a.handler_user_id, a.handler_organisation_id, a.handler_team_id]
        a.handler_user = to_user
        a.handler_organisation = to_organisation
        a.handler_team = to_team
        if to_user is not None:
            a.handler_kind = HandlerKind.PERSON
        elif to_team is not None:
            a.handler_kind = HandlerKind.TEAM
        else:
            a.handler_kind = handler_kind_of(to_organisation)  # type: ignore[arg-type]
        return {"handler": [before, [a.handler_user_id, a.handler_organisation_id, a.handler_team_id]]}

    handler_name = str(to_user or to_organisation or to_team.name)
    note = (f"→ {handler_name}" + (f"：{note.strip()}" if note.strip() else ""))[:MAX_NOTE]
    return _transition(Action.DISPATCH, appeal, by, version, note=note, now=now, apply=apply)


def appeal_start(
    *, appeal: Appeal, by: Any, version: int | None, note: str = "", now: datetime | None = None
) -> Appeal:
    return _transition(Action.START, appeal, by, version, note=note, now=now)


def appeal_handle(
    *,
    appeal: Appeal,
    by: Any,
    version: int | None,
    result: str,
    photos: Iterable[Any] = (),
    now: datetime | None = None,
) -> Appeal:
    """The handler reports what was done, with photos of the result."""
    result = _text(result, field="result", limit=MAX_DESCRIPTION, required=True)
    cleaned = clean_photos(list(photos))

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        a.result = result
        a.handled_at = at
        _save_photos(a, cleaned, kind=Photo.Kind.RESULT, by=by)
        return {"photos": [0, len(cleaned)]}

    return _transition(Action.HANDLE, appeal, by, version, note=result, now=now, apply=apply, answering=True)


def appeal_rework(
    *, appeal: Appeal, by: Any, version: int | None, reason: str, now: datetime | None = None
) -> Appeal:
    """The verifier (the reporter or the grid worker) finds the work not done: back to the handler."""
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True)
    return _transition(Action.REWORK, appeal, by, version, note=reason, now=now)


def appeal_verify(
    *, appeal: Appeal, by: Any, version: int | None, note: str = "", now: datetime | None = None
) -> Appeal:
    return _transition(Action.VERIFY, appeal, by, version, note=note, now=now, answering=True)


def appeal_close(
    *, appeal: Appeal, by: Any, version: int | None, note: str = "", now: datetime | None = None
) -> Appeal:
    return _transition(Action.CLOSE, appeal, by, version, note=note, now=now, apply=_set(closed_at=_at))


def appeal_reopen(
    *, appeal: Appeal, by: Any, version: int | None, reason: str, now: datetime | None = None
) -> Appeal:
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True)

    reopened = _set(closed_at=None, published_at=None)
    return _transition(Action.REOPEN, appeal, by, version, note=reason, now=now, apply=reopened)


def appeal_evaluate(
    *,
    appeal: Appeal,
    by: Any,
    version: int | None,
    score: int,
    comment: str = "",
    now: datetime | None = None,
) -> Appeal:
    """The reporter's satisfaction, 1 (very unsatisfied) to 5 (very satisfied)."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(_("Choose 1 to 5 stars."), code="score_invalid", fields={"score": "invalid"})
    comment = _text(comment, field="comment", limit=MAX_NOTE)

    def apply(a: Appeal, at: datetime) -> dict[str, Any]:
        Evaluation.objects.create(
            appeal=a, score=score, comment=comment, by=by, on_behalf=not is_reporter(by, a), at=at
        )
        return {"score": [None, score]}

    return _transition(
        Action.EVALUATE, appeal, by, version, note=comment, now=now, apply=apply, answering=True
    )


def _escalate(current: Appeal, *, by: Any, now: datetime, note: str) -> Appeal:
    """Move a locked appeal one level up. The receiving level must accept or dispatch it again."""
    upper = next_level(current.level)
    if upper is None:
        raise DomainError(
            _("The district is the top level; there is no level to escalate to."), code="top_level"
        )
    if current.stage not in ESCALATABLE:
        raise DomainError(
            _("This cannot be done to an appeal that is %(stage)s.") % {"stage": current.get_stage_display()},
            code="illegal_transition",
        )
    from_stage, from_level = current.stage, current.level
    answering = _answering_area(current.area, upper)
    current.level = upper
    current.handling_area = answering
    current.handling_path = answering.path
    current.handler_kind = ""
    current.handler_user = None
    current.handler_organisation = None
    current.handler_team = None
    spent = None
    if current.stage in (Stage.DISPATCHED, Stage.IN_PROGRESS):
        spent = _enter(current, Stage.ACCEPTED, now)
    else:
        if current.deadline_at is not None and now > current.deadline_at:
            current.was_overdue = True
        _start_clock(current, now)
    _save(current, by=by, action=Action.ESCALATE, changes={"level": [from_level, upper]})
    _step(
        current,
        by=by,
        action=Action.ESCALATE,
        from_stage=from_stage,
        from_level=from_level,
        now=now,
        note=note,
        stage_seconds=spent,
    )
    _tell(current, action=Action.ESCALATE, now=now, by=by, answering=True)
    return current


def appeal_escalate(
    *, appeal: Appeal, by: Any, version: int | None, reason: str, now: datetime | None = None
) -> Appeal:
    """By hand: estate → community → street → district (乡呼县应). The receiving level sees it in its
    queue, with the whole history."""
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True)
    now = _now(now)
    with transaction.atomic():
        current = _locked(appeal, version)
        APPEAL.check(by, current, "escalate")
        return _escalate(current, by=by, now=now, note=reason)
